// A few lines instead of a library: h() builds elements, mount() replaces a container's content.
// Text is always set as text (never as HTML), so nothing the API returns can become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

let uid = 0;
// A labelled form field: every input has a <label for>.
export function field(label, attrs = {}, hint = null) {
  const id = attrs.id || `f${++uid}`;
  const hintId = hint ? `${id}-hint` : null;
  const { tag = "input", options = [], ...rest } = attrs;
  const control = tag === "select"
    ? h("select", { ...rest, value: null, id, "aria-describedby": hintId }, options.map(
        ([value, text]) => h("option", { value, selected: String(value) === String(attrs.value ?? "") }, text)))
    : h(tag, { ...rest, id, "aria-describedby": hintId });
  return h("div", { class: "field" }, h("label", { for: id }, label), control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null);
}

// Status messages are announced to screen readers (role=status / alert).
export function notice(text, kind = "info") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function table(caption, headers, rows) {
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h("table", { class: "stack" }, h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) =>
        h("td", { "data-label": typeof headers[i] === "string" && headers[i] ? headers[i] : null }, c)))))));
}

export function uuid() {
  return crypto.randomUUID ? crypto.randomUUID()
    : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
}
