/**
 * Sign-in security: turn the optional authenticator app (TOTP) on or off. Setting it up
 * shows the app's QR code (an otpauth:// URI, drawn as SVG from the vendored uqr encoder)
 * and the secret to type in, then checks the app's first code; from then on every sign-in
 * asks for a code (signin.js).
 */

import { encode } from "../../vendor/uqr/index.mjs";
import { h, replace, s } from "../dom.js";
import { reason, t } from "../i18n.js";
import { busy, codeForm, toast } from "../ui.js";

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
  return s("svg", { class: "qr", viewBox: `0 0 ${size} ${size}`, role: "img", "aria-label": t("security.qr"), "shape-rendering": "crispEdges" },
    s("rect", { class: "qr-light", width: size, height: size }),
    s("path", { class: "qr-dark", d: path }));
}

export function render(app, main) {
  const status = h("p", { class: "muted" }, t("security.checking"));
  const body = h("div", {});
  replace(main, h("section", { class: "card security", "aria-labelledby": "security-title" },
    h("h1", { id: "security-title" }, t("title.security")),
    h("p", {}, t("security.intro")),
    status, body));
  show(app, status, body);
}

async function show(app, status, body) {
  let enabled;
  try {
    enabled = await app.auth.totpEnabled();
  } catch (failure) {
    status.textContent = reason(failure.message);
    return;
  }
  status.textContent = t(enabled ? "security.on" : "security.off");
  if (enabled) {
    const off = h("button", { type: "button" }, t("security.turnOff"));
    off.addEventListener("click", () => busy(off, async () => {
      try {
        await app.auth.disableTotp();
        toast(t("security.off"));
        show(app, status, body);
      } catch (failure) {
        toast(reason(failure.message), "bad");
      }
    }));
    replace(body, off);
    return;
  }
  const start = h("button", { type: "button", class: "primary" }, t("security.setUp"));
  start.addEventListener("click", () => busy(start, async () => {
    try {
      const secret = await app.auth.startTotpSetup();
      setUp(app, status, body, secret);
    } catch (failure) {
      toast(reason(failure.message), "bad");
    }
  }));
  replace(body, start);
}

function setUp(app, status, body, secret) {
  const { code, error, submit, listen } = codeForm(t("security.code"), t("security.turnOn"), async (value) => {
    await app.auth.confirmTotp(value);
    toast(t("security.nowOn"), "ok");
    show(app, status, body);
  }, (failure) => reason(failure.message));
  const form = h("form", { novalidate: true },
    h("ol", {},
      h("li", {}, t("security.scan")),
      h("li", {}, t("security.typeKey"), h("code", { class: "secret" }, secret)),
      h("li", {}, t("security.enterDigits"))),
    qrSvg(otpauthUri(app.auth.user, secret)),
    error, code.field, submit);
  listen(form);
  replace(body, form);
  code.control.focus();
}
