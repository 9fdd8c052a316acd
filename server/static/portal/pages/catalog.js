// The catalog at the caller's contracted prices: price breaks, quantity rules, add to cart.
import { call } from "../lib/api.js";
import { can } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { money, number, t } from "../lib/i18n.js";
import { addToCart, chosen, locations, picker } from "../lib/location.js";

function rule(q) {
  return t("catalog.ruleText", { minimum: number(q.minimum), increment: number(q.increment) })
    + (q.maximum ? t("catalog.ruleMax", { maximum: number(q.maximum) }) : "");
}

export async function render(main, { query, go }) {
  const all = await locations();
  let location = chosen(all);
  const status = h("div", { "aria-live": "polite" });
  const results = h("div");
  // A search is an address (#/catalog?q=...): back and forward, and links, find it again.
  const search = h("form", { role: "search", class: "row", onsubmit: (e) => {
    e.preventDefault();
    const q = search.elements.search.value.trim();
    go(q ? `#/catalog?${new URLSearchParams({ q })}` : "#/catalog");
  } },
    picker(all, location, (l) => { location = l; load(); }),
    field(t("catalog.search"), { name: "search", type: "search", value: query.get("q") || "" }),
    h("button", { type: "submit" }, t("catalog.searchButton")));

  async function load(after = null) {
    if (!location) return;
    const { data } = await call("Catalog", { locationId: location.id, search: search.elements.search.value || null, after });
    const catalog = data.node.catalog;
    const prices = can("ProductVariant.price", { accountId: location.account.id, locationId: location.id });
    const ordering = can("Mutation.cartLinesAdd", { accountId: location.account.id, locationId: location.id });
    const rows = catalog.nodes.flatMap((p) => p.variants.map((v) => {
      const qty = h("input", { type: "number", id: `qty-${v.id}`, min: v.quantityRule.minimum,
        step: v.quantityRule.increment, max: v.quantityRule.maximum, value: v.quantityRule.minimum,
        "aria-label": t("catalog.quantity", { sku: v.sku }) });
      const add = h("button", { type: "button", "aria-label": t("catalog.addLabel", { sku: v.sku }), onclick: async () => {
        const payload = await addToCart(location.id, [{ variantId: v.id, quantity: Number(qty.value) }]);
        const problem = payload.userErrors[0];
        mount(status, notice(problem ? problem.message : t("catalog.added", { sku: v.sku }), problem ? "error" : "ok"));
      } }, t("catalog.add"));
      return [v.sku, `${p.title}${v.title && v.title !== p.title ? ` – ${v.title}` : ""}`,
        ...(prices ? [money(v.price), money(v.listPrice),
          h("ul", { class: "breaks" }, (v.priceBreaks || []).map((b) =>
            h("li", {}, t("catalog.from", { quantity: number(b.minQuantity), price: money(b.unitPrice) }))))] : []),
        rule(v.quantityRule),
        ...(ordering ? [h("div", { class: "row" }, qty, add)] : [])];
    }));
    const headers = [t("catalog.sku"), t("catalog.product"),
      ...(prices ? [t("catalog.price"), t("catalog.list"), t("catalog.breaks")] : []), t("catalog.rule"),
      ...(ordering ? [t("catalog.add")] : [])];
    const more = catalog.pageInfo.hasNextPage
      ? h("button", { type: "button", class: "secondary", onclick: () => load(catalog.pageInfo.endCursor) }, t("catalog.more")) : null;
    mount(results, prices ? null : notice(t("catalog.noPrices")),
      table(t("catalog.count", { count: number(catalog.totalCount) }), headers, rows), more);
  }

  mount(main, h("h1", {}, t("catalog.title")), search, status, results);
  await load();
}
