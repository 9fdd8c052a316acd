// Order history with a status filter.
import { call } from "../lib/api.js";
import { field, h, mount, table } from "../lib/dom.js";
import { date, money, number, t } from "../lib/i18n.js";

const STATUSES = ["PENDING_APPROVAL", "OPEN", "PARTIALLY_FULFILLED", "FULFILLED", "CANCELLED", "REJECTED"];

export async function render(main, { query, go }) {
  const wanted = query.get("status");
  const { data } = await call("Orders", { status: wanted ? [wanted] : null });
  const orders = data.viewer.orders;
  const filter = h("form", { class: "row", onsubmit: (e) => {
    e.preventDefault();
    const value = filter.elements.status.value;
    go(value ? `#/orders?status=${value}` : "#/orders");
  } }, field(t("orders.filter"), { tag: "select", name: "status", value: wanted || "",
    options: [["", t("orders.all")], ...STATUSES.map((s) => [s, t(`status.${s}`)])] }),
  h("button", { type: "submit" }, t("invoices.apply")));
  const rows = orders.nodes.map((o) => [
    h("a", { href: `#/orders/${encodeURIComponent(o.id)}`, "aria-label": t("orders.open", { number: o.number }) }, o.number),
    date(o.placedAt), t(`status.${o.status}`), o.poNumber || "", o.location.name, money(o.total)]);
  mount(main, h("h1", {}, t("orders.title")), filter,
    table(`${t("orders.title")} (${number(orders.totalCount)})`,
      [t("orders.number"), t("orders.placed"), t("orders.status"), t("orders.po"), t("catalog.location"), t("orders.total")], rows));
}
