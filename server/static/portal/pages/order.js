// One order: its lines, its shipments with tracking, and "order again" with the price changes.
import { call, download, upload } from "../lib/api.js";
import { can } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { once } from "../lib/forms.js";
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
  const returnable = order.lines.filter((l) => l.fulfilledQuantity - l.returnedQuantity > 0);
  const returns = returnable.length && can("Mutation.returnRequest", { locationId: order.location.id }) ? returnForm(order, returnable, status) : null;
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
    h("h2", {}, t("orders.tracking")), shipments,
    await purchaseOrderFiles(order),
    order.returns.length ? [h("h2", {}, t("returns.title")), h("ul", {}, order.returns.map((r) => h("li", {}, `${r.number}: ${r.status}`)))] : null,
    returns);
}

const REASONS = ["DAMAGED", "DEFECTIVE", "WRONG_ITEM", "NOT_AS_DESCRIBED", "ORDERED_BY_MISTAKE", "NO_LONGER_NEEDED", "OTHER"];

// Sending back delivered lines: how many of each, why, and photos of the damage.
function returnForm(order, lines, status) {
  const form = h("form", { onsubmit: once(async () => {
    const chosen = lines.map((l) => ({ orderLineId: l.id, quantity: Number(form.elements[`return-${l.id}`].value || 0) }))
      .filter((l) => l.quantity > 0);
    const photos = [...form.elements.photos.files];
    const { data } = await upload("ReturnRequest", { orderId: order.id, lines: chosen, reason: form.elements.reason.value,
      reasonText: form.elements.reasonText.value.trim() || null }, "photos", photos);
    const payload = data.returnRequest;
    mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error")
      : notice(t("returns.requested", { number: payload.return.number, photos: payload.return.photos.length }), "ok"));
    status.scrollIntoView();
  }) },
  h("h2", {}, t("returns.title")),
  lines.map((l) => field(t("returns.quantity", { sku: l.sku, max: l.fulfilledQuantity - l.returnedQuantity }),
    { type: "number", name: `return-${l.id}`, id: `return-${l.id}`, min: 0, max: l.fulfilledQuantity - l.returnedQuantity, value: 0 })),
  field(t("returns.reason"), { tag: "select", name: "reason", id: "return-reason", options: REASONS.map((r) => [r, t(`returnReason.${r}`)]) }),
  field(t("returns.reasonText"), { tag: "textarea", name: "reasonText", id: "return-reason-text", maxlength: 1000 }),
  field(t("returns.photos"), { type: "file", name: "photos", id: "return-photos", multiple: true, accept: "image/jpeg,image/png,image/gif,image/webp" },
    t("returns.photosHint")),
  h("button", { type: "submit" }, t("returns.submit")));
  return form;
}

// The purchase-order files of the order (whoever sees the order sees them), downloaded with the
// bearer token; ADMIN and BUYER of the location attach one (PDF, DOCX, XLSX or a scan).
async function purchaseOrderFiles(order) {
  const { data } = await call("PurchaseOrderFiles", { orderId: order.id });
  const status = h("div", { "aria-live": "polite" });
  const files = data.purchaseOrderFiles;
  const form = can("Mutation.purchaseOrderFileAdd", { locationId: order.location.id }) ? h("form", { id: "po-file-form", onsubmit: once(async () => {
    const chosen = form.elements.file.files[0];
    if (!chosen) return;
    const { data: d } = await upload("PurchaseOrderFileAdd", { orderId: order.id }, "file", chosen);
    const p = d.purchaseOrderFileAdd;
    if (p.userErrors.length) return mount(status, notice(p.userErrors[0].message, "error"));
    section.replaceWith(await purchaseOrderFiles(order));
    document.getElementById("po-files-status").append(notice(t("poFiles.added", { name: p.orderFile.filename }), "ok"));
  }) },
  field(t("poFiles.file"), { type: "file", name: "file", id: "po-file", required: true }, t("poFiles.hint")),
  h("button", { type: "submit" }, t("poFiles.add"))) : null;
  const section = h("section", { "aria-labelledby": "po-files-title" },
    h("h2", { id: "po-files-title" }, t("poFiles.title")),
    files.length ? h("ul", {}, files.map((f) => h("li", {}, h("button", { type: "button", class: "secondary",
      onclick: () => download(f.url, f.filename).catch((e) => mount(status, notice(e.message, "error"))) },
    t("docs.download", { name: f.filename }))))) : h("p", {}, t("poFiles.none")),
    h("div", { id: "po-files-status", "aria-live": "polite" }), status, form);
  return section;
}
