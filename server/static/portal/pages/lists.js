// Requisition lists: each list's products, and all of them into the chosen location's cart.
import { call } from "../lib/api.js";
import { h, mount, notice, table } from "../lib/dom.js";
import { date, money, number, t } from "../lib/i18n.js";
import { chosen, locations, openCart, picker } from "../lib/location.js";

export async function render(main, { go }) {
  const all = await locations();
  let location = chosen(all, "Mutation.requisitionListAddToCart");
  const status = h("div", { "aria-live": "polite" });
  const { data } = await call("RequisitionLists");
  const lists = data.requisitionLists.nodes;

  async function addToCart(list) {
    let cart = await openCart(location.id);
    if (!cart) {
      const { data: made } = await call("CartCreate", { locationId: location.id, lines: null });
      if (made.cartCreate.userErrors.length) return mount(status, notice(made.cartCreate.userErrors[0].message, "error"));
      cart = made.cartCreate.cart;
    }
    const { data: d } = await call("RequisitionListAddToCart", { requisitionListId: list.id, cartId: cart.id });
    const payload = d.requisitionListAddToCart;
    if (payload.userErrors.length) return mount(status, notice(payload.userErrors[0].message, "error"));
    go("#/cart");
  }

  mount(main, h("h1", {}, t("nav.lists")), picker(all, location, (l) => { location = l; }), status,
    lists.length ? lists.map((list) => h("section", { class: "card", "aria-labelledby": `list-${list.id}` },
      h("h2", { id: `list-${list.id}` }, list.name),
      list.description ? h("p", {}, list.description) : null,
      h("p", { class: "muted" }, t("lists.updated", { date: date(list.updatedAt) })),
      table(list.name, [t("catalog.sku"), t("catalog.product"), t("cart.qty"), t("catalog.price")],
        list.items.map((i) => [i.variant.sku, `${i.variant.product.title} – ${i.variant.title}` + (i.available ? "" : ` (${t("orders.unavailable")})`),
          number(i.quantity), money(i.variant.price)])),
      h("button", { type: "button", onclick: () => addToCart(list) }, t("lists.addAll", { name: list.name }))))
      : h("p", {}, t("lists.none")));
}
