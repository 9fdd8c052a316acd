// One order: its lines, its shipments with tracking, and "order again" with the price changes.
import { call } from "../lib/api.js";
import { can } from "../lib/access.js";
import { h, mount, notice, table } from "../lib/dom.js";
import { date, money, number, t } from "../lib/i18n.js";

export async function render(main, { params, query }) {
  const { data } = await call("Order", { id: params.id });
  const order = data.node;
  if (!order) return mount(main, h("h1", {}, t("app.notFound")), h("p", {}, h("a", { href: "#/orders" }, t("orders.back"))));
  const status = h("div", { "aria-live": "polite" });
  const reorder = can("Mutation.orderReorder", { locationId: order.location.id }) ? h("button", { type: "button", onclick: async () => {
    const { data: d } = await call("OrderReorder", { orderId: order.id });
    const payload = d.orderReorder;
    if (payload.userErrors.length) return mount(status, notice(payload.userErrors[0].message, "error"));
    mount(status, notice(t("orders.reordered"), "ok"),
      payload.repricedLines.length ? h("section", {}, h("h2", {}, t("orders.repriced")), h("ul", {}, payload.repricedLines.map((l) =>
        h("li", {}, `${l.sku} ${l.title}: `, t("orders.was", { before: money(l.previousUnitPrice), after: money(l.unitPrice) }))))) : null,
      payload.unavailableLines.length ? h("section", {}, h("h2", {}, t("orders.unavailable")), h("ul", {}, payload.unavailableLines.map((l) =>
        h("li", {}, `${l.sku} ${l.title}: ${l.message}`)))) : null,
      h("p", {}, h("a", { href: "#/cart" }, t("nav.cart"))));
  } }, t("orders.reorder")) : null;
  const shipments = order.fulfilments.length ? h("ul", { class: "cards" }, order.fulfilments.map((f) => h("li", { class: "card" },
    h("h3", {}, `${f.carrier || ""} ${f.trackingNumber || ""}`.trim() || t(`status.${order.status}`)),
    h("p", {}, f.status, f.shippedAt ? ` · ${date(f.shippedAt)}` : "",
      f.estimatedDeliveryAt && !f.deliveredAt ? ` → ${date(f.estimatedDeliveryAt)}` : "", f.deliveredAt ? ` ✓ ${date(f.deliveredAt)}` : ""),
    f.trackingUrl ? h("p", {}, h("a", { href: f.trackingUrl, rel: "noopener noreferrer", target: "_blank" },
      t("orders.trackingLink", { number: f.trackingNumber || "", carrier: f.carrier || "" }))) : null,
    f.events.length ? h("ol", {}, f.events.map((e) => h("li", {}, `${date(e.occurredAt)} ${e.status}${e.location ? `, ${e.location}` : ""}`))) : null)))
    : h("p", {}, t("orders.noShipments"));
  mount(main, h("p", {}, h("a", { href: "#/orders" }, t("orders.back"))),
    h("h1", {}, `${t("orders.number")} ${order.number}`),
    query.get("placed") ? notice(t("cart.placed", { number: order.number, status: t(`status.${order.status}`) }), "ok") : null,
    h("dl", { class: "facts" },
      h("dt", {}, t("orders.status")), h("dd", {}, t(`status.${order.status}`)),
      h("dt", {}, t("orders.placed")), h("dd", {}, date(order.placedAt)),
      h("dt", {}, t("orders.po")), h("dd", {}, order.poNumber || "—"),
      h("dt", {}, t("orders.total")), h("dd", {}, money(order.total) || "—")),
    reorder, status,
    table(t("orders.lines"), [t("catalog.sku"), t("catalog.product"), t("cart.qty"), t("cart.unitPrice"), t("cart.total")],
      order.lines.map((l) => [l.sku, l.title, number(l.quantity), money(l.unitPrice), money(l.total)])),
    h("h2", {}, t("orders.tracking")), shipments);
}
