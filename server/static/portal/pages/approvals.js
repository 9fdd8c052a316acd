// Orders waiting for the caller's approval: approve or reject each with a comment.
import { call } from "../lib/api.js";
import { field, h, mount, notice } from "../lib/dom.js";
import { date, money, t } from "../lib/i18n.js";

export async function render(main) {
  const status = h("div", { "aria-live": "polite" });
  const list = h("div");

  async function load() {
    const { data } = await call("ApprovalQueue");
    const queue = data.viewer.approvalQueue.nodes;
    if (!queue.length) return mount(list, h("p", {}, t("approvals.empty")));
    mount(list, h("ul", { class: "cards" }, queue.map((o) => {
      const comment = field(t("approvals.comment", { number: o.number }), { tag: "textarea", name: "comment", maxlength: 2000 });
      const decide = (operation, message) => async () => {
        const { data: d } = await call(operation, { orderId: o.id, comment: comment.querySelector("textarea").value.trim() || null });
        const payload = d[operation === "OrderApprove" ? "orderApprove" : "orderReject"];
        mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error")
          : notice(t(message, { number: o.number }), "ok"));
        await load();
      };
      return h("li", { class: "card" },
        h("h2", {}, h("a", { href: `#/orders/${encodeURIComponent(o.id)}` }, o.number)),
        h("p", {}, `${money(o.total)} · ${date(o.placedAt)} · ${o.location.name}`, o.placedBy ? ` · ${t("approvals.by", { name: o.placedBy.name })}` : ""),
        o.poNumber ? h("p", {}, `${t("orders.po")}: ${o.poNumber}`) : null,
        o.approvalReasons.length ? h("ul", {}, o.approvalReasons.map((r) => h("li", {}, r))) : null,
        comment,
        h("div", { class: "row" },
          h("button", { type: "button", onclick: decide("OrderApprove", "approvals.approved") }, t("approvals.approve", { number: o.number })),
          h("button", { type: "button", class: "danger", onclick: decide("OrderReject", "approvals.rejected") }, t("approvals.reject", { number: o.number }))));
    })));
  }

  mount(main, h("h1", {}, t("approvals.title")), status, list);
  await load();
}
