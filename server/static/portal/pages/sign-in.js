// Sign in: password (then a two-factor code when the account has one), or an emailed link and
// code. In demo mode, the demo users to sign in as with one click.
import { call, getConfig } from "../lib/api.js";
import { field, h, mount, notice } from "../lib/dom.js";
import { locale, t } from "../lib/i18n.js";
import { signedIn } from "../app.js";

function failure(payload) {
  const e = payload.userErrors[0];
  return e ? t("signIn.failed", { message: e.message }) : null;
}

export async function render(main, { query, path }) {
  const status = h("div", { "aria-live": "polite" });
  const say = (text, kind) => mount(status, text ? notice(text, kind) : null);

  async function finish(payload) {
    const problem = failure(payload);
    if (problem) return say(problem, "error");
    if (payload.session) return signedIn(payload.session.token);
    if (payload.twoFactorChallenge) return twoFactor(payload.twoFactorChallenge.token);
  }

  function twoFactor(challenge) {
    const form = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      const { data } = await call("SignInTwoFactor", { challenge, code: form.elements.code.value.trim() });
      finish(data.signInTwoFactor);
    } }, h("h2", {}, t("signIn.twoFactor")),
    field(t("signIn.code"), { name: "code", autocomplete: "one-time-code", inputmode: "text", required: true }),
    h("button", { type: "submit" }, t("signIn.verify")));
    mount(main, h("h1", {}, t("signIn.title")), status, form);
    form.elements.code.focus();
  }

  async function passwordSignIn(email, password) {
    say(null);
    const { data } = await call("SignIn", { email, password });
    await finish(data.signIn);
  }

  // An emailed link lands here as #/sign-in/link?token=...
  if (path === "sign-in/link" && query.get("token")) {
    const { data } = await call("MagicLinkSignIn", { token: query.get("token") });
    await finish(data.magicLinkSignIn);
    if (failure(data.magicLinkSignIn)) mount(main, h("h1", {}, t("signIn.title")), status);
    return;
  }

  const passwordForm = h("form", { "aria-labelledby": "sign-in-title", onsubmit: (e) => {
    e.preventDefault();
    passwordSignIn(passwordForm.elements.email.value.trim(), passwordForm.elements.password.value);
  } },
  field(t("signIn.email"), { name: "email", type: "email", autocomplete: "username", required: true }),
  field(t("signIn.password"), { name: "password", type: "password", autocomplete: "current-password", required: true }),
  h("button", { type: "submit" }, t("signIn.submit")));

  const magicForm = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    const email = magicForm.elements.magicEmail.value.trim();
    const code = magicForm.elements.magicCode.value.trim();
    if (e.submitter && e.submitter.value === "use") {
      const { data } = await call("MagicLinkSignIn", { email, code });
      return finish(data.magicLinkSignIn);
    }
    const { data } = await call("MagicLinkRequest", { email, locale: locale() });
    const problem = failure(data.magicLinkRequest);
    say(problem || t("signIn.magicSent", { email }), problem ? "error" : "ok");
  } },
  h("fieldset", {}, h("legend", {}, t("signIn.magic")),
    field(t("signIn.email"), { name: "magicEmail", id: "magic-email", type: "email", autocomplete: "username", required: true }),
    h("button", { type: "submit", class: "secondary", value: "send" }, t("signIn.magicSend")),
    field(t("signIn.emailCode"), { name: "magicCode", id: "magic-code", autocomplete: "one-time-code" }),
    h("button", { type: "submit", class: "secondary", value: "use" }, t("signIn.magicUse"))));

  const config = getConfig();
  const demo = config.demo && config.demoUsers.length ? h("section", { "aria-labelledby": "demo-title" },
    h("h2", { id: "demo-title" }, t("signIn.demo")),
    h("p", {}, t("signIn.demoHint", { password: config.demoPassword })),
    h("ul", { class: "demo-users" }, config.demoUsers.map((u) => h("li", {},
      h("button", { type: "button", class: "secondary", dataset: { email: u.email },
        onclick: () => passwordSignIn(u.email, config.demoPassword) },
      h("strong", {}, t("signIn.as", { email: u.email })), h("br"), h("span", {}, u.description)))))) : null;

  mount(main, h("h1", { id: "sign-in-title" }, t("signIn.title")),
    query.get("expired") ? notice(t("app.expired"), "error") : null,
    status, passwordForm, magicForm, demo);
}
