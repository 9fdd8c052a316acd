// One support ticket: its messages (never staff's internal notes: the API leaves them out), their
// files downloaded with the bearer token, answering with files, closing.
import { call, download, upload } from "../lib/api.js";
import { can } from "../lib/access.js";
import { field, h, mount, notice } from "../lib/dom.js";
import { once, showErrors } from "../lib/forms.js";
import { date, number, t } from "../lib/i18n.js";

export async function render(main, { params, query, go }) {
  const { data } = await call("SupportTicket", { id: params.id });
  const ticket = data.node;
  const back = h("p", {}, h("a", { href: "#/support" }, t("support.back")));
  if (!ticket || !ticket.number) return mount(main, back, h("h1", {}, t("app.notFound")));
  const status = h("div", { "aria-live": "polite" });
  const again = (message) => go(`#/support/${encodeURIComponent(ticket.id)}?${message}=1`);

  const messages = h("ol", { class: "messages", "aria-label": t("support.messages") }, ticket.messages.map((m) =>
    h("li", { class: m.author === "STAFF" ? "staff" : "customer" },
      h("p", { class: "muted" }, `${m.authorPerson ? m.authorPerson.name : t(`author.${m.author}`)} · ${date(m.createdAt)}`),
      h("p", {}, m.body.split("\n").map((line, i) => [i ? h("br", {}) : null, line])),
      m.attachments.length ? h("ul", {}, m.attachments.map((a) => h("li", {}, h("button", { type: "button", class: "secondary",
        onclick: () => download(a.url, a.filename).catch((e) => mount(status, notice(e.message, "error"))) },
      t("support.download", { name: a.filename, size: number(Math.ceil(a.sizeBytes / 1024)) }))))) : null)));

  const open = ticket.status !== "CLOSED";
  const reply = open && can("Mutation.supportTicketReply") ? h("form", { id: "reply-form", novalidate: true, onsubmit: once(async () => {
    const variables = { ticketId: ticket.id, body: reply.elements.body.value.trim() };
    const files = [...reply.elements.attachments.files];
    const { data: d } = files.length ? await upload("SupportTicketReply", variables, "attachments", files)
      : await call("SupportTicketReply", variables);
    if (showErrors(reply, d.supportTicketReply.userErrors, status)) again("answered");
  }) },
  h("h2", {}, t("support.reply")),
  field(t("support.body"), { tag: "textarea", name: "body", id: "reply-body", required: true, maxlength: 10000 }),
  field(t("support.attachments"), { type: "file", name: "attachments", id: "reply-attachments", multiple: true }, t("support.filesHint")),
  h("button", { type: "submit" }, t("support.send"))) : null;

  const close = open && can("Mutation.supportTicketClose") ? h("button", { type: "button", class: "danger", onclick: async () => {
    const { data: d } = await call("SupportTicketClose", { ticketId: ticket.id });
    const errors = d.supportTicketClose.userErrors;
    if (errors.length) return mount(status, notice(errors[0].message, "error"));
    again("closed");
  } }, t("support.close", { number: ticket.number })) : null;

  // ADMIN hands the ticket to the account team, once, with a reason (it becomes URGENT).
  const escalate = open && !ticket.escalatedAt && can("Mutation.supportTicketEscalate") ? h("form", { id: "escalate-form", novalidate: true,
    onsubmit: once(async () => {
      const { data: d } = await call("SupportTicketEscalate", { ticketId: ticket.id, reason: escalate.elements.reason.value.trim() });
      if (showErrors(escalate, d.supportTicketEscalate.userErrors, status)) again("escalated");
    }) },
  h("h2", {}, t("support.escalate")),
  field(t("support.escalateReason"), { tag: "textarea", name: "reason", id: "escalate-reason", required: true, maxlength: 2000 }),
  h("button", { type: "submit", class: "secondary" }, t("support.escalateButton"))) : null;

  const done = ["opened", "answered", "closed", "escalated"].find((k) => query.get(k));
  mount(main, back, h("h1", {}, `${ticket.number}: ${ticket.subject}`),
    done ? notice(t(done === "answered" ? "support.answeredMsg" : `support.${done}`, { number: ticket.number }), "ok") : null,
    h("dl", { class: "facts" },
      h("dt", {}, t("orders.status")), h("dd", {}, t(`ticket.${ticket.status}`)),
      h("dt", {}, t("support.priority")), h("dd", {}, t(`priority.${ticket.priority}`)),
      h("dt", {}, t("support.openedBy")), h("dd", {}, ticket.openedBy ? ticket.openedBy.name : "—"),
      h("dt", {}, t("support.openedOn")), h("dd", {}, date(ticket.createdAt))),
    h("h2", {}, t("support.messages")), messages, status, reply,
    open ? null : h("p", {}, t("support.closedHint")), escalate, close ? h("p", {}, close) : null);
}
