/** Small shared pieces of UI: toasts, labelled fields with error slots, busy buttons. */

import { h, uid } from "./dom.js";
import { LANGUAGES, language, onLanguage, setLanguage, t } from "./i18n.js";

export function toast(message, kind = "") {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast ${kind}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "bad" ? 8000 : 4500);
}

/**
 * A labelled control with a hint and an error slot wired through aria-describedby.
 * ``control`` is an element (input/select); returns {field, control, setError}.
 */
export function field(labelText, control, hint = "") {
  const id = control.id || uid("f");
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const error = h("div", { class: "field-error", id: errorId });
  control.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
  // The hint sits outside the label so the control's name stays short; it is read as its
  // description instead (aria-describedby).
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, labelText),
    hint ? h("div", { class: "hint", id: hintId }, hint) : null,
    control, error);
  const setError = (message) => {
    error.textContent = message ?? "";
    if (message) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  };
  // An error is about the value it was shown for: once the value changes it no longer
  // holds (the form checks again on the next submit).
  const clear = () => { if (control.hasAttribute("aria-invalid")) setError(""); };
  control.addEventListener("input", clear);
  control.addEventListener("change", clear);
  return { field: wrapper, control, setError };
}

/**
 * Show errors on a form: ``fields`` maps a field name to its field() result; ``errors``
 * maps names to messages. Errors for unknown names go to ``formError``. Focuses the first.
 */
export function showErrors(fields, formError, errors, fallback = "") {
  const unplaced = [];
  let first = null;
  for (const [name, entry] of Object.entries(fields)) entry.setError(errors[name]);
  for (const [name, message] of Object.entries(errors)) {
    if (fields[name]) first ??= fields[name].control;
    else unplaced.push(name === "_form" ? message : `${name}: ${message}`);
  }
  formError.textContent = unplaced.length ? unplaced.join(" · ") : (first ? "" : fallback);
  (first ?? (formError.textContent ? formError : null))?.focus?.();
}

/**
 * A six-digit one-time-code field (an authenticator app's code), its form-level error slot
 * and submit button, for signing in and for turning two-step sign-in on. On submit the
 * code (spaces ignored) must be six digits, else the field says so; then ``attempt(code)``
 * runs with the button busy, and a failure is shown in the error slot as
 * ``explain(failure)``. Returns {code, error, submit, listen}: the caller lays the parts out
 * in its form and calls ``listen(form)``.
 */
export function codeForm(labelText, submitText, attempt, explain, hint = "") {
  const code = field(labelText, h("input", {
    type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true,
  }), hint);
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, submitText);
  const listen = (form) => form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = code.control.value.replace(/\s+/g, "");
    code.setError(/^[0-9]{6}$/.test(value) ? "" : t("signin.needCode"));
    if (!/^[0-9]{6}$/.test(value)) return code.control.focus();
    busy(submit, async () => {
      try {
        await attempt(value);
      } catch (failure) {
        error.textContent = explain(failure);
        error.focus();
      }
    });
  });
  return { code, error, submit, listen };
}

/** Run ``action`` with the button disabled and marked busy. */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text);
}

export function jobBadge(status) {
  const kind = { SUCCEEDED: "ok", QUEUED: "info", IN_PROGRESS: "info" }[status] ?? "bad";
  return badge(t(`job.status.${status}`), kind);
}

/** The language choice (each name in its own language); it stays in step with every other picker. */
export function languagePicker() {
  const select = h("select", { class: "language", "aria-label": "Taal / Language", "data-language": "" },
    Object.entries(LANGUAGES).map(([key, { locale, name }]) =>
      h("option", { value: key, lang: locale, selected: key === language() }, name)));
  select.addEventListener("change", () => setLanguage(select.value));
  onLanguage((lang) => { select.value = lang; });
  return select;
}
