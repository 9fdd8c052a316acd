// The overview: who is signed in, with which roles where.
import { h, mount } from "../lib/dom.js";
import { money, t } from "../lib/i18n.js";

export async function render(main, { viewer }) {
  const cards = viewer.memberships.map((m) => h("li", { class: "card" },
    h("h2", {}, m.account.name),
    h("ul", {}, m.roles.map((g) => h("li", {}, g.role, " ",
      g.accountWide ? t("home.accountWide") : t("home.at", { location: g.location ? g.location.name : "" })))),
    m.spendingLimit ? h("p", {}, t("home.spendingLimit", { amount: money(m.spendingLimit) })) : null));
  mount(main, h("h1", {}, t("home.title", { name: viewer.name })),
    h("h2", {}, t("home.memberships")), h("ul", { class: "cards" }, cards));
}
