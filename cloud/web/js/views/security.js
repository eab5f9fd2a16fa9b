/**
 * Sign-in security: turn the optional authenticator app (TOTP) on or off. Setting it up
 * shows the app's QR code (an otpauth:// URI, drawn as SVG from the vendored uqr encoder)
 * and the secret to type in, then checks the app's first code; from then on every sign-in
 * asks for a code (signin.js).
 */

import { encode } from "../../vendor/uqr/index.mjs";
import { h, replace, s } from "../dom.js";
import { busy, field, toast } from "../ui.js";

const ISSUER = "Ghelamco Alert";

/** The URI authenticator apps read (Google's Key Uri Format, which they all follow). */
export function otpauthUri(account, secret) {
  const label = encodeURIComponent(`${ISSUER}:${account}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(ISSUER)}`;
}

/** The QR code as an SVG of dark modules (one path; no inline style, so the CSP allows it). */
export function qrSvg(text) {
  const { data, size } = encode(text, { ecc: "M", border: 4 });
  let path = "";
  data.forEach((row, y) => row.forEach((dark, x) => { if (dark) path += `M${x} ${y}h1v1h-1z`; }));
  return s("svg", { class: "qr", viewBox: `0 0 ${size} ${size}`, role: "img", "aria-label": "QR code for your authenticator app", "shape-rendering": "crispEdges" },
    s("rect", { class: "qr-light", width: size, height: size }),
    s("path", { class: "qr-dark", d: path }));
}

export function render(app, main) {
  const status = h("p", { class: "muted" }, "Checking…");
  const body = h("div", {});
  replace(main, h("section", { class: "card security", "aria-labelledby": "security-title" },
    h("h1", { id: "security-title" }, "Sign-in security"),
    h("p", {}, "An authenticator app adds a second step to signing in: after your password, the page asks for the six-digit code the app shows."),
    status, body));
  show(app, status, body);
}

async function show(app, status, body) {
  let enabled;
  try {
    enabled = await app.auth.totpEnabled();
  } catch (failure) {
    status.textContent = failure.message;
    return;
  }
  status.textContent = enabled ? "The authenticator app is on." : "The authenticator app is off.";
  if (enabled) {
    const off = h("button", { type: "button" }, "Turn off the authenticator app");
    off.addEventListener("click", () => busy(off, async () => {
      try {
        await app.auth.disableTotp();
        toast("The authenticator app is off.");
        show(app, status, body);
      } catch (failure) {
        toast(failure.message, "bad");
      }
    }));
    replace(body, off);
    return;
  }
  const start = h("button", { type: "button", class: "primary" }, "Set up an authenticator app");
  start.addEventListener("click", () => busy(start, async () => {
    try {
      const secret = await app.auth.startTotpSetup();
      setUp(app, status, body, secret);
    } catch (failure) {
      toast(failure.message, "bad");
    }
  }));
  replace(body, start);
}

function setUp(app, status, body, secret) {
  const code = field("Code from the app", h("input", {
    type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6", required: true,
  }));
  const error = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, "Turn on");
  const form = h("form", { novalidate: true },
    h("ol", {},
      h("li", {}, "Scan this code with your authenticator app:"),
      h("li", {}, "or type this key into it: ", h("code", { class: "secret" }, secret)),
      h("li", {}, "Enter the six digits the app now shows for Ghelamco Alert.")),
    qrSvg(otpauthUri(app.auth.user, secret)),
    error, code.field, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = code.control.value.replace(/\s+/g, "");
    code.setError(/^[0-9]{6}$/.test(value) ? "" : "Enter the six digits.");
    if (!/^[0-9]{6}$/.test(value)) return code.control.focus();
    busy(submit, async () => {
      try {
        await app.auth.confirmTotp(value);
        toast("The authenticator app is on: sign-ins now ask for its code.", "ok");
        show(app, status, body);
      } catch (failure) {
        error.textContent = failure.message;
        error.focus();
      }
    });
  });
  replace(body, form);
  code.control.focus();
}
