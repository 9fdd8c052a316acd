// ADMIN: who did what in the account (the audit log, filtered by action), and its integration
// clients: registered with scopes (the secret shown once) and revoked.
import { call } from "../lib/api.js";
import { accountsFor, can } from "../lib/access.js";
import { fieldErrors } from "../lib/errors.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
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
  if (account) await integrationClients(clients, account);
  mount(main, h("h1", {}, t("nav.audit")), form,
    table(t("nav.audit"), [t("audit.at"), t("audit.action"), t("audit.actor"), t("audit.target"), "IP"],
      events.map((e) => [new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(e.at)),
        h("code", {}, e.action), e.actor ? `${e.actor.name} <${e.actor.email}>` : e.actorKind, e.targetType || "", e.ip || ""])),
    clients);
}

// --- portalb: integration clients, registered and revoked ---
// The scopes the API knows (permissions/policy.py; docs/permissions.md says what each allows): the
// API lists none, so they are named here and the API refuses any other (INVALID_SCOPE).
const SCOPES = ["account:write", "catalog:read", "invoices:read", "invoices:write", "members:read", "orders:read",
  "orders:write", "payments:write", "subscriptions:read", "subscriptions:write"];

async function integrationClients(section, account, shown = null) {
  const { data: c } = await call("IntegrationClients", { accountId: account.id });
  const list = (c.node && c.node.oauthClients) || [];
  const status = h("div", { "aria-live": "polite" }, shown);
  const mayCreate = can("Mutation.oauthClientCreate", { accountId: account.id, accountWide: true });
  const mayRevoke = can("Mutation.oauthClientRevoke", { accountId: account.id, accountWide: true });
  const revoke = async (x) => {
    if (!window.confirm(t("clients.revokeConfirm", { name: x.name }))) return;
    const { data } = await call("IntegrationClientRevoke", { id: x.id });
    const payload = data.oauthClientRevoke;
    await integrationClients(section, account, payload.userErrors.length ? notice(payload.userErrors[0].message, "error")
      : notice(t("clients.revoked", { name: x.name }), "ok"));
  };
  const top = h("div", { "aria-live": "polite" });
  const form = mayCreate ? h("form", { id: "client-form", onsubmit: async (e) => {
    e.preventDefault();
    const scopes = [...form.querySelectorAll("input[name=scopes]:checked")].map((i) => i.value);
    const { data } = await call("IntegrationClientCreate", { accountId: account.id, name: form.elements.name.value, scopes });
    const payload = data.oauthClientCreate;
    if (fieldErrors(form, payload.userErrors, top)) return;
    // The secret is in this answer only: shown now, never again.
    await integrationClients(section, account, h("div", { class: "notice ok", role: "status", id: "client-secret" },
      h("p", {}, t("clients.created", { name: payload.client.name })),
      h("p", {}, t("clients.clientId"), " ", h("code", {}, payload.client.clientId)),
      h("p", {}, t("clients.secret"), " ", h("code", { class: "secret" }, payload.clientSecret)),
      h("p", {}, t("clients.secretOnce"))));
  } },
  field(t("clients.name"), { name: "name", id: "client-name", required: true, maxlength: 100 }),
  h("fieldset", { id: "client-scopes" }, h("legend", {}, t("audit.scopes")),
    h("div", { class: "field" }, h("ul", { class: "checks" }, SCOPES.map((s) => h("li", {},
      h("input", { type: "checkbox", name: "scopes", value: s, id: `scope-${s.replace(":", "-")}` }),
      " ", h("label", { for: `scope-${s.replace(":", "-")}` }, s)))))),
  h("button", { type: "submit" }, t("clients.create"))) : null;
  mount(section, h("h2", { id: "clients-title" }, t("audit.clients")), status, list.length
    ? table(t("audit.clients"), [t("members.name"), "Client ID", t("audit.scopes"), t("audit.lastUsed"), ""],
      list.map((x) => [x.name + (x.revokedAt ? ` (${t("audit.revoked")})` : ""), h("code", {}, x.clientId), x.scopes.join(", "),
        x.lastUsedAt ? date(x.lastUsedAt) : "—",
        mayRevoke && !x.revokedAt ? h("button", { type: "button", class: "danger", onclick: () => revoke(x) },
          t("clients.revoke", { name: x.name })) : ""]))
    : h("p", {}, t("audit.noClients")),
  form ? h("h3", {}, t("clients.new")) : null, top, form);
}
