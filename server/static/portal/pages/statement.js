// The statement of account for a period: opening balance, what was invoiced, paid and credited,
// every entry with its running balance, and the same as PDF (in the person's language) or CSV.
import { call, download } from "../lib/api.js";
import { accountsFor } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { date, locale, money, t } from "../lib/i18n.js";

const iso = (d) => d.toISOString().slice(0, 10);

export async function render(main, { query, go }) {
  const accounts = accountsFor("Account.statement");
  const accountId = query.get("account") || accounts[0].id;
  const today = new Date();
  const from = query.get("from") || iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 2, 1)));
  const to = query.get("to") || iso(today);
  const status = h("div", { "aria-live": "polite" });
  const { data } = await call("Statement", { accountId, from, to });
  const s = data.node.statement;
  const form = h("form", { class: "row", onsubmit: (e) => {
    e.preventDefault();
    go(`#/statement?${new URLSearchParams({ account: form.elements.account.value, from: form.elements.from.value, to: form.elements.to.value })}`);
  } },
  field(t("invoices.account"), { tag: "select", name: "account", id: "statement-account", value: accountId,
    options: accounts.map((a) => [a.id, a.name]) }),
  field(t("statement.from"), { type: "date", name: "from", id: "statement-from", value: from, required: true }),
  field(t("statement.to"), { type: "date", name: "to", id: "statement-to", value: to, required: true }),
  h("button", { type: "submit" }, t("invoices.apply")));
  const params = new URLSearchParams({ account: accountId, from, to });
  const fail = (e) => mount(status, notice(e.message, "error"));
  mount(main, h("h1", {}, t("nav.statement")), form,
    h("div", { class: "row" },
      h("button", { type: "button", class: "secondary", onclick: () =>
        download(`/documents/statements.pdf?${params}&locale=${locale()}`, "statement.pdf").catch(fail) }, t("statement.pdf")),
      h("button", { type: "button", class: "secondary", onclick: () =>
        download(`/exports/statement.csv?${params}`, "statement.csv").catch(fail) }, t("statement.csv"))),
    status,
    h("dl", { class: "facts" },
      h("dt", {}, t("statement.opening")), h("dd", {}, money(s.openingBalance)),
      h("dt", {}, t("statement.invoiced")), h("dd", {}, money(s.totalInvoiced)),
      h("dt", {}, t("statement.paid")), h("dd", {}, money(s.totalPaid)),
      h("dt", {}, t("statement.credited")), h("dd", {}, money(s.totalCredited)),
      h("dt", {}, t("statement.closing")), h("dd", {}, h("strong", {}, money(s.closingBalance)))),
    table(`${t("nav.statement")} ${date(s.from)} – ${date(s.to)}`,
      [t("audit.at"), t("statement.entry"), t("statement.debit"), t("statement.credit"), t("statement.balance")],
      s.lines.map((l) => [date(l.occurredAt), `${l.reference}`, money(l.debit), money(l.credit), money(l.balance)])));
}
