/**
 * Notifications: which channels reach you (e-mail, Web Push on this phone or computer),
 * for which alerts (final call by default, or every alert) and whether late changes do.
 * They are sent from the cloud, so they arrive when the Pi is offline. Push needs this
 * page's service worker (sw.js) and a subscription made with the API's VAPID public key.
 * Administrators set the team's Teams or Slack incoming webhook here too.
 */

import { h, replace } from "../dom.js";
import { reason, t } from "../i18n.js";
import { busy, field, toast } from "../ui.js";

/** The VAPID key (base64url) as the bytes pushManager.subscribe wants. */
export function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function render(app, main) {
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  replace(main, h("section", { class: "card notifications", "aria-labelledby": "notify-title" },
    h("h1", { id: "notify-title" }, t("notify.title")),
    h("p", {}, t("notify.intro")),
    body));
  show(app, body);
}

async function show(app, body) {
  let prefs;
  try {
    prefs = await app.api.request("GET", "/notify/preferences");
  } catch (failure) {
    replace(body, h("p", { role: "alert" }, reason(failure.message)));
    return;
  }
  const email = h("input", { type: "checkbox", id: "notify-email", checked: prefs.channels.includes("email") });
  const push = h("input", { type: "checkbox", id: "notify-push", checked: prefs.channels.includes("push") });
  const finalCall = h("input", { type: "radio", name: "notify-alerts", id: "notify-final", value: "final-call", checked: prefs.alerts === "final-call" });
  const every = h("input", { type: "radio", name: "notify-alerts", id: "notify-all", value: "all", checked: prefs.alerts === "all" });
  const late = h("input", { type: "checkbox", id: "notify-late", checked: prefs.late_changes });
  const status = h("p", { class: "muted", role: "status" },
    `${t("notify.pushDevices", { count: prefs.push_devices })} ${t("notify.emailTo", { email: prefs.email || t("notify.noAddress") })}`);
  const save = h("button", { type: "submit", class: "primary" }, t("notify.save"));
  const form = h("form", { novalidate: true },
    h("fieldset", {}, h("legend", {}, t("notify.channels")),
      h("div", { class: "check" }, email, h("label", { for: "notify-email" }, t("notify.email"))),
      h("div", { class: "check" }, push, h("label", { for: "notify-push" }, t("notify.push")))),
    h("fieldset", {}, h("legend", {}, t("notify.which")),
      h("div", { class: "check" }, finalCall, h("label", { for: "notify-final" }, t("notify.finalOnly"))),
      h("div", { class: "check" }, every, h("label", { for: "notify-all" }, t("notify.every")))),
    h("div", { class: "check" }, late, h("label", { for: "notify-late" }, t("notify.late"))),
    status, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(save, async () => {
      try {
        if (push.checked) await subscribe(app, prefs.vapid_public_key);
        const channels = [email.checked && "email", push.checked && "push"].filter(Boolean);
        await app.api.request("PUT", "/notify/preferences", { channels, alerts: every.checked ? "all" : "final-call", late_changes: late.checked });
        toast(t("notify.saved"), "ok");
        show(app, body);
      } catch (failure) {
        toast(reason(failure.message), "bad");
      }
    });
  });
  replace(body, form, prefs.can_set_webhook ? webhookForm(app, prefs) : null);
}

/** Register sw.js, ask for permission, subscribe with the VAPID key and hand the subscription to the API. */
async function subscribe(app, vapidKey) {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) throw new Error(t("notify.noPush"));
  const registration = await navigator.serviceWorker.register("sw.js");
  await navigator.serviceWorker.ready;
  if ((await Notification.requestPermission()) !== "granted") throw new Error(t("notify.blocked"));
  let subscription;
  try {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
  } catch (failure) {
    throw new Error(t("notify.refused", { name: failure.name }));
  }
  await app.api.request("POST", "/notify/push-subscriptions", subscription.toJSON());
}

function webhookForm(app, prefs) {
  const url = field(t("notify.webhookUrl"), h("input", { type: "url", required: true, placeholder: "https://…webhook.office.com/…" }),
    t("notify.webhookHint"));
  const kind = h("select", { id: "webhook-kind", "aria-label": t("notify.webhookKind") }, h("option", { value: "teams" }, "Microsoft Teams"), h("option", { value: "slack" }, "Slack"));
  const submit = h("button", { type: "submit" }, t("notify.setWebhook"));
  const form = h("form", { novalidate: true, class: "webhook" },
    h("h2", {}, t("notify.team")),
    h("p", { class: "muted" }, t(prefs.webhook_set ? "notify.webhookSet" : "notify.noWebhook")),
    url.field, kind, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        await app.api.request("PUT", "/notify/webhook", { url: url.control.value.trim(), kind: kind.value });
        url.setError("");
        toast(t("notify.webhookDone"), "ok");
      } catch (failure) {
        url.setError(reason(failure.fields?.url ?? failure.message));
      }
    });
  });
  return form;
}
