/**
 * The sign-in view, and the steps Cognito may ask for after the password: a new password
 * (accounts created with a temporary one) and the authenticator app's code (accounts that
 * turned it on).
 */

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
        if (challenge) next(app, main, challenge, done);
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

/** The step Cognito asks for next (the session is stored once none is left). */
function next(app, main, challenge, done) {
  if (challenge.name === "SOFTWARE_TOKEN_MFA") mfaCode(app, main, challenge, done);
  else newPassword(app, main, challenge, done);
}

const MIN_PASSWORD = 14;

function newPassword(app, main, challenge, done) {
  const first = field("New password", h("input", { type: "password", autocomplete: "new-password", required: true }),
    `At least ${MIN_PASSWORD} characters, with capitals, small letters, digits and symbols.`);
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
    first.setError(value.length >= MIN_PASSWORD ? "" : `Use at least ${MIN_PASSWORD} characters.`);
    second.setError(second.control.value === value ? "" : "The two passwords differ.");
    if (value.length < MIN_PASSWORD || second.control.value !== value) return;
    busy(submit, async () => {
      try {
        const again = await app.auth.completeNewPassword(challenge, value);
        if (again?.name === "NEW_PASSWORD_REQUIRED") throw new Error("The new password was not accepted.");
        if (again) next(app, main, again, done);
        else done();
      } catch (failure) {
        error.textContent = failure.message;
        error.focus();
      }
    });
  });
  replace(main, h("section", { class: "signin" }, form));
  first.control.focus();
}

function mfaCode(app, main, challenge, done) {
  const code = field("Code from your authenticator app", h("input", {
    type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true,
  }), "The six digits the app shows for Ghelamco Alert now.");
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, "Verify and sign in");
  const form = h("form", { class: "card", novalidate: true },
    h("h1", {}, "Two-step verification"),
    error, code.field, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = code.control.value.replace(/\s+/g, "");
    code.setError(/^[0-9]{6}$/.test(value) ? "" : "Enter the six digits.");
    if (!/^[0-9]{6}$/.test(value)) return code.control.focus();
    busy(submit, async () => {
      try {
        const again = await app.auth.answerMfa(challenge, value);
        if (again) throw new Error("The code was not accepted.");
        done();
      } catch (failure) {
        error.textContent = failure.code === "NotAuthorizedException"
          ? "The sign-in took too long; please start again." : failure.message;
        error.focus();
      }
    });
  });
  replace(main, h("section", { class: "signin" }, form));
  code.control.focus();
}
