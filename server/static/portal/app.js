// The shell: routing (#/page), navigation by role, language, session expiry. Each page is its
// own module under pages/ with its operations in operations/<page>.graphql; to add a page, add
// one entry to PAGES.
import { call, loadConfig, rememberPlace, setToken, takePlace, token, whenExpired, getConfig } from "./lib/api.js";
import { can, setAccess, viewerMemberships } from "./lib/access.js";
import { h, mount, notice } from "./lib/dom.js";
import { LOCALES, chosenLocale, locale, setLocale, t } from "./lib/i18n.js";

const member = () => viewerMemberships().length > 0;

// path: the hash route; nav: its menu label; allowed: what the person's roles must allow.
export const PAGES = [
  { path: "sign-in", module: "./pages/sign-in.js", public: true },
  { path: "sign-in/link", module: "./pages/sign-in.js", public: true },
  { path: "", nav: "nav.home", module: "./pages/home.js", allowed: () => true },
  { path: "catalog", nav: "nav.catalog", module: "./pages/catalog.js", allowed: member },
  { path: "cart", nav: "nav.cart", module: "./pages/cart.js", allowed: () => can("Mutation.cartCreate") },
  { path: "orders", nav: "nav.orders", module: "./pages/orders.js", allowed: member },
  { path: "orders/:id", module: "./pages/order.js", allowed: member },
  { path: "lists", nav: "nav.lists", module: "./pages/lists.js", allowed: () => can("Mutation.requisitionListAddToCart") },
  { path: "quotes", nav: "nav.quotes", module: "./pages/quotes.js", allowed: () => can("Mutation.quoteRequest") },
  { path: "approvals", nav: "nav.approvals", module: "./pages/approvals.js", allowed: () => can("Mutation.orderApprove") },
  { path: "invoices", nav: "nav.invoices", module: "./pages/invoices.js",
    allowed: () => can("Account.invoices", { accountWide: true }) },
  { path: "billing", nav: "nav.billing", module: "./pages/billing.js",
    allowed: () => can("Account.paymentMethods", { accountWide: true }) },
  { path: "statement", nav: "nav.statement", module: "./pages/statement.js",
    allowed: () => can("Account.statement", { accountWide: true }) },
  { path: "subscriptions", nav: "nav.subscriptions", module: "./pages/subscriptions.js", allowed: member },
  { path: "members", nav: "nav.members", module: "./pages/members.js",
    allowed: () => can("Mutation.membershipRolesSet", { accountWide: true }) },
  { path: "audit", nav: "nav.audit", module: "./pages/audit.js", allowed: () => can("Account.oauthClients", { accountWide: true }) },
  { path: "security", nav: "nav.security", module: "./pages/security.js", allowed: () => true },
  // Self-service (portala): profile, addresses and notifications; support; documents and downloads.
  { path: "confirm-email-change", module: "./pages/email-change.js", public: true },
  { path: "undo-email-change", module: "./pages/email-change.js", public: true },
  { path: "profile", nav: "nav.profile", module: "./pages/profile.js", allowed: () => true },
  { path: "support", nav: "nav.support", module: "./pages/support.js", allowed: member },
  { path: "support/:id", module: "./pages/ticket.js", allowed: member },
  { path: "documents", nav: "nav.documents", module: "./pages/documents.js", allowed: member },
];

const state = { viewer: null };
const root = document.getElementById("app");

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function parse() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  for (const page of PAGES) {
    const names = [];
    const pattern = new RegExp("^" + page.path.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)")) + "$");
    const m = path.match(pattern);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return { page, params, query: new URLSearchParams(query) };
    }
  }
  return { page: null, params: {}, query: new URLSearchParams(query) };
}

export async function loadViewer() {
  const { data } = await call("Viewer");
  state.viewer = data.viewer;
  if (data.viewer) {
    setAccess(data.accessRules, data.viewer.memberships);
    const accountLocale = data.viewer.memberships[0] && data.viewer.memberships[0].account.locale;
    setLocale(chosenLocale() || data.viewer.locale || accountLocale || navigator.language);
  }
  return data.viewer;
}

// After signing in: back to where the person was when the session ended, else the overview.
export async function signedIn(sessionToken) {
  setToken(sessionToken);
  await loadViewer();
  go(takePlace() || "#/");
}

async function signOut() {
  try { await call("SignOut"); } catch { /* the session may have ended already */ }
  setToken(null);
  state.viewer = null;
  go("#/sign-in");
}

function languageMenu() {
  const select = h("select", { id: "language", onchange: (e) => { setLocale(e.target.value, { remember: true }); route(); } },
    Object.entries(LOCALES).map(([code, name]) => h("option", { value: code, selected: code === locale(), lang: code }, name)));
  return h("div", { class: "language" }, h("label", { for: "language" }, t("app.language")), select);
}

function shell(current) {
  const main = h("main", { id: "main", tabindex: "-1" });
  const links = state.viewer ? PAGES.filter((p) => p.nav && p.allowed()).map((p) =>
    h("li", {}, h("a", { href: `#/${p.path}`, "aria-current": current && current.path === p.path ? "page" : null }, t(p.nav)))) : [];
  const navList = h("ul", { id: "nav-list" }, links);
  const toggle = h("button", { type: "button", class: "menu-toggle", "aria-expanded": "false", "aria-controls": "nav-list",
    onclick: () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      navList.classList.toggle("open", open);
    } }, t("app.menu"));
  const skip = h("a", { class: "skip", href: "#main", onclick: (e) => { e.preventDefault(); main.focus(); } }, t("app.skip"));
  const header = h("header", { class: "top" },
    h("p", { class: "brand" }, t("app.name")),
    languageMenu(),
    state.viewer ? h("div", { class: "who" }, h("span", {}, t("app.signedInAs", { name: state.viewer.name })),
      h("button", { type: "button", class: "secondary", onclick: signOut }, t("app.signOut"))) : null);
  const nav = state.viewer ? h("nav", { "aria-label": t("app.menu") }, toggle, navList) : null;
  mount(root, skip, header, nav, main);
  return main;
}

let routing = 0;
export async function route() {
  const mine = ++routing;
  const { page, params, query } = parse();
  if (page && !page.public && !token()) {
    rememberPlace(location.hash || "#/");
    go("#/sign-in");
    return;
  }
  if (token() && !state.viewer) {
    try { await loadViewer(); } catch { return; }  // an ended session: the expiry handler took over
    if (mine !== routing) return;
  }
  document.documentElement.lang = locale();
  const main = shell(page);
  if (!page) {
    mount(main, h("h1", {}, t("app.notFound")));
  } else if (!page.public && !page.allowed()) {
    mount(main, h("h1", {}, t(page.nav || "app.name")), notice(t("app.denied"), "error"));
  } else {
    mount(main, notice(t("app.loading")));
    try {
      const module = await import(page.module);
      if (mine !== routing) return;
      await module.render(main, { params, query, viewer: state.viewer, go, path: page.path });
    } catch (e) {
      if (e.code === "UNAUTHENTICATED") return;
      mount(main, h("h1", {}, t(page.nav || "app.name")), notice(t("app.error", { message: e.message }), "error"));
    }
  }
  if (mine !== routing) return;
  const heading = main.querySelector("h1");
  document.title = `${heading ? heading.textContent + " – " : ""}${t("app.name")}`;
  main.focus({ preventScroll: true });
  main.dataset.route = location.hash || "#/";
  main.dataset.ready = "true";
}

whenExpired(() => {
  state.viewer = null;
  if (!location.hash.startsWith("#/sign-in")) rememberPlace(location.hash || "#/");
  go("#/sign-in?expired=1");
});

window.addEventListener("hashchange", route);
loadConfig().then(() => {
  setLocale(chosenLocale() || navigator.language);
  window.portalql = { call, getConfig };  // for the browser tests and the curious
  route();
});
