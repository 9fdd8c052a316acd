// Requisition lists: each list's products, all of them into the chosen location's cart; and
// (ADMIN, BUYER: Mutation.requisitionList*) making, renaming, changing the items of and deleting lists.
import { call } from "../lib/api.js";
import { can } from "../lib/access.js";
import { fieldErrors } from "../lib/errors.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { date, number, t } from "../lib/i18n.js";
import { chosen, locations, openCart, picker } from "../lib/location.js";

export async function render(main, { go }) {
  const all = await locations();
  let location = chosen(all, "Mutation.requisitionListAddToCart");
  const status = h("div", { "aria-live": "polite" });
  const body = h("div");
  const editable = (accountId) => can("Mutation.requisitionListUpdate", { accountId });
  const say = (text, kind = "ok") => mount(status, notice(text, kind));

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

  // --- portalb: editing lists ---
  const itemsOf = (list) => list.items.map((i) => ({ variantId: i.variant.id, quantity: i.quantity }));

  async function update(list, variables, form, top, ok) {
    mount(status);
    const { data } = await call("RequisitionListUpdate", { id: list.id, name: null, description: null, items: null, ...variables });
    const payload = data.requisitionListUpdate;
    if (form ? fieldErrors(form, payload.userErrors, top) : payload.userErrors.length) {
      if (!form) say(payload.userErrors[0].message, "error");
      return;
    }
    await load();
    say(ok);
  }

  // A SKU typed in is looked up in the chosen location's catalog (the API takes variant IDs).
  async function variantBySku(sku) {
    const { data } = await call("Catalog", { locationId: location.id, search: sku });
    const variants = data.node ? data.node.catalog.nodes.flatMap((p) => p.variants) : [];
    return variants.find((v) => v.sku.toLowerCase() === sku.toLowerCase()) || null;
  }

  function editor(list) {
    const renameTop = h("div", { "aria-live": "polite" });
    const rename = h("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      update(list, { name: rename.elements.name.value, description: rename.elements.description.value }, rename, renameTop,
        t("lists.renamed", { name: rename.elements.name.value.trim() }));
    } }, field(t("lists.name"), { name: "name", id: `name-${list.id}`, value: list.name, required: true, maxlength: 200 }),
    field(t("lists.description"), { name: "description", id: `description-${list.id}`, value: list.description || "", maxlength: 1000 }),
    h("button", { type: "submit", class: "secondary" }, t("lists.save")));
    const addTop = h("div", { "aria-live": "polite" });
    const add = h("form", { class: "row", onsubmit: async (e) => {
      e.preventDefault();
      const sku = add.elements.sku.value.trim();
      const variant = await variantBySku(sku);
      if (!variant) return fieldErrors(add, [{ field: ["sku"], message: t("lists.noSku", { sku }) }], addTop);
      const items = itemsOf(list);
      const quantity = Number(add.elements.quantity.value);
      const have = items.find((i) => i.variantId === variant.id);
      if (have) have.quantity += quantity;
      else items.push({ variantId: variant.id, quantity });
      await update(list, { items }, add, addTop, t("lists.itemAdded", { sku: variant.sku, name: list.name }));
    } }, field(t("catalog.sku"), { name: "sku", id: `sku-${list.id}`, required: true }),
    field(t("cart.qty"), { type: "number", name: "quantity", id: `qty-${list.id}`, min: 1, value: 1, required: true }),
    h("button", { type: "submit", class: "secondary" }, t("lists.addItem")));
    return h("details", { class: "edit" }, h("summary", {}, t("lists.edit", { name: list.name })),
      renameTop, rename, addTop, add,
      h("button", { type: "button", class: "danger", onclick: async () => {
        if (!window.confirm(t("lists.deleteConfirm", { name: list.name }))) return;
        const { data } = await call("RequisitionListDelete", { id: list.id });
        const payload = data.requisitionListDelete;
        if (payload.userErrors.length) return say(payload.userErrors[0].message, "error");
        await load();
        say(t("lists.deleted", { name: list.name }));
      } }, t("lists.delete", { name: list.name })));
  }

  function creator() {
    const accounts = [...new Map(all.map((l) => [l.account.id, l.account])).values()]
      .filter((a) => can("Mutation.requisitionListCreate", { accountId: a.id }));
    if (!accounts.length) return null;
    const top = h("div", { "aria-live": "polite" });
    const form = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const name = form.elements.name.value;
      const { data } = await call("RequisitionListCreate", { accountId: form.elements.account.value, name,
        description: form.elements.description.value.trim() || null });
      if (fieldErrors(form, data.requisitionListCreate.userErrors, top)) return;
      await load();
      say(t("lists.created", { name: data.requisitionListCreate.requisitionList.name }));
    } }, h("div", { class: "row" },
      accounts.length > 1 ? field(t("invoices.account"), { tag: "select", name: "account", id: "new-list-account",
        options: accounts.map((a) => [a.id, a.name]) }) : h("input", { type: "hidden", name: "account", value: accounts[0].id }),
      field(t("lists.name"), { name: "name", id: "new-list-name", required: true, maxlength: 200 }),
      field(t("lists.description"), { name: "description", id: "new-list-description", maxlength: 1000 })),
    h("button", { type: "submit" }, t("lists.create")));
    return h("section", { "aria-labelledby": "new-list-title" }, h("h2", { id: "new-list-title" }, t("lists.new")), top, form);
  }

  function listSection(list) {
    const mayEdit = editable(list.account.id);
    return h("section", { class: "card", "aria-labelledby": `list-${list.id}` },
      h("h2", { id: `list-${list.id}` }, list.name),
      list.description ? h("p", {}, list.description) : null,
      h("p", { class: "muted" }, t("lists.updated", { date: date(list.updatedAt) })),
      list.items.length ? table(list.name, [t("catalog.sku"), t("catalog.product"), t("cart.qty"), mayEdit ? "" : null].filter((x) => x !== null),
        list.items.map((i) => [i.variant.sku, `${i.variant.product.title} – ${i.variant.title}` + (i.available ? "" : ` (${t("orders.unavailable")})`),
          number(i.quantity),
          mayEdit ? h("button", { type: "button", class: "secondary", onclick: () => update(list,
            { items: itemsOf(list).filter((x) => x.variantId !== i.variant.id) }, null, null,
            t("lists.itemRemoved", { sku: i.variant.sku, name: list.name })) }, t("lists.removeItem", { sku: i.variant.sku })) : null]
          .filter((x) => x !== null))) : h("p", {}, t("lists.empty")),
      list.items.length ? h("button", { type: "button", onclick: () => addToCart(list) }, t("lists.addAll", { name: list.name })) : null,
      mayEdit ? editor(list) : null);
  }

  async function load() {
    const { data } = await call("RequisitionLists");
    const lists = data.requisitionLists.nodes;
    mount(body, lists.length ? lists.map(listSection) : h("p", {}, t("lists.none")), creator());
  }

  mount(main, h("h1", {}, t("nav.lists")), picker(all, location, (l) => { location = l; }), status, body);
  await load();
}
