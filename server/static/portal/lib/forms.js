// Coded userErrors shown next to the field they name (`field: ["input", "phone"]`), announced, with
// aria-invalid on the control; errors that name no field of the form go to `status`.
import { h, mount, notice } from "./dom.js";

const norm = (s) => String(s).replace(/_/g, "").toLowerCase();

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll("[aria-invalid]").forEach((c) => {
    c.removeAttribute("aria-invalid");
    c.setAttribute("aria-describedby", (c.getAttribute("aria-describedby") || "").split(" ")
      .filter((id) => !id.endsWith("-error")).join(" "));
  });
}

// `locate(error)` may name the control's name for errors a page maps itself (a custom field's index).
export function showErrors(form, errors, status, locate = () => null) {
  clearErrors(form);
  const rest = [];
  for (const e of errors) {
    const path = (e.field || []).filter((p) => !/^\d+$/.test(p) && p !== "input");
    const name = locate(e) || path[path.length - 1];
    const control = name && [...form.elements].find((c) => c.name && norm(c.name) === norm(name));
    if (!control) { rest.push(e); continue; }
    const id = `${control.id}-error`;
    if (!document.getElementById(id)) {
      const where = control.closest(".field") || control.parentElement;
      where.append(h("p", { class: "field-error", id, role: "alert" }, e.message));
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", `${control.getAttribute("aria-describedby") || ""} ${id}`.trim());
    }
  }
  if (status) mount(status, rest.map((e) => notice(e.message, "error")));
  const first = form.querySelector("[aria-invalid]");
  if (first) first.focus();
  return errors.length === 0;
}

// A form's submit handler that cannot run twice at once (a double click would open two tickets):
// its buttons are disabled until the answer is in.
export function once(handler) {
  let busy = false;
  return async (e) => {
    e.preventDefault();
    if (busy) return;
    busy = true;
    const buttons = [...e.currentTarget.querySelectorAll("button")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await handler(e);
    } finally {
      busy = false;
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
}
