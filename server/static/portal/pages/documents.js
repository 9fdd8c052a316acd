// Documents and downloads: the documents the merchant shared with the person's roles (fetched with
// the bearer token, as invoice PDFs are), digital purchases with their signed links (valid 15
// minutes, no token needed) and the license keys the API shows to this person (others see only
// the last characters: `key` is null for them).
import { call, download } from "../lib/api.js";
import { h, mount, notice, table } from "../lib/dom.js";
import { date, number, t } from "../lib/i18n.js";

export const size = (bytes) => t("docs.kb", { size: number(Math.max(1, Math.ceil(bytes / 1024))) });

export async function render(main) {
  const { data } = await call("Documents");
  const status = h("div", { "aria-live": "polite" });
  const docs = data.sharedDocuments;
  const purchases = data.digitalPurchases;
  const keys = data.licenseKeys;

  const shared = docs.nodes.length ? table(`${t("docs.shared")} (${number(docs.totalCount)})`,
    [t("docs.document"), t("docs.size"), t("docs.date"), ""],
    docs.nodes.map((d) => [d.title, size(d.sizeBytes), date(d.createdAt),
      h("button", { type: "button", class: "secondary", onclick: () => download(d.url, d.filename)
        .catch((e) => mount(status, notice(e.message, "error"))) }, t("docs.download", { name: d.title }))]))
    : h("p", {}, t("docs.noShared"));

  const digital = purchases.nodes.length ? table(`${t("docs.digital")} (${number(purchases.totalCount)})`,
    [t("orders.number"), t("docs.files"), t("docs.downloads"), t("docs.date")],
    purchases.nodes.map((p) => [h("a", { href: `#/orders/${encodeURIComponent(p.order.id)}` }, p.order.number),
      h("ul", {}, p.files.map((f) => h("li", {}, h("a", { href: f.url, download: f.file.filename, rel: "noopener" },
        t("docs.downloadFile", { name: f.file.filename, size: size(f.file.sizeBytes) }))))),
      p.downloadLimit ? t("docs.downloadsOf", { count: number(p.downloads), limit: number(p.downloadLimit) }) : number(p.downloads),
      date(p.createdAt)]))
    : h("p", {}, t("docs.noDigital"));

  const licenses = keys.nodes.length ? table(`${t("docs.licenses")} (${number(keys.totalCount)})`,
    [t("docs.key"), t("orders.status"), t("docs.activations"), t("docs.expires")],
    keys.nodes.map((k) => [k.key ? h("span", { class: "license-key" }, k.key)
      : h("span", {}, `•••••-${k.suffix}`, h("span", { class: "muted" }, ` (${t("docs.keyHidden")})`)),
    t(`license.${k.status}`), `${number(k.activations)} / ${number(k.maxActivations)}`, k.expiresAt ? date(k.expiresAt) : "—"]))
    : h("p", {}, t("docs.noLicenses"));

  mount(main, h("h1", {}, t("docs.title")), status,
    h("section", { "aria-labelledby": "shared-title" }, h("h2", { id: "shared-title" }, t("docs.shared")), shared),
    h("section", { "aria-labelledby": "digital-title" }, h("h2", { id: "digital-title" }, t("docs.digital")),
      h("p", { class: "hint" }, t("docs.linkHint")), digital),
    h("section", { "aria-labelledby": "licenses-title" }, h("h2", { id: "licenses-title" }, t("docs.licenses")), licenses));
}
