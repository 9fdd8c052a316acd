// The person's own profile: name, phone, language, time zone and the merchant's custom fields
// (typed, required ones marked); an email change confirmed by password and the emailed link; the
// address book with a default shipping and billing address; which emails the person receives.
// Every userError is shown next to the field it names.
import { call } from "../lib/api.js";
import { field, h, mount, notice } from "../lib/dom.js";
import { clearErrors, once, showErrors } from "../lib/forms.js";
import { LOCALES, t } from "../lib/i18n.js";

const CATEGORIES = ["ORDER_CONFIRMATION", "SHIPPING", "APPROVALS", "QUOTES", "INVOICES", "SUBSCRIPTION_RENEWALS",
  "SUPPORT_REPLIES", "MARKETING"];
const ADDRESS_FIELDS = ["label", "recipient", "line1", "line2", "city", "region", "postalCode", "country"];

function zones() {
  try { return Intl.supportedValuesOf("timeZone"); } catch { return ["UTC", "Europe/Berlin", "America/New_York"]; }
}

function customInput(f, value) {
  const label = h("span", {}, f.label, f.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null);
  const attrs = { name: `custom-${f.key}`, id: `custom-${f.key}`, value: value ?? "", required: f.required,
    "aria-required": f.required ? "true" : null };
  if (f.type === "CHOICE") return field(label, { ...attrs, tag: "select", options: [["", "—"], ...f.choices.map((c) => [c, c])] });
  if (f.type === "NUMBER") return field(label, { ...attrs, type: "text", inputmode: "decimal" });
  if (f.type === "DATE") return field(label, { ...attrs, type: "date" });
  return field(label, { ...attrs, type: "text", maxlength: 500 });
}

export async function render(main) {
  const { data } = await call("Profile");
  const me = data.viewer;
  const fields = [...data.profileFields].sort((a, b) => a.position - b.position);
  const values = Object.fromEntries(me.customFields.map((c) => [c.field.key, c.value]));

  // Profile and custom fields: one viewerUpdate, every problem reported at once.
  const profileStatus = h("div", { "aria-live": "polite" });
  const profile = h("form", { id: "profile-form", novalidate: true, onsubmit: once(async () => {
    const el = profile.elements;
    const input = { name: el.name.value, phone: el.phone.value.trim() || null, locale: el.locale.value || null,
      timeZone: el.timeZone.value || null,
      customFields: fields.map((f) => ({ key: f.key, value: el[`custom-${f.key}`].value.trim() || null })) };
    const { data: d } = await call("ViewerUpdate", { input });
    const errors = d.viewerUpdate.userErrors;
    // A custom field's error names its index in the list sent; FIELD_REQUIRED names the field by label.
    const locate = (err) => {
      const i = (err.field || []).find((p) => /^\d+$/.test(p));
      if (i !== undefined && fields[Number(i)]) return `custom-${fields[Number(i)].key}`;
      if (err.code === "FIELD_REQUIRED") {
        const f = fields.find((x) => x.required && !el[`custom-${x.key}`].value.trim());
        return f ? `custom-${f.key}` : null;
      }
      return null;
    };
    if (showErrors(profile, errors, profileStatus, locate)) mount(profileStatus, notice(t("profile.saved"), "ok"));
  }) },
  h("h2", {}, t("profile.details")),
  h("p", { class: "hint" }, t("profile.requiredHint")),
  field(t("profile.name"), { name: "name", id: "profile-name", value: me.name, required: true, autocomplete: "name", maxlength: 200 }),
  field(t("profile.phone"), { name: "phone", id: "profile-phone", type: "tel", value: me.phone || "", autocomplete: "tel" }, t("profile.phoneHint")),
  field(t("profile.locale"), { tag: "select", name: "locale", id: "profile-locale", value: (me.locale || "").split("_")[0],
    options: [["", "—"], ...Object.entries(LOCALES)] }, t("profile.localeHint")),
  field(t("profile.timeZone"), { tag: "select", name: "timeZone", id: "profile-time-zone", value: me.timeZone || "",
    options: [["", "—"], ...zones().map((z) => [z, z])] }),
  fields.length ? h("fieldset", {}, h("legend", {}, t("profile.custom")), fields.map((f) => customInput(f, values[f.key]))) : null,
  profileStatus,
  h("button", { type: "submit" }, t("profile.save")));

  // Email change: the address changes only once the link mailed to the new one is followed.
  const emailStatus = h("div", { "aria-live": "polite" });
  const email = h("form", { id: "email-form", novalidate: true, onsubmit: once(async () => {
    const { data: d } = await call("EmailChangeRequest", { newEmail: email.elements.newEmail.value.trim(),
      password: email.elements.password.value || null });
    const p = d.emailChangeRequest;
    if (showErrors(email, p.userErrors, emailStatus)) {
      email.reset();
      mount(emailStatus, notice(t("profile.emailSent", { email: p.pendingEmail }), "ok"));
    }
  }) },
  h("h2", {}, t("profile.email")),
  h("p", {}, t("profile.emailNow", { email: me.email })),
  field(t("profile.newEmail"), { name: "newEmail", id: "new-email", type: "email", required: true, autocomplete: "email" }),
  field(t("signIn.password"), { name: "password", id: "email-password", type: "password", autocomplete: "current-password" },
    t("profile.passwordHint")),
  emailStatus,
  h("button", { type: "submit" }, t("profile.emailChange")));

  mount(main, h("h1", {}, t("profile.title")), profile, email, await addressBook(me.addresses, main), notifications(me.notificationPreferences));
}

// The address book: a table of the addresses, one form that adds or (with an id) changes one.
async function addressBook(addresses, main) {
  const status = h("div", { "aria-live": "polite" });
  const reload = async (message) => {
    const { data } = await call("Profile");
    const fresh = await addressBook(data.viewer.addresses, main);
    section.replaceWith(fresh);
    if (message) mount(fresh.querySelector("[data-address-status]"), notice(message, "ok"));
  };
  const title = h("h3", { id: "address-form-title", tabindex: "-1" }, t("address.add"));
  const form = h("form", { id: "address-form", novalidate: true, onsubmit: once(async () => {
    const el = form.elements;
    const input = { kind: el.kind.value, isDefault: el.id.value ? el.isDefault.checked : el.isDefault.checked || null };
    if (el.id.value) input.id = el.id.value;
    for (const k of ADDRESS_FIELDS) input[k] = el[k].value.trim() || (["line1", "city", "country"].includes(k) ? "" : null);
    input.country = input.country.toUpperCase();
    const { data } = await call("ViewerAddressSave", { input });
    if (showErrors(form, data.viewerAddressSave.userErrors, status)) await reload(t("address.saved"));
  }) },
  title,
  h("input", { type: "hidden", name: "id", value: "" }),
  field(t("address.kind"), { tag: "select", name: "kind", id: "address-kind", options: [["SHIPPING", t("address.SHIPPING")], ["BILLING", t("address.BILLING")]] }),
  field(t("address.label"), { name: "label", id: "address-label", maxlength: 100 }),
  field(t("address.recipient"), { name: "recipient", id: "address-recipient", autocomplete: "name" }),
  field(t("address.line1"), { name: "line1", id: "address-line1", required: true, autocomplete: "address-line1" }),
  field(t("address.line2"), { name: "line2", id: "address-line2", autocomplete: "address-line2" }),
  h("div", { class: "row" },
    field(t("address.postalCode"), { name: "postalCode", id: "address-postal-code", autocomplete: "postal-code", size: 10 }),
    field(t("address.city"), { name: "city", id: "address-city", required: true, autocomplete: "address-level2" })),
  h("div", { class: "row" },
    field(t("address.region"), { name: "region", id: "address-region", autocomplete: "address-level1", size: 10 }, t("address.regionHint")),
    field(t("address.country"), { name: "country", id: "address-country", required: true, autocomplete: "country", maxlength: 2, size: 4 },
      t("address.countryHint"))),
  h("div", { class: "field" }, h("label", {}, h("input", { type: "checkbox", name: "isDefault", id: "address-default" }), " ", t("address.makeDefault"))),
  h("div", { class: "row" }, h("button", { type: "submit" }, t("address.save")),
    h("button", { type: "button", class: "secondary", onclick: () => edit(null) }, t("address.new"))));

  function edit(a) {
    clearErrors(form);
    form.reset();
    form.elements.id.value = a ? a.id : "";
    if (a) {
      form.elements.kind.value = a.kind;
      for (const k of ADDRESS_FIELDS) form.elements[k].value = a[k] || "";
      form.elements.isDefault.checked = a.isDefault;
    }
    title.textContent = a ? t("address.edit", { name: describe(a) }) : t("address.add");
    title.focus();
  }

  const rows = addresses.map((a) => h("li", { class: "card" },
    h("h3", {}, a.label || t(`address.${a.kind}`)),
    h("p", {}, t(`address.${a.kind}`), a.isDefault ? ` · ${t("address.default")}` : ""),
    h("address", {}, [a.recipient, a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(" "), a.region, a.country]
      .filter(Boolean).map((line) => [line, h("br", {})])),
    h("div", { class: "row" },
      h("button", { type: "button", class: "secondary", onclick: () => edit(a) }, t("address.editButton", { name: describe(a) })),
      h("button", { type: "button", class: "danger", onclick: async () => {
        const { data } = await call("ViewerAddressDelete", { id: a.id });
        const errors = data.viewerAddressDelete.userErrors;
        if (errors.length) return mount(status, notice(errors[0].message, "error"));
        await reload(t("address.deleted"));
      } }, t("address.delete", { name: describe(a) })))));

  const section = h("section", { "aria-labelledby": "addresses-title" },
    h("h2", { id: "addresses-title" }, t("address.title")),
    h("div", { "aria-live": "polite", dataset: { addressStatus: "1" } }),
    rows.length ? h("ul", { class: "cards" }, rows) : h("p", {}, t("address.none")),
    status, form);
  return section;
}

const describe = (a) => a.label || `${a.line1}, ${a.city}`;

// One checkbox per category; MARKETING is off unless the person turned it on (the API's default).
function notifications(prefs) {
  const enabled = Object.fromEntries(prefs.map((p) => [p.category, p.enabled]));
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { id: "notifications-form", onsubmit: once(async () => {
    const preferences = CATEGORIES.map((c) => ({ category: c, enabled: form.elements[`notify-${c}`].checked }));
    const { data } = await call("NotificationPreferencesUpdate", { preferences });
    const errors = data.notificationPreferencesUpdate.userErrors;
    mount(status, errors.length ? notice(errors[0].message, "error") : notice(t("notify.saved"), "ok"));
  }) },
  h("h2", { id: "notifications" }, t("notify.title")),
  h("fieldset", {}, h("legend", {}, t("notify.legend")),
    h("ul", { class: "checks" }, CATEGORIES.map((c) => h("li", {}, h("label", {},
      h("input", { type: "checkbox", name: `notify-${c}`, id: `notify-${c}`, checked: enabled[c] ?? c !== "MARKETING" }),
      t(`notify.${c}`))))),
    h("p", { class: "hint" }, t("notify.essential"))),
  status,
  h("button", { type: "submit" }, t("notify.save")));
  return form;
}
