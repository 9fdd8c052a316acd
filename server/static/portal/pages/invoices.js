// Invoices: search and filters, what is open and past due, PDF in the person's language, CSV
// export of the same filter, and paying one or several open invoices with a saved card.
import { call, download } from "../lib/api.js";
import { accountsFor, can } from "../lib/access.js";
import { field, h, mount, notice, table, uuid } from "../lib/dom.js";
import { date, locale, money, number, t } from "../lib/i18n.js";

const STATUSES = ["OPEN", "PAID", "VOID", "UNCOLLECTIBLE"];

function filterOf(query) {
  const filter = {};
  if (query.get("search")) filter.search = query.get("search");
  if (query.get("status")) filter.status = [query.get("status")];
  if (query.get("overdue")) filter.overdue = true;
  return filter;
}

export async function render(main, { query, go }) {
  const filter = filterOf(query);
  const status = h("div", { "aria-live": "polite" });
  const { data } = await call("Invoices", { filter, locale: locale() });
  const invoices = data.viewer.invoices;
  const form = h("form", { class: "row", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    if (form.elements.search.value.trim()) params.set("search", form.elements.search.value.trim());
    if (form.elements.status.value) params.set("status", form.elements.status.value);
    if (form.elements.overdue.checked) params.set("overdue", "1");
    go(`#/invoices${params.toString() ? `?${params}` : ""}`);
  } },
  field(t("invoices.search"), { name: "search", type: "search", value: filter.search || "" }),
  field(t("invoices.status"), { tag: "select", name: "status", value: query.get("status") || "",
    options: [["", t("orders.all")], ...STATUSES.map((s) => [s, t(`status.${s}`)])] }),
  h("div", { class: "field" }, h("label", {}, h("input", { type: "checkbox", name: "overdue", checked: !!filter.overdue }), " ", t("invoices.overdue"))),
  h("button", { type: "submit" }, t("invoices.apply")));

  const exportParams = new URLSearchParams();
  if (filter.search) exportParams.set("search", filter.search);
  if (filter.status) exportParams.set("status", filter.status.join(","));
  if (filter.overdue) exportParams.set("overdue", "true");
  const csv = h("button", { type: "button", class: "secondary", onclick: () =>
    download(`/exports/invoices.csv${exportParams.toString() ? `?${exportParams}` : ""}`, "invoices.csv")
      .catch((e) => mount(status, notice(e.message, "error"))) }, t("invoices.csv"));

  const totals = data.viewer.invoiceTotals.map((x) => h("p", {},
    t("invoices.totals", { open: money(x.amountDue), overdue: money(x.amountOverdue) })));

  const payable = (i) => i.status === "OPEN" && Number(i.amountDue.amount) > 0 && can("Mutation.invoicePay", { accountId: i.account.id, accountWide: true });
  const rows = invoices.nodes.map((i) => [
    payable(i) ? h("input", { type: "checkbox", name: "pay", value: i.id, dataset: { account: i.account.id, currency: i.amountDue.currencyCode },
      "aria-label": t("invoices.select", { number: i.number }) }) : "",
    i.number || "—", t(`status.${i.status}`) + (i.isOverdue ? ` (${t("invoices.isOverdue")})` : ""), date(i.issuedAt), date(i.dueDate), i.poNumber || "",
    money(i.total), money(i.amountDue),
    h("button", { type: "button", class: "secondary", onclick: () => download(i.pdfUrl, `${i.number || "invoice"}.pdf`)
      .catch((e) => mount(status, notice(e.message, "error"))) }, t("invoices.pdf", { number: i.number || "" }))]);

  // The saved cards of the account paid for (the default first), or its credit balance.
  const payer = accountsFor("Mutation.invoicePay")[0];
  let payWith = null;
  if (payer) {
    const { data: m } = await call("PaymentMethods", { accountId: payer.id });
    const cards = ((m.node && m.node.paymentMethods) || []).filter((c) => !c.expired)
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    payWith = field(t("invoices.payWith"), { tag: "select", name: "payWith", id: "pay-with",
      options: [...cards.map((c) => [c.id, t("invoices.card", { brand: c.brand, last4: c.last4, month: c.expMonth, year: c.expYear })]),
        ["credit", t("invoices.credit")]] });
  }
  const pay = h("button", { type: "button", onclick: async () => {
    const chosen = [...main.querySelectorAll('input[name="pay"]:checked')];
    if (!chosen.length) return;
    const accountId = chosen[0].dataset.account;
    const method = payWith.querySelector("select").value;
    const { data: d } = await call("InvoicePay", { accountId, idempotencyKey: uuid(),
      paymentMethodId: method === "credit" ? null : method, useAccountCredit: method === "credit",
      invoices: chosen.filter((c) => c.dataset.account === accountId).map((c) => ({ invoiceId: c.value })) });
    const payload = d.invoicePay;
    if (payload.userErrors.length) return mount(status, notice(payload.userErrors[0].message, "error"));
    go(`#/invoices?paid=${chosen.filter((c) => c.dataset.account === accountId).length}`);
  } }, t("invoices.pay"));

  mount(main, h("h1", {}, t("invoices.title")),
    query.get("paid") ? notice(t("invoices.paid", { count: number(Number(query.get("paid"))) }), "ok") : null,
    form, totals, h("div", { class: "row" }, csv, payWith, payWith ? pay : null), status,
    table(`${t("invoices.title")} (${number(invoices.totalCount)})`,
      ["", t("invoices.number"), t("invoices.status"), t("invoices.issued"), t("invoices.due"), t("orders.po"),
        t("invoices.total"), t("invoices.amountDue"), "PDF"], rows));
}
