// The person's security: set up two-factor sign-in (QR code for the authenticator app, then a
// code to confirm, then the recovery codes shown once), and the signed-in sessions to end.
import { call } from "../lib/api.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { date, t } from "../lib/i18n.js";

export async function render(main) {
  const status = h("div", { "aria-live": "polite" });
  const twoFactor = h("section", { "aria-labelledby": "tf-title" });
  const sessions = h("section", { "aria-labelledby": "sessions-title" });

  async function load() {
    const { data } = await call("Security");
    const viewer = data.viewer;
    mount(twoFactor, h("h2", { id: "tf-title" }, t("security.twoFactor")),
      viewer.twoFactorEnabled ? h("p", {}, t("security.on"))
        : [h("p", {}, t("security.off")), h("button", { type: "button", onclick: enrol }, t("security.setUp"))]);
    mount(sessions, h("h2", { id: "sessions-title" }, t("security.sessions")),
      table(t("security.sessions"), [t("security.device"), t("security.method"), t("security.lastSeen"), t("security.expires"), ""],
        viewer.sessions.map((s) => [s.device + (s.current ? ` (${t("security.current")})` : ""), s.method, date(s.lastSeenAt), date(s.expiresAt),
          s.current ? "" : h("button", { type: "button", class: "secondary", onclick: async () => {
            const { data: d } = await call("SessionRevoke", { id: s.id });
            const e = d.sessionRevoke.userErrors[0];
            mount(status, notice(e ? e.message : t("security.ended"), e ? "error" : "ok"));
            await load();
          } }, t("security.end"))])));
  }

  async function enrol() {
    const { data } = await call("TwoFactorEnroll");
    const payload = data.twoFactorEnroll;
    if (payload.userErrors.length) return mount(status, notice(payload.userErrors[0].message, "error"));
    const { secret, qrCodeSvg } = payload.enrollment;
    const form = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const { data: d } = await call("TwoFactorConfirm", { code: form.elements.code.value.trim() });
      const confirmed = d.twoFactorConfirm;
      if (confirmed.userErrors.length) return mount(status, notice(confirmed.userErrors[0].message, "error"));
      mount(twoFactor, h("h2", { id: "tf-title", tabindex: "-1" }, t("security.twoFactor")), notice(t("security.on"), "ok"),
        h("p", {}, t("security.recovery")), h("ul", { class: "codes" }, confirmed.recoveryCodes.map((c) => h("li", {}, h("code", {}, c)))));
      twoFactor.querySelector("h2").focus();
    } },
    h("img", { src: qrCodeSvg.startsWith("data:image/svg+xml") ? qrCodeSvg : "", alt: t("security.qr"), width: 200, height: 200 }),
    h("p", {}, t("security.secret"), " ", h("code", { "data-secret": secret }, secret)),
    field(t("security.code"), { name: "code", id: "totp-code", autocomplete: "one-time-code", inputmode: "numeric", required: true }),
    h("button", { type: "submit" }, t("security.confirm")));
    mount(twoFactor, h("h2", { id: "tf-title" }, t("security.twoFactor")), form);
    form.elements.code.focus();
  }

  mount(main, h("h1", {}, t("nav.security")), status, twoFactor, sessions);
  await load();
}
