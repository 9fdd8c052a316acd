// The API's validation errors (userErrors with field: ["input", "name"]) next to the fields they
// name, announced; an error naming no field of the form goes to `top`.
import { h, mount, notice } from "./dom.js";

export function fieldErrors(form, errors, top) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll("[aria-invalid]").forEach((c) => {
    c.removeAttribute("aria-invalid");
    const rest = (c.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== `${c.id}-error`);
    if (rest.length) c.setAttribute("aria-describedby", rest.join(" "));
    else c.removeAttribute("aria-describedby");
  });
  if (top) mount(top);
  for (const e of errors) {
    const name = e.field && e.field[e.field.length - 1];
    const control = name && form.elements[name];
    if (control && control.id) {
      const id = `${control.id}-error`;
      control.setAttribute("aria-invalid", "true");
      // Its hint stays described too.
      control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
      control.closest(".field").append(h("p", { class: "field-error", id, role: "alert" }, e.message));
    } else if (top) top.append(notice(e.message, "error"));
  }
  return errors.length > 0;
}
