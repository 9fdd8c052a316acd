// Subscriptions, with the actions the merchant's portal offers (portalConfiguration.actions) and
// the caller's role allows at the subscription's location. Every action shows its preview (when
// it takes effect, what it charges) before it is confirmed; cancelling shows the merchant's
// retention offer first (accepted or declined), then asks why.
import { call } from "../lib/api.js";
import { can } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { date, money, number, t } from "../lib/i18n.js";
import { fieldErrors } from "../lib/errors.js";

const REASONS = ["TOO_EXPENSIVE", "MISSING_FEATURES", "SWITCHED_SERVICE", "UNUSED", "CUSTOMER_SERVICE", "TOO_COMPLEX", "LOW_QUALITY", "OTHER"];
const LIVE = new Set(["ACTIVE", "TRIALING", "PAST_DUE"]);
const CHANGEABLE = new Set(["ACTIVE", "TRIALING"]);

export function cadenceText(interval, count) {
  return count === 1 ? t("subs.cadence1", { unit: t(`unit1.${interval}`) })
    : t("subs.cadence", { count: number(count), unit: t(`unit.${interval}`) });
}

export async function render(main) {
  const status = h("div", { "aria-live": "polite" });
  const panel = h("div", { "aria-live": "polite" });
  const list = h("div");
  let config;

  const allowed = (s, mutation) => can(mutation, { accountId: s.account.id, locationId: s.location && s.location.id });

  function previewText(p) {
    if (!p) return null;
    if (p.userErrors.length) return notice(p.userErrors[0].message, "error");
    const s = p.schedule;
    return notice(t("subs.previewText", { effective: date(s.effectiveAt), next: s.nextBillingAt ? date(s.nextBillingAt) : t("subs.none") })
      + (s.noCharge ? ` ${t("subs.noCharge")}` : ""));
  }

  // A new cadence: chosen first, then previewed like every other action.
  function chooseCadence(s) {
    const title = h("h2", { id: "action-title", tabindex: "-1" }, `${t("subs.cadenceChange")}: ${s.number}`);
    const form = h("form", { class: "row", onsubmit: (e) => {
      e.preventDefault();
      act(s, "cadence", { interval: form.elements.interval.value, intervalCount: Number(form.elements.count.value) });
    } },
    field(t("subs.every"), { type: "number", name: "count", id: "cadence-count", min: 1, max: 52, value: s.intervalCount, required: true }),
    field(t("subs.unit"), { tag: "select", name: "interval", id: "cadence-interval", value: s.interval,
      options: ["DAY", "WEEK", "MONTH", "YEAR"].map((u) => [u, t(`unit.${u}`)]) }),
    h("button", { type: "submit" }, t("subs.preview")));
    mount(panel, title, form);
    title.focus();
  }

  async function act(s, kind, cadence = { interval: s.interval, intervalCount: s.intervalCount }) {
    mount(status);  // the last action's outcome goes when the next one starts
    if (kind === "cadenceChoose") return chooseCadence(s);
    if (MORE.has(kind)) return more[kind](s);
    const vars = { id: s.id, pause: kind === "pause", skip: kind === "skip", cancel: kind === "cancel",
      cadence: kind === "cadence", ...cadence };
    const { data } = kind === "resume" ? { data: { node: {} } } : await call("SubscriptionPreview", vars);
    const preview = data.node && data.node[kind === "cadence" ? "changeCadencePreview" : `${kind}Preview`];
    const title = h("h2", { id: "action-title", tabindex: "-1" },
      `${kind === "cadence" ? `${t("subs.cadenceChange")} → ${cadenceText(cadence.interval, cadence.intervalCount)}` : t(`subs.${kind}`)}: ${s.number}`);
    const confirm = async (operation, variables) => {
      const { data: d } = await call(operation, variables);
      const payload = Object.values(d)[0];
      mount(panel);
      await load();
      mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error") : notice(t("subs.done"), "ok"));
    };
    if (kind === "cancel") {
      if (!(await offerFirst(s, title))) return;
      const form = h("form", { onsubmit: (e) => {
        e.preventDefault();
        confirm("SubscriptionCancel", { id: s.id, reason: form.elements.reason.value || null,
          comment: form.elements.comment.value.trim() || null });
      } },
      previewText(preview),
      field(t("subs.reason"), { tag: "select", name: "reason", id: "cancel-reason", options: [["", "—"], ...REASONS.map((r) => [r, t(`reason.${r}`)])] }),
      field(t("subs.comment"), { tag: "textarea", name: "comment", id: "cancel-comment", maxlength: 1000 }),
      config.actions.includes("PAUSE") && allowed(s, "Mutation.subscriptionPause") ? h("p", { class: "notice" }, t("subs.retention"), " ",
        h("button", { type: "button", class: "secondary", onclick: () => act(s, "pause") }, t("subs.keep"))) : null,
      h("button", { type: "submit", class: "danger" }, t("subs.confirm")));
      mount(panel, title, form);
    } else {
      const operation = { pause: "SubscriptionPause", skip: "SubscriptionSkip", resume: "SubscriptionResume",
        cadence: "SubscriptionChangeCadence" }[kind];
      const variables = kind === "cadence" ? { id: s.id, ...cadence } : { id: s.id };
      mount(panel, title, previewText(preview),
        preview && preview.userErrors.length ? null
          : h("button", { type: "button", onclick: () => confirm(operation, variables) }, t("subs.confirm")));
    }
    title.focus();
  }

  function actions(s) {
    const offered = [];
    const a = config.actions;
    if (s.status === "PAUSED" && allowed(s, "Mutation.subscriptionResume")) offered.push("resume");
    if (LIVE.has(s.status)) {
      if (a.includes("PAUSE") && allowed(s, "Mutation.subscriptionPause")) offered.push("pause");
      if (a.includes("SKIP") && allowed(s, "Mutation.subscriptionSkip")) offered.push("skip");
      // A plan's cadence is its plan's (subscriptionChangePlan): only recurring orders change theirs.
      if (a.includes("CHANGE_CADENCE") && s.kind === "RECURRING_ORDER" && allowed(s, "Mutation.subscriptionChangeCadence")) offered.push("cadenceChoose");
      if (a.includes("CANCEL") && !s.cancelAtPeriodEnd && mayCancel(s, "Mutation.subscriptionCancel")) offered.push("cancel");
    }
    offered.push(...moreActions(s));
    if (!offered.length) return "";
    return h("div", { class: "row", role: "group", "aria-label": t("subs.actions", { number: s.number }) },
      offered.map((kind) => h("button", { type: "button", class: kind === "cancel" ? "danger" : "secondary", onclick: () => act(s, kind) }, t(`subs.${kind}`))));
  }

  async function load() {
    const { data } = await call("Subscriptions");
    config = data.portalConfiguration;
    const subs = data.viewer.subscriptions;
    mount(list, table(`${t("subs.title")} (${number(subs.totalCount)})`,
      [t("subs.number"), t("subs.status"), t("subs.items"), t("catalog.location"), t("orders.total"), t("subs.next"), ""],
      subs.nodes.map((s) => [s.number,
        t(`status.${s.status}`) + (s.cancelAtPeriodEnd ? ` (${date(s.currentPeriodEnd)})` : ""),
        h("ul", {}, s.items.map((i) => h("li", {}, `${number(i.quantity)} × ${i.variant ? `${i.variant.product.title} – ${i.variant.title} (${i.variant.sku})` : ""}`,
          i.pendingVariant || i.pendingQuantity !== null ? ` (${t("subs.pendingShort", { quantity: number(i.pendingQuantity ?? i.quantity),
            title: (i.pendingVariant || i.variant).title, date: date(s.currentPeriodEnd) })})` : ""))),
        s.location ? s.location.name : s.account.name,
        `${money(s.total)} / ${cadenceText(s.interval, s.intervalCount)}`,
        s.nextBillingAt ? date(s.nextBillingAt) : t("subs.none"), actions(s)])));
  }

  // --- portalb: the actions beyond pause/skip/cadence/cancel, each previewed then confirmed ---
  const MORE = new Set(["changeItem", "changePlan", "cancelPending", "unskip", "nextDate", "addOn", "orderNow", "reactivate"]);
  const mayCancel = (s, mutation) => allowed(s, mutation)
    && (!config.cancelByAdminOnly || can(mutation, { accountId: s.account.id, accountWide: true }));
  const pending = (s) => s.items.some((i) => i.pendingVariant || i.pendingQuantity !== null);
  const skipped = (s) => s.nextBillingAt && new Date(s.nextBillingAt) > new Date(s.currentPeriodEnd);

  function moreActions(s) {
    const a = config.actions;
    const out = [];
    // What the API changes: ACTIVE or TRIALING, not ending at the period end (CHANGEABLE in domain/subscriptions/plans.py).
    const live = CHANGEABLE.has(s.status) && !s.cancelAtPeriodEnd;
    const order = s.kind === "RECURRING_ORDER";
    if (live && order && a.includes("CHANGE_ITEM") && allowed(s, "Mutation.subscriptionChangeItem")) out.push("changeItem");
    if (live && !order && a.includes("CHANGE_PLAN") && allowed(s, "Mutation.subscriptionChangePlan")) out.push("changePlan");
    if (CHANGEABLE.has(s.status) && pending(s) && allowed(s, "Mutation.subscriptionCancelPendingChange")) out.push("cancelPending");
    if (live && skipped(s) && a.includes("SKIP") && allowed(s, "Mutation.subscriptionUnskip")) out.push("unskip");
    if (live && order && a.includes("CHANGE_DATE") && allowed(s, "Mutation.subscriptionChangeNextDate")) out.push("nextDate");
    if (live && order && a.includes("ADD_ON") && allowed(s, "Mutation.subscriptionAddOn")) out.push("addOn");
    if (live && order && a.includes("ORDER_NOW") && allowed(s, "Mutation.subscriptionOrderNow")) out.push("orderNow");
    if ((s.cancelAtPeriodEnd || s.status === "CANCELLED" || s.status === "EXPIRED") && a.includes("CANCEL")
      && mayCancel(s, "Mutation.subscriptionReactivate")) out.push("reactivate");
    return out;
  }

  const heading = (text) => h("h2", { id: "action-title", tabindex: "-1" }, text);
  const show = (...children) => { mount(status); mount(panel, ...children); panel.querySelector("h2").focus(); };
  async function confirmed(operation, variables) {
    const { data: d } = await call(operation, variables);
    const payload = Object.values(d)[0];
    if (payload.userErrors.length) return mount(status, notice(payload.userErrors[0].message, "error"));
    mount(panel);
    await load();  // the list first, so that "Done." means the list shows it
    const charged = payload.invoice ? ` ${t("subs.invoiced", { number: payload.invoice.number })}` : "";
    mount(status, notice(t("subs.done") + charged, "ok"));
  }
  const linesTable = (caption, lines) => table(caption, [t("subs.line"), t("orders.total"), t("subs.tax")],
    lines.map((l) => [l.description, money(l.amount), money(l.taxAmount)]));

  // A plan or item change: its invoice lines (proration when it applies now) and what it charges.
  function changeView(c, plan) {
    const now = c.timing === "NOW";
    return h("div", { class: "preview", id: "change-preview" },
      h("p", {}, !plan ? t("subs.itemChangeWhen") : now ? t("subs.changeNow", { date: date(c.effectiveAt) })
        : t("subs.changeLater", { date: date(c.effectiveAt) })),
      h("p", {}, t("subs.periodAmounts", { before: money(c.periodAmountBefore), after: money(c.periodAmountAfter) })),
      c.lines.length ? linesTable(t("subs.prorationLines"), c.lines) : null,
      h("p", { class: "total", id: "charged-now" }, c.noCharge ? t("subs.noChargeNow")
        : t("subs.chargedNow", { total: money(c.total), tax: money(c.tax) })));
  }

  function nextOrderView(o, addOn) {
    return h("div", { class: "preview" },
      h("p", {}, t(addOn ? "subs.addOnWhen" : "subs.orderNowWhen", { start: date(o.startsAt), end: date(o.endsAt) })),
      linesTable(t(addOn ? "subs.addOnLines" : "subs.orderNowLines"), o.lines),
      h("p", { class: "total" }, o.noCharge ? t("subs.noChargeNow") : t("subs.orderTotal", { total: money(o.total), tax: money(o.tax) })));
  }

  // Choose an item's variant and quantity (seats for a plan), preview, then confirm.
  function variantForm(s, plan) {
    const title = heading(`${t(plan ? "subs.changePlan" : "subs.changeItem")}: ${s.number}`);
    const top = h("div", { "aria-live": "polite" });
    const result = h("div", { "aria-live": "polite" });
    const items = s.items.filter((i) => i.variant);
    const itemOf = (id) => items.find((i) => i.variant.id === id) || items[0];
    const variantOptions = (item) => item.variant.product.variants.map((v) =>
      [v.id, `${v.title} (${v.sku})`]);
    const form = h("form", { onsubmit: async (e) => {
      e.preventDefault();
      mount(result); mount(top);
      const item = itemOf(form.elements.fromVariantId.value);
      const vars = { id: s.id, plan, variantId: form.elements.variantId.value, quantity: Number(form.elements.quantity.value),
        fromVariantId: items.length > 1 ? item.variant.id : null };
      const { data } = await call("SubscriptionChangePreview", vars);
      const p = data.node[plan ? "changePlanPreview" : "changeItemPreview"];
      fieldErrors(form, p.userErrors, top);
      if (p.userErrors.length) return;
      const { plan: _, ...input } = vars;
      mount(result, changeView(p.change, plan), h("button", { type: "button", id: "confirm-change",
        onclick: () => confirmed(plan ? "SubscriptionChangePlan" : "SubscriptionChangeItem",
          plan ? { ...input, prorationDate: p.change.proratesAt } : input) }, t("subs.confirm")));
    } },
    h("div", { class: "row" },
      field(t("subs.which"), { tag: "select", name: "fromVariantId", id: "change-from",
        options: items.map((i) => [i.variant.id, `${i.variant.product.title} – ${i.variant.title}`]),
        onchange: () => {
          const item = itemOf(form.elements.fromVariantId.value);
          form.elements.variantId.replaceChildren(...variantOptions(item).map(([v, text]) => h("option", { value: v, selected: v === item.variant.id }, text)));
          form.elements.quantity.value = item.quantity;
        } }),
      field(t(plan ? "subs.plan" : "subs.variant"), { tag: "select", name: "variantId", id: "change-variant",
        value: items[0].variant.id, options: variantOptions(items[0]) }),
      field(t(plan ? "subs.seats" : "cart.qty"), { type: "number", name: "quantity", id: "change-quantity", min: 1,
        value: items[0].quantity, required: true })),
    h("button", { type: "submit" }, t("subs.preview")));
    show(title, top, form, result);
  }

  const more = {
    changeItem: (s) => variantForm(s, false),
    changePlan: (s) => variantForm(s, true),
    async cancelPending(s) {
      const what = s.items.filter((i) => i.pendingVariant || i.pendingQuantity !== null).map((i) =>
        `${number(i.pendingQuantity ?? i.quantity)} × ${(i.pendingVariant || i.variant).title}`).join(", ");
      show(heading(`${t("subs.cancelPending")}: ${s.number}`),
        notice(t("subs.pendingText", { what, date: date(s.currentPeriodEnd) })),
        h("button", { type: "button", onclick: () => confirmed("SubscriptionCancelPendingChange", { id: s.id }) }, t("subs.confirm")));
    },
    async unskip(s) {
      const { data } = await call("SubscriptionSchedulePreview", { id: s.id, date: new Date().toISOString(), nextDate: false });
      const p = data.node.unskipPreview;
      show(heading(`${t("subs.unskip")}: ${s.number}`), previewText(p),
        p.userErrors.length ? null : h("button", { type: "button", onclick: () => confirmed("SubscriptionUnskip", { id: s.id }) }, t("subs.confirm")));
    },
    nextDate(s) {
      const top = h("div", { "aria-live": "polite" });
      const result = h("div", { "aria-live": "polite" });
      const form = h("form", { class: "row", onsubmit: async (e) => {
        e.preventDefault();
        mount(result); mount(top);
        const when = `${form.elements.date.value}T12:00:00Z`;
        const { data } = await call("SubscriptionSchedulePreview", { id: s.id, date: when, nextDate: true });
        const p = data.node.changeNextDatePreview;
        fieldErrors(form, p.userErrors, top);
        if (p.userErrors.length) return;
        mount(result, previewText(p), h("button", { type: "button", id: "confirm-date",
          onclick: () => confirmed("SubscriptionChangeNextDate", { id: s.id, date: when }) }, t("subs.confirm")));
      } }, field(t("subs.newDate"), { type: "date", name: "date", id: "next-date", required: true,
        value: s.nextBillingAt ? s.nextBillingAt.slice(0, 10) : "" }),
      h("button", { type: "submit" }, t("subs.preview")));
      show(heading(`${t("subs.nextDate")}: ${s.number}`), top, form, result);
    },
    async addOn(s) {
      const { data: c } = await call("Catalog", { locationId: s.location.id, search: null });
      const variants = (c.node ? c.node.catalog.nodes : []).flatMap((p) => p.variants.map((v) => [v.id, `${p.title} – ${v.title} (${v.sku})`]));
      const top = h("div", { "aria-live": "polite" });
      const result = h("div", { "aria-live": "polite" });
      const form = h("form", { onsubmit: async (e) => {
        e.preventDefault();
        mount(result); mount(top);
        const vars = { id: s.id, variantId: form.elements.variantId.value, quantity: Number(form.elements.quantity.value) };
        const { data } = await call("SubscriptionNextOrderPreview", { ...vars, addOn: true });
        const p = data.node.addOnPreview;
        fieldErrors(form, p.userErrors, top);
        if (p.userErrors.length) return;
        mount(result, nextOrderView(p.nextOrder, true), h("button", { type: "button", id: "confirm-addon",
          onclick: () => confirmed("SubscriptionAddOn", vars) }, t("subs.confirm")));
      } }, h("div", { class: "row" },
        field(t("catalog.product"), { tag: "select", name: "variantId", id: "addon-variant", options: variants }),
        field(t("cart.qty"), { type: "number", name: "quantity", id: "addon-quantity", min: 1, value: 1, required: true })),
      h("button", { type: "submit" }, t("subs.preview")));
      show(heading(`${t("subs.addOn")}: ${s.number}`), top, form, result);
    },
    async orderNow(s) {
      const { data } = await call("SubscriptionNextOrderPreview", { id: s.id, addOn: false, variantId: s.id, quantity: 1 });
      const p = data.node.orderNowPreview;
      show(heading(`${t("subs.orderNow")}: ${s.number}`),
        p.userErrors.length ? notice(p.userErrors[0].message, "error") : nextOrderView(p.nextOrder, false),
        p.userErrors.length ? null : h("button", { type: "button", onclick: () => confirmed("SubscriptionOrderNow", { id: s.id }) }, t("subs.confirm")));
    },
    // The API has no reactivation preview: the page says what it does (docs/subscriptions.md).
    reactivate(s) {
      show(heading(`${t("subs.reactivate")}: ${s.number}`),
        notice(s.cancelAtPeriodEnd && LIVE.has(s.status) ? t("subs.reactivateKeep", { date: date(s.currentPeriodEnd) }) : t("subs.reactivateNew")),
        h("button", { type: "button", onclick: () => confirmed("SubscriptionReactivate", { id: s.id }) }, t("subs.confirm")));
    },
  };

  // The merchant's retention offer, before the cancel form: accepted (it applies, nothing is
  // cancelled) or declined (on to the reasons). True when the cancel form should follow.
  function offerText(o) {
    if (o.kind === "DISCOUNT") return t("subs.offerDiscount", { percent: number(Number(o.percent)), cycles: number(o.cycles) });
    if (o.kind === "PAUSE") return t("subs.offerPause", { cycles: number(o.cycles || config.maxPauseCycles) });
    return t("subs.offerCheaper", { plan: o.variant ? `${o.variant.product.title} – ${o.variant.title}` : "", amount: money(o.periodAmount) });
  }
  async function offerFirst(s, title) {
    const { data } = await call("SubscriptionRetentionOffer", { id: s.id });
    const answer = data.node && data.node.retentionOffer;
    const offer = answer && answer.offer;
    if (!offer || offer.accepted !== null) return true;
    return new Promise((resolve) => {
      const respond = async (accept) => {
        const { data: d } = await call("SubscriptionRespondToOffer", { id: s.id, accept });
        const payload = d.subscriptionRespondToOffer;
        if (payload.userErrors.length) { mount(status, notice(payload.userErrors[0].message, "error")); return resolve(false); }
        if (accept) {
          mount(panel);
          await load();
          mount(status, notice(t("subs.offerAccepted"), "ok"));
          return resolve(false);
        }
        resolve(true);
      };
      show(title, h("section", { class: "card", id: "retention-offer", "aria-labelledby": "offer-title" },
        h("h3", { id: "offer-title" }, t("subs.offerTitle")), h("p", {}, offerText(offer)),
        h("div", { class: "row" },
          h("button", { type: "button", onclick: () => respond(true) }, t("subs.offerAccept")),
          h("button", { type: "button", class: "secondary", onclick: () => respond(false) }, t("subs.offerDecline")))));
    });
  }

  mount(main, h("h1", {}, t("subs.title")), status, panel, list);
  await load();
}
