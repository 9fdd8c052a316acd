// The location's open cart, quick order by SKU, and placing the order with a PO number.
import { call } from "../lib/api.js";
import { field, h, mount, notice, table, uuid } from "../lib/dom.js";
import { can } from "../lib/access.js";
import { money, number, t } from "../lib/i18n.js";
import { chosen, locations, openCart, picker } from "../lib/location.js";

export async function render(main, { go }) {
  const all = await locations();
  let location = chosen(all, "Mutation.cartCreate");
  const status = h("div", { "aria-live": "polite" });
  const body = h("div");
  const say = (text, kind = "ok") => mount(status, notice(text, kind));
  // One key per attempt to place this cart: a retried request places it once.
  let idempotencyKey = uuid();

  function show(cart) {
    if (!cart || cart.lines.length === 0) {
      mount(body, h("p", {}, t("cart.empty")), quickOrder(cart));
      return;
    }
    const rows = cart.lines.map((l) => [l.sku, l.title, number(l.quantity), money(l.unitPrice), money(l.total),
      h("button", { type: "button", class: "secondary", "aria-label": t("cart.remove", { sku: l.sku }), onclick: async () => {
        const { data } = await call("CartLinesRemove", { cartId: cart.id, lineIds: [l.id] });
        show(data.cartLinesRemove.cart);
      } }, "×")]);
    const place = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const { data } = await call("OrderPlace", { idempotencyKey, cartId: cart.id,
        poNumber: place.elements.po.value.trim() || null, note: place.elements.note.value.trim() || null });
      const payload = data.orderPlace;
      if (payload.priceChanges.length) {
        say(t("cart.priceChanged"), "error");
        return show(await openCart(location.id));
      }
      if (payload.userErrors.length) return say(payload.userErrors[0].message, "error");
      idempotencyKey = uuid();
      const order = payload.order;
      say(t("cart.placed", { number: order.number, status: t(`status.${order.status}`) }));
      go(`#/orders/${encodeURIComponent(order.id)}?placed=1`);
    } },
    h("h2", {}, t("cart.place")),
    field(t("cart.po"), { name: "po", id: "po-number", maxlength: 100, value: cart.poNumber || "" }),
    field(t("cart.note"), { tag: "textarea", name: "note", id: "order-note", maxlength: 2000 }),
    h("button", { type: "submit" }, t("cart.place")));
    // The cart's lines as a request for a quote instead of an order (larger quantities, special terms).
    const quote = can("Mutation.quoteRequest", { locationId: location.id }) ? h("button", { type: "button", class: "secondary", onclick: async () => {
      const { data } = await call("QuoteRequest", { locationId: location.id,
        lines: cart.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), note: place.elements.note.value.trim() || null });
      const payload = data.quoteRequest;
      if (payload.userErrors.length) return say(payload.userErrors[0].message, "error");
      go("#/quotes");
    } }, t("cart.askQuote")) : null;
    mount(body, table(t("cart.title"), [t("catalog.sku"), t("catalog.product"), t("cart.qty"), t("cart.unitPrice"),
      t("cart.total"), ""], rows),
    h("p", {}, h("strong", {}, `${t("cart.subtotal")}: ${money(cart.subtotal)}`)),
    quickOrder(cart), place, quote);
  }

  function quickOrder(cart) {
    const form = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const csv = form.elements.lines.value.trim();
      if (!csv) return;
      const { data } = await call("CartQuickOrder", cart ? { cartId: cart.id, csv } : { locationId: location.id, csv });
      const payload = data.cartQuickOrder;
      const failed = payload.results.filter((r) => !r.added);
      if (payload.userErrors.length) say(payload.userErrors[0].message, "error");
      else if (failed.length) mount(status, h("ul", { class: "notice error", role: "alert" }, failed.map((r) =>
        h("li", {}, t("cart.quickResult", { row: r.row, sku: r.sku, message: r.message })))));
      else mount(status);
      if (payload.cart) show(payload.cart);
    } },
    h("h2", {}, t("cart.quick")),
    field(t("cart.quickLines"), { tag: "textarea", name: "lines", id: "quick-order" }, t("cart.quickHint")),
    h("button", { type: "submit" }, t("cart.quickAdd")));
    return form;
  }

  mount(main, h("h1", {}, t("cart.title")),
    picker(all, location, async (l) => { location = l; show(await openCart(l.id)); }), status, body);
  show(location ? await openCart(location.id) : null);
}
