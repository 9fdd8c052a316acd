// Support: the knowledge base search, the person's tickets (what its role sees), and opening a
// ticket: the articles matching the subject come first, with "This answered my question"
// (supportDeflect: no ticket is opened), then the ticket with the articles it was offered.
import { call, upload } from "../lib/api.js";
import { accountsFor, can } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { once, showErrors } from "../lib/forms.js";
import { date, locale, number, t } from "../lib/i18n.js";
import { richText } from "../lib/richtext.js";

const PRIORITIES = ["LOW", "NORMAL", "HIGH", "URGENT"];

export function article(a, extra = null) {
  return h("article", { class: "article", "aria-labelledby": `article-${a.id}` },
    h("h3", { id: `article-${a.id}` }, a.title), richText(a.bodyHtml), extra);
}

export async function render(main, { query, go }) {
  const { data } = await call("SupportTickets");
  const tickets = data.supportTickets;

  // Knowledge base: searched in the page's language; the query stays in the address.
  const results = h("div", { "aria-live": "polite" });
  const search = h("form", { class: "row", role: "search", onsubmit: (e) => {
    e.preventDefault();
    const q = search.elements.q.value.trim();
    go(`#/support${q ? `?q=${encodeURIComponent(q)}` : ""}`);
  } },
  field(t("support.search"), { type: "search", name: "q", id: "kb-query", value: query.get("q") || "", maxlength: 200 }),
  h("button", { type: "submit" }, t("support.searchButton")));
  if (query.get("q")) {
    const { data: k } = await call("KbSearch", { query: query.get("q"), locale: locale() });
    mount(results, k.kbSearch.length ? [h("h3", { class: "sr-only" }, t("support.results")), k.kbSearch.map((a) => article(a))]
      : h("p", {}, t("support.noArticles")));
  }

  const list = tickets.nodes.length ? table(`${t("support.tickets")} (${number(tickets.totalCount)})`,
    [t("support.ticket"), t("support.subject"), t("orders.status"), t("support.priority"), t("support.updated")],
    tickets.nodes.map((x) => [h("a", { href: `#/support/${encodeURIComponent(x.id)}` }, x.number), x.subject,
      t(`ticket.${x.status}`), t(`priority.${x.priority}`), date(x.updatedAt)]))
    : h("p", {}, t("support.noTickets"));

  mount(main, h("h1", {}, t("support.title")),
    query.get("deflected") ? notice(t("support.deflected"), "ok") : null,
    h("section", { "aria-labelledby": "kb-title" }, h("h2", { id: "kb-title" }, t("support.kb")), search, results),
    h("section", { "aria-labelledby": "tickets-title" }, h("h2", { id: "tickets-title" }, t("support.tickets")), list),
    openForm(data.viewer.locations, go));
}

// Where a ticket may belong: the locations the person may open one for, and (ADMIN) whole accounts.
function places(locations) {
  const at = locations.filter((l) => can("Mutation.supportTicketCreate", { accountId: l.account.id, locationId: l.id }));
  const accounts = accountsFor("Mutation.supportTicketCreate");
  return [...accounts.map((a) => [`A:${a.id}`, t("support.wholeAccount", { account: a.name })]),
    ...at.map((l) => [`L:${l.id}`, `${l.name} (${l.account.name})`])];
}

function openForm(locations, go) {
  if (!can("Mutation.supportTicketCreate")) return null;
  const where = places(locations);
  const status = h("div", { "aria-live": "polite" });
  const offers = h("div");
  let offered = null;  // the subject the articles were looked up for, and their IDs

  async function create() {
    const el = form.elements;
    const [kind, id] = el.place.value.split(":");
    const variables = { subject: el.subject.value.trim(), body: el.body.value.trim(), priority: el.priority.value,
      locationId: kind === "L" ? id : null, accountId: kind === "A" ? id : null, offeredArticleIds: offered ? offered.ids : [] };
    const files = [...el.attachments.files];
    const { data } = files.length ? await upload("SupportTicketCreate", variables, "attachments", files)
      : await call("SupportTicketCreate", variables);
    const p = data.supportTicketCreate;
    if (!showErrors(form, p.userErrors, status)) return;
    go(`#/support/${encodeURIComponent(p.ticket.id)}?opened=1`);
  }

  const form = h("form", { id: "ticket-form", novalidate: true, onsubmit: once(async () => {
    const subject = form.elements.subject.value.trim();
    if (offered && offered.subject === subject) return create();  // seen the articles: open it
    const { data } = subject ? await call("SupportArticlesFor", { subject, locale: locale() }) : { data: { supportArticlesFor: [] } };
    const found = data.supportArticlesFor;
    offered = { subject, ids: found.map((a) => a.id) };
    if (!found.length || !subject) return create();
    const heading = h("h3", { id: "offers-title", tabindex: "-1" }, t("support.maybe"));
    mount(offers, h("section", { "aria-labelledby": "offers-title" }, heading,
      found.map((a) => article(a, h("button", { type: "button", class: "secondary", onclick: async () => {
        const { data: d } = await call("SupportDeflect", { articleId: a.id, subject });
        const errors = d.supportDeflect.userErrors;
        if (errors.length) return mount(status, notice(errors[0].message, "error"));
        go("#/support?deflected=1");
      } }, t("support.answered", { title: a.title }))))),
    h("p", {}, t("support.stillOpen")));
    submit.textContent = t("support.openAnyway");
    heading.focus();
  }) },
  h("h2", { id: "open-title" }, t("support.open")),
  field(t("support.subject"), { name: "subject", id: "ticket-subject", required: true, maxlength: 200,
    oninput: () => { offered = null; mount(offers); submit.textContent = t("support.next"); } }),
  field(t("support.body"), { tag: "textarea", name: "body", id: "ticket-body", required: true, maxlength: 10000 }),
  h("div", { class: "row" },
    where.length > 1 ? field(t("support.place"), { tag: "select", name: "place", id: "ticket-place", options: where })
      : h("input", { type: "hidden", name: "place", value: where[0] ? where[0][0] : "" }),
    field(t("support.priority"), { tag: "select", name: "priority", id: "ticket-priority", value: "NORMAL",
      options: PRIORITIES.map((p) => [p, t(`priority.${p}`)]) })),
  field(t("support.attachments"), { type: "file", name: "attachments", id: "ticket-attachments", multiple: true }, t("support.filesHint")),
  offers, status);
  const submit = h("button", { type: "submit" }, t("support.next"));
  form.append(submit);
  return form;
}
