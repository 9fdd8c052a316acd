// Subscriptions, with the actions the merchant's portal offers (portalConfiguration.actions) and
// the caller's role allows at the subscription's location. Every action shows its preview (when
// it takes effect, what it charges) before it is confirmed; cancelling asks why and offers a pause.
import { call } from "../lib/api.js";
import { can } from "../lib/access.js";
import { field, h, mount, notice, table } from "../lib/dom.js";
import { date, money, number, t } from "../lib/i18n.js";

const REASONS = ["TOO_EXPENSIVE", "MISSING_FEATURES", "SWITCHED_SERVICE", "UNUSED", "CUSTOMER_SERVICE", "TOO_COMPLEX", "LOW_QUALITY", "OTHER"];
const LIVE = new Set(["ACTIVE", "TRIALING", "PAST_DUE"]);

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
    if (kind === "cadenceChoose") return chooseCadence(s);
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
      mount(status, payload.userErrors.length ? notice(payload.userErrors[0].message, "error") : notice(t("subs.done"), "ok"));
      await load();
    };
    if (kind === "cancel") {
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
      if (a.includes("CANCEL") && !s.cancelAtPeriodEnd && allowed(s, "Mutation.subscriptionCancel")
        && (!config.cancelByAdminOnly || can("Mutation.subscriptionCancel", { accountId: s.account.id, accountWide: true }))) offered.push("cancel");
    }
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
        h("ul", {}, s.items.map((i) => h("li", {}, `${number(i.quantity)} × ${i.variant ? `${i.variant.product.title} (${i.variant.sku})` : ""}`))),
        s.location ? s.location.name : s.account.name,
        `${money(s.total)} / ${cadenceText(s.interval, s.intervalCount)}`,
        s.nextBillingAt ? date(s.nextBillingAt) : t("subs.none"), actions(s)])));
  }

  mount(main, h("h1", {}, t("subs.title")), status, panel, list);
  await load();
}
