// ADMIN: members with their roles per location and spending limits, pending invitations, and
// inviting someone with a role account-wide or at one location.
import { call } from "../lib/api.js";
import { accountsFor, can } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { fieldErrors } from "../lib/errors.js";
import { date, money, t } from "../lib/i18n.js";

const ROLES = ["ADMIN", "BUYER", "APPROVER", "ACCOUNTS_PAYABLE", "VIEWER"];

export async function render(main) {
  const accounts = accountsFor("Mutation.membershipRolesSet");
  const status = h("div", { "aria-live": "polite" });
  const body = h("div");
  let accountId = accounts[0].id;

  // One role, account-wide or at one location, in place of the member's roles.
  function rolesForm(m, account) {
    const first = m.roles[0];
    const form = h("form", { class: "row", "aria-label": t("members.changeFor", { name: m.user.name }), onsubmit: async (e) => {
      e.preventDefault();
      const where = form.elements.where.value;
      const { data: d } = await call("MembershipRolesSet", { membershipId: m.id,
        roles: [{ role: form.elements.role.value, locationIds: where ? [where] : null }] });
      const payload = d.membershipRolesSet;
      mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error")
        : notice(t("members.changed", { name: m.user.name }), "ok"));
      if (!payload.userErrors.length) await load();
    } },
    field(t("members.inviteRole"), { tag: "select", name: "role", id: `role-${m.id}`, value: first && first.role, options: ROLES.map((r) => [r, r]) }),
    field(t("catalog.location"), { tag: "select", name: "where", id: `where-${m.id}`, value: first && first.location ? first.location.id : "",
      options: [["", t("home.accountWide")], ...account.locations.map((l) => [l.id, l.name])] }),
    h("button", { type: "submit", class: "secondary" }, t("members.save")));
    return form;
  }

  // The member's spending limit in the account's currency; empty clears it (no limit).
  function limitForm(m, account) {
    const current = m.spendingLimit ? money(m.spendingLimit) : t("members.noLimit");
    const form = h("form", { class: "row", "aria-label": t("members.limitFor", { name: m.user.name }), onsubmit: async (e) => {
      e.preventDefault();
      const amount = form.elements.amount.value.trim().replace(",", ".");
      const { data: d } = await call("MembershipSpendingLimitSet", { membershipId: m.id, amount: amount || null });
      const payload = d.membershipSpendingLimitSet;
      if (fieldErrors(form, payload.userErrors, status)) return;
      mount(status, notice(t("members.limitChanged", { name: m.user.name,
        limit: payload.membership.spendingLimit ? money(payload.membership.spendingLimit) : t("members.noLimit") }), "ok"));
      await load();
    } },
    field(t("members.limitLabel", { currency: account.currencyCode }), { name: "amount", id: `limit-${m.id}`, inputmode: "decimal",
      autocomplete: "off", value: m.spendingLimit ? m.spendingLimit.amount : "" }, t("members.limitHint", { current })),
    h("button", { type: "submit", class: "secondary" }, t("members.limitSave")));
    return form;
  }

  async function load() {
    const { data } = await call("Members", { accountId });
    const account = data.node;
    const grant = (g) => `${g.role} ${g.accountWide ? `(${t("home.accountWide")})` : `(${t("home.at", { location: g.location ? g.location.name : "" })})`}`;
    const invite = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const email = invite.elements.email.value.trim();
      const where = invite.elements.where.value;
      const { data: d } = await call("InvitationCreate", { accountId, email,
        roles: [{ role: invite.elements.role.value, locationIds: where ? [where] : null }] });
      const payload = d.invitationCreate;
      mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error") : notice(t("members.invited", { email }), "ok"));
      if (!payload.userErrors.length) await load();
    } },
    h("h2", {}, t("members.invite")),
    h("div", { class: "row" },
      field(t("members.inviteEmail"), { name: "email", id: "invite-email", type: "email", required: true, autocomplete: "off" }),
      field(t("members.inviteRole"), { tag: "select", name: "role", id: "invite-role", options: ROLES.map((r) => [r, r]), value: "BUYER" }),
      field(t("catalog.location"), { tag: "select", name: "where", id: "invite-location",
        options: [["", t("home.accountWide")], ...account.locations.map((l) => [l.id, l.name])] }),
      h("button", { type: "submit" }, t("members.inviteSend"))));
    mount(body,
      table(t("members.title"), [t("members.name"), t("members.email"), t("members.roles"), t("members.limit"), t("members.change")],
        account.members.map((m) => [m.user.name, m.user.email, h("ul", {}, m.roles.map((g) => h("li", {}, grant(g)))),
          can("Mutation.membershipSpendingLimitSet", { accountId, accountWide: true }) ? limitForm(m, account)
            : (m.spendingLimit ? money(m.spendingLimit) : t("members.noLimit")), rolesForm(m, account)])),
      h("h2", {}, t("members.pending")),
      (account.invitations || []).length ? h("ul", {}, account.invitations.map((i) =>
        h("li", {}, `${i.email}: ${i.roles.map((r) => r.role).join(", ")} (${date(i.createdAt)} → ${date(i.expiresAt)})`))) : h("p", {}, "—"),
      invite);
  }

  const picker = accounts.length > 1 ? field(t("invoices.account"), { tag: "select", name: "account", value: accountId,
    options: accounts.map((a) => [a.id, a.name]), onchange: (e) => { accountId = e.target.value; load(); } }) : null;
  mount(main, h("h1", {}, t("members.title")), picker, status, body);
  await load();
}
