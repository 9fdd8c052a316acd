// Where the email-change links land: confirming the new address (mailed to it) or undoing the
// change (mailed to the old one). Nothing happens on opening the link (mail scanners open links):
// the person presses the button. Undoing signs every session out.
import { call, setToken, token } from "../lib/api.js";
import { h, mount, notice } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

export async function render(main, { query, path }) {
  const undo = path === "undo-email-change";
  const status = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button", onclick: async () => {
    button.disabled = true;
    const { data } = await call(undo ? "EmailChangeUndo" : "EmailChangeConfirm", { token: query.get("token") || "" });
    const p = undo ? data.emailChangeUndo : data.emailChangeConfirm;
    if (p.userErrors.length) {
      button.disabled = false;
      return mount(status, notice(p.userErrors[0].message, "error"));
    }
    if (undo && token()) setToken(null);  // every session, this one too, was signed out
    mount(status, notice(undo ? t("emailChange.undone") : t("emailChange.confirmed", { email: p.email }), "ok"),
      h("p", {}, h("a", { href: undo || !token() ? "#/sign-in" : "#/profile" }, undo || !token() ? t("signIn.title") : t("nav.profile"))));
    button.remove();
  } }, undo ? t("emailChange.undo") : t("emailChange.confirm"));
  mount(main, h("h1", {}, undo ? t("emailChange.undoTitle") : t("emailChange.confirmTitle")),
    h("p", {}, undo ? t("emailChange.undoText") : t("emailChange.confirmText")), button, status);
}
