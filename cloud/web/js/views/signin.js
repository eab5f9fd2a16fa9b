/**
 * The sign-in view, and the steps Cognito may ask for after the password: a new password
 * (accounts created with a temporary one) and the authenticator app's code (accounts that
 * turned it on).
 */

import { h, replace } from "../dom.js";
import { reason, t } from "../i18n.js";
import { busy, codeForm, field } from "../ui.js";

export function render(app, main, done) {
  const expired = sessionStorage.getItem("ghela.expired");
  sessionStorage.removeItem("ghela.expired");
  const email = field(t("signin.email"), h("input", { type: "email", name: "username", autocomplete: "username", required: true }));
  const password = field(t("signin.password"), h("input", { type: "password", name: "password", autocomplete: "current-password", required: true }));
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, t("signin.title"));
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "signin-title" },
    h("div", { class: "signin-language" }, app.languagePicker),
    h("h1", { id: "signin-title" }, t("signin.title")),
    h("p", { class: "muted" }, t("signin.account")),
    expired ? h("p", { class: "muted" }, t("signin.expired")) : null,
    error, email.field, password.field, submit);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    email.setError(email.control.value.trim() ? "" : t("signin.needEmail"));
    password.setError(password.control.value ? "" : t("signin.needPassword"));
    if (!email.control.value.trim()) return email.control.focus();
    if (!password.control.value) return password.control.focus();
    error.textContent = "";
    busy(submit, async () => {
      try {
        const challenge = await app.auth.signIn(email.control.value.trim(), password.control.value);
        if (challenge) next(app, main, challenge, done);
      } catch (failure) {
        error.textContent = reason(failure.message);
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
  const first = field(t("signin.newPassword"), h("input", { type: "password", autocomplete: "new-password", required: true }),
    t("signin.passwordRule", { min: MIN_PASSWORD }));
  const second = field(t("signin.repeatPassword"), h("input", { type: "password", autocomplete: "new-password", required: true }));
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, t("signin.setPassword"));
  const form = h("form", { class: "card", novalidate: true },
    h("h1", {}, t("signin.choosePassword")),
    h("p", { class: "muted" }, t("signin.temporary")),
    error, first.field, second.field, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = first.control.value;
    first.setError(value.length >= MIN_PASSWORD ? "" : t("signin.tooShort", { min: MIN_PASSWORD }));
    second.setError(second.control.value === value ? "" : t("signin.differ"));
    if (value.length < MIN_PASSWORD || second.control.value !== value) return;
    busy(submit, async () => {
      try {
        const again = await app.auth.completeNewPassword(challenge, value);
        if (again?.name === "NEW_PASSWORD_REQUIRED") throw new Error(t("signin.passwordRefused"));
        if (again) next(app, main, again, done);
        else done();
      } catch (failure) {
        error.textContent = reason(failure.message);
        error.focus();
      }
    });
  });
  replace(main, h("section", { class: "signin" }, form));
  first.control.focus();
}

function mfaCode(app, main, challenge, done) {
  const { code, error, submit, listen } = codeForm(t("signin.code"), t("signin.verify"), async (value) => {
    const again = await app.auth.answerMfa(challenge, value);
    if (again) throw new Error(t("signin.codeRefused"));
    done();
  }, (failure) => (failure.code === "NotAuthorizedException" ? t("signin.tooLong") : reason(failure.message)),
  t("signin.codeHint"));
  const form = h("form", { class: "card", novalidate: true },
    h("h1", {}, t("signin.twoStep")),
    error, code.field, submit);
  listen(form);
  replace(main, h("section", { class: "signin" }, form));
  code.control.focus();
}
