// ADMIN: who did what in the account (the audit log, filtered by action), and its integration clients.
import { call } from "../lib/api.js";
import { accountsFor } from "../lib/access.js";
import { field, h, mount, table } from "../lib/dom.js";
import { date, t } from "../lib/i18n.js";

export async function render(main, { query, go }) {
  const prefix = query.get("action") || "";
  const { data } = await call("AuditLog", { filter: prefix ? { actionPrefix: prefix } : null });
  const events = data.auditEvents.nodes;
  const form = h("form", { class: "row", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const value = form.elements.action.value.trim();
    go(value ? `#/audit?${new URLSearchParams({ action: value })}` : "#/audit");
  } }, field(t("audit.action"), { name: "action", id: "audit-action", value: prefix }, t("audit.actionHint")),
  h("button", { type: "submit" }, t("invoices.apply")));
  const clients = h("section", { "aria-labelledby": "clients-title" });
  const account = accountsFor("Account.oauthClients")[0];
  if (account) {
    const { data: c } = await call("IntegrationClients", { accountId: account.id });
    const list = (c.node && c.node.oauthClients) || [];
    mount(clients, h("h2", { id: "clients-title" }, t("audit.clients")), list.length
      ? table(t("audit.clients"), [t("members.name"), "Client ID", t("audit.scopes"), t("audit.lastUsed")],
        list.map((x) => [x.name + (x.revokedAt ? ` (${t("audit.revoked")})` : ""), h("code", {}, x.clientId), x.scopes.join(", "),
          x.lastUsedAt ? date(x.lastUsedAt) : "—"]))
      : h("p", {}, t("audit.noClients")));
  }
  mount(main, h("h1", {}, t("nav.audit")), form,
    table(t("nav.audit"), [t("audit.at"), t("audit.action"), t("audit.actor"), t("audit.target"), "IP"],
      events.map((e) => [new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(e.at)),
        h("code", {}, e.action), e.actor ? `${e.actor.name} <${e.actor.email}>` : e.actorKind, e.targetType || "", e.ip || ""])),
    clients);
}
