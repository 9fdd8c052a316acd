// Knowledge base articles arrive as HTML the API rendered from Markdown with raw HTML escaped.
// The portal still never assigns markup: the HTML is parsed into an inert document and rebuilt
// element by element from an allowlist (links only to http, https and mailto), so even a changed
// or compromised answer can add no script, style or handler.
import { h } from "./dom.js";

const TAGS = new Set(["p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "br", "hr",
  "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a"]);
const HEADINGS = { h1: "h3", h2: "h3", h3: "h4" };  // below the page's own h1 and h2

function copy(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const raw = node.tagName.toLowerCase();
  const tag = HEADINGS[raw] || raw;
  const children = [...node.childNodes].map(copy);
  if (!TAGS.has(tag)) return children;  // unknown element: keep its text only
  const attrs = {};
  if (tag === "a") {
    const href = node.getAttribute("href") || "";
    if (!/^(https?:|mailto:)/i.test(href)) return children;
    Object.assign(attrs, { href, rel: "nofollow noopener noreferrer" });
  }
  return h(tag, attrs, children);
}

export function richText(html) {
  const doc = new DOMParser().parseFromString(String(html || ""), "text/html");
  return h("div", { class: "article-body" }, [...doc.body.childNodes].map(copy));
}
