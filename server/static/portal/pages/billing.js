// ADMIN and ACCOUNTS_PAYABLE: payment terms, balance, billing details, and the saved cards (make
// one the default, remove one). Adding a card needs the gateway's own script on the page; in demo
// mode (the test gateway) a test card is added by its test token.
import { call, getConfig } from "../lib/api.js";
import { accountsFor, can } from "../lib/access.js";
import { fieldErrors } from "../lib/errors.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { money, t } from "../lib/i18n.js";

const TEST_CARDS = [["tok_visa", "Visa 4242"], ["tok_mastercard", "Mastercard 4444"], ["tok_chargeDeclined", "Declined card"]];

export async function render(main, { query, go }) {
  const accounts = accountsFor("Account.paymentMethods");
  const accountId = query.get("account") || accounts[0].id;
  const status = h("div", { "aria-live": "polite" });
  const body = h("div");
  const say = (payload, ok) => mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error") : notice(ok, "ok"));

  async function load() {
    const { data } = await call("Billing", { accountId });
    const a = data.node;
    const d = a.billingDetails || {};
    const cards = a.paymentMethods || [];
    const add = getConfig().demo ? h("form", { class: "row", onsubmit: async (e) => {
      e.preventDefault();
      const { data: r } = await call("PaymentMethodAdd", { accountId, token: add.elements.token.value });
      say(r.paymentMethodAdd, t("billing.added"));
      if (!r.paymentMethodAdd.userErrors.length) await load();
    } }, field(t("billing.testCard"), { tag: "select", name: "token", id: "test-card", options: TEST_CARDS }),
    h("button", { type: "submit" }, t("billing.add"))) : null;
    mount(body,
      h("dl", { class: "facts" },
        h("dt", {}, t("billing.terms")), h("dd", {}, a.paymentTermsDays ? t("billing.days", { days: a.paymentTermsDays }) : "—"),
        h("dt", {}, t("billing.creditLimit")), h("dd", {}, money(a.creditLimit) || "—"),
        h("dt", {}, t("billing.balance")), h("dd", {}, money(a.balance) || "—"),
        h("dt", {}, t("billing.details")), h("dd", {}, [d.businessName || d.name, d.taxId, [d.postalCode, d.region, d.country].filter(Boolean).join(" ")]
          .filter(Boolean).join(" · ") || "—")),
      detailsForm(d),
      h("h2", {}, t("billing.cards")),
      cards.length ? table(t("billing.cards"), [t("billing.card"), t("billing.expires"), ""], cards.map((c) => [
        `${c.brand} •••• ${c.last4}` + (c.isDefault ? ` (${t("billing.default")})` : ""),
        `${String(c.expMonth).padStart(2, "0")}/${c.expYear}` + (c.expired ? ` (${t("billing.expired")})` : ""),
        h("div", { class: "row" },
          c.isDefault ? null : h("button", { type: "button", class: "secondary", onclick: async () => {
            const { data: r } = await call("PaymentMethodSetDefault", { id: c.id });
            say(r.paymentMethodSetDefault, t("billing.defaultSet"));
            await load();
          } }, t("billing.makeDefault", { last4: c.last4 })),
          h("button", { type: "button", class: "danger", onclick: async () => {
            const { data: r } = await call("PaymentMethodRemove", { id: c.id });
            say(r.paymentMethodRemove, t("billing.removed"));
            await load();
          } }, t("billing.remove", { last4: c.last4 })))])) : h("p", {}, t("billing.noCards")),
      add);
  }

  // --- portalb: editing the billing details (Mutation.billingDetailsUpdate), errors at their fields ---
  function detailsForm(d) {
    if (!can("Mutation.billingDetailsUpdate", { accountId, accountWide: true })) return null;
    const top = h("div", { "aria-live": "polite" });
    const text = (name, label, hint = null) => field(label, { name, id: `bd-${name}`, value: d[name] || "", maxlength: 200 }, hint);
    const form = h("form", { id: "billing-details", onsubmit: async (e) => {
      e.preventDefault();
      const v = (name) => form.elements[name].value.trim();
      const { data: r } = await call("BillingDetailsUpdate", { accountId, businessName: v("businessName"), taxId: v("taxId"),
        isBusiness: form.elements.isBusiness.checked, country: v("country").toUpperCase(), region: v("region"), postalCode: v("postalCode") });
      if (fieldErrors(form, r.billingDetailsUpdate.userErrors, top)) return;
      mount(status, notice(t("billing.detailsSaved"), "ok"));
      await load();
    } },
    text("businessName", t("billing.businessName")),
    h("div", { class: "field check" }, h("input", { type: "checkbox", name: "isBusiness", id: "bd-isBusiness", checked: Boolean(d.isBusiness) }),
      h("label", { for: "bd-isBusiness" }, t("billing.isBusiness"))),
    text("taxId", t("billing.taxId"), t("billing.taxIdHint")),
    h("div", { class: "row" }, text("country", t("billing.country"), t("billing.countryHint")), text("region", t("billing.region")),
      text("postalCode", t("billing.postalCode"))),
    h("button", { type: "submit" }, t("billing.saveDetails")));
    return h("details", { class: "edit", open: false }, h("summary", {}, t("billing.editDetails")), top, form);
  }

  const picker = accounts.length > 1 ? field(t("invoices.account"), { tag: "select", name: "account", value: accountId,
    options: accounts.map((a) => [a.id, a.name]), onchange: (e) => go(`#/billing?account=${encodeURIComponent(e.target.value)}`) }) : null;
  mount(main, h("h1", {}, t("nav.billing")), picker, status, body);
  await load();
}
