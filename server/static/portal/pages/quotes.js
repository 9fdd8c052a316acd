// Quotes: what was asked for and what the merchant answered; a quoted price is accepted as an
// order with a PO number, or declined.
import { call } from "../lib/api.js";
import { can } from "../lib/access.js";
import { field, h, mount, notice, table, uuid } from "../lib/dom.js";
import { date, money, number, t } from "../lib/i18n.js";

export async function render(main, { go, viewer }) {
  const status = h("div", { "aria-live": "polite" });
  const list = h("div");
  const mine = (q) => q.requestedBy && q.requestedBy.name === viewer.name;

  async function load() {
    const { data } = await call("Quotes");
    const quotes = data.viewer.quotes.nodes;
    if (!quotes.length) return mount(list, h("p", {}, t("quotes.none")));
    mount(list, quotes.map((q) => {
      const decides = q.status === "QUOTED" && (mine(q) || can("Mutation.quoteAccept", { accountId: q.account.id, accountWide: true }));
      const po = decides ? field(t("cart.po"), { name: "po", id: `po-${q.id}`, maxlength: 100 }) : null;
      return h("section", { class: "card", "aria-labelledby": `quote-${q.id}` },
        h("h2", { id: `quote-${q.id}` }, `${t("quotes.quote")} ${q.number}`),
        h("p", {}, `${t(`quote.${q.status}`)} · ${date(q.createdAt)} · ${q.location.name}`,
          q.expiresAt ? ` · ${t("quotes.expires", { date: date(q.expiresAt) })}` : "", q.total ? ` · ${money(q.total)}` : ""),
        q.responseNote ? h("p", {}, q.responseNote) : null,
        table(`${t("quotes.quote")} ${q.number}`, [t("catalog.sku"), t("catalog.product"), t("cart.qty"), t("cart.unitPrice")],
          q.lines.map((l) => [l.sku, l.title, number(l.quantity), money(l.unitPrice) || "—"])),
        q.order ? h("p", {}, h("a", { href: `#/orders/${encodeURIComponent(q.order.id)}` }, `${t("orders.number")} ${q.order.number}`)) : null,
        decides ? [po, h("div", { class: "row" },
          h("button", { type: "button", onclick: async () => {
            const { data: d } = await call("QuoteAccept", { quoteId: q.id, idempotencyKey: uuid(),
              poNumber: po.querySelector("input").value.trim() || null });
            const payload = d.quoteAccept;
            if (payload.userErrors.length) return mount(status, notice(payload.userErrors[0].message, "error"));
            go(`#/orders/${encodeURIComponent(payload.order.id)}?placed=1`);
          } }, t("quotes.accept", { number: q.number })),
          h("button", { type: "button", class: "danger", onclick: async () => {
            const { data: d } = await call("QuoteDecline", { quoteId: q.id });
            const payload = d.quoteDecline;
            mount(status, notice(payload.userErrors.length ? payload.userErrors[0].message : t("quotes.declined", { number: q.number }),
              payload.userErrors.length ? "error" : "ok"));
            await load();
          } }, t("quotes.decline", { number: q.number })))] : null);
    }));
  }

  mount(main, h("h1", {}, t("nav.quotes")), status, list);
  await load();
}
