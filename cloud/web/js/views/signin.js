/** The sign-in view (and the new-password step for accounts created with a temporary one). */

import { h, replace } from "../dom.js";
import { busy, field } from "../ui.js";

export function render(app, main, done) {
  const expired = sessionStorage.getItem("ghela.expired");
  sessionStorage.removeItem("ghela.expired");
  const email = field("E-mail address", h("input", { type: "email", name: "username", autocomplete: "username", required: true }));
  const password = field("Password", h("input", { type: "password", name: "password", autocomplete: "current-password", required: true }));
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h("p", { class: "muted" }, "Use the account your administrator created for you."),
    expired ? h("p", { class: "muted" }, "Your session ended; please sign in again.") : null,
    error, email.field, password.field, submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    email.setError(email.control.value.trim() ? "" : "Enter your e-mail address.");
    password.setError(password.control.value ? "" : "Enter your password.");
    if (!email.control.value.trim()) return email.control.focus();
    if (!password.control.value) return password.control.focus();
    error.textContent = "";
    busy(submit, async () => {
      try {
        const challenge = await app.auth.signIn(email.control.value.trim(), password.control.value);
        if (challenge) newPassword(app, main, challenge, done);
      } catch (failure) {
        error.textContent = failure.message;
        error.focus();
      }
    });
  });

  replace(main, h("section", { class: "signin" },
    h("div", { class: "brand" }, h("span", { class: "lamp on", "aria-hidden": "true" }), "Ghelamco Alert"), form));
  email.control.focus();
}

function newPassword(app, main, challenge, done) {
  const first = field("New password", h("input", { type: "password", autocomplete: "new-password", required: true }),
    "Follow your organisation's password rules (length, digits, capitals).");
  const second = field("Repeat the new password", h("input", { type: "password", autocomplete: "new-password", required: true }));
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, "Set password and sign in");
  const form = h("form", { class: "card", novalidate: true },
    h("h1", {}, "Choose a new password"),
    h("p", { class: "muted" }, "Your account was created with a temporary password."),
    error, first.field, second.field, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = first.control.value;
    first.setError(value.length >= 8 ? "" : "Use at least 8 characters.");
    second.setError(second.control.value === value ? "" : "The two passwords differ.");
    if (value.length < 8 || second.control.value !== value) return;
    busy(submit, async () => {
      try {
        const again = await app.auth.completeNewPassword(challenge, value);
        if (again) throw new Error("The new password was not accepted.");
        done();
      } catch (failure) {
        error.textContent = failure.message;
        error.focus();
      }
    });
  });
  replace(main, h("section", { class: "signin" }, form));
  first.control.focus();
}
