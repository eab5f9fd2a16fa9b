/**
 * Notifications: which channels reach you (e-mail, Web Push on this phone or computer),
 * for which alerts (final call by default, or every alert) and whether late changes do.
 * They are sent from the cloud, so they arrive when the Pi is offline. Push needs this
 * page's service worker (sw.js) and a subscription made with the API's VAPID public key.
 * Administrators set the team's Teams or Slack incoming webhook here too.
 */

import { h, replace } from "../dom.js";
import { busy, field, toast } from "../ui.js";

/** The VAPID key (base64url) as the bytes pushManager.subscribe wants. */
export function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function render(app, main) {
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  replace(main, h("section", { class: "card notifications", "aria-labelledby": "notify-title" },
    h("h1", { id: "notify-title" }, "Notifications"),
    h("p", {}, "A warning before the deadline, wherever you are: by e-mail, or on this phone or computer. They come from the cloud, so they arrive even when the light's Pi is offline."),
    body));
  show(app, body);
}

async function show(app, body) {
  let prefs;
  try {
    prefs = await app.api.request("GET", "/notify/preferences");
  } catch (failure) {
    replace(body, h("p", { role: "alert" }, failure.message));
    return;
  }
  const email = h("input", { type: "checkbox", id: "notify-email", checked: prefs.channels.includes("email") });
  const push = h("input", { type: "checkbox", id: "notify-push", checked: prefs.channels.includes("push") });
  const finalCall = h("input", { type: "radio", name: "notify-alerts", id: "notify-final", value: "final-call", checked: prefs.alerts === "final-call" });
  const every = h("input", { type: "radio", name: "notify-alerts", id: "notify-all", value: "all", checked: prefs.alerts === "all" });
  const late = h("input", { type: "checkbox", id: "notify-late", checked: prefs.late_changes });
  const status = h("p", { class: "muted", role: "status" },
    `${prefs.push_devices} device${prefs.push_devices === 1 ? "" : "s"} get push. E-mail goes to ${prefs.email || "(no address)"}.`);
  const save = h("button", { type: "submit", class: "primary" }, "Save");
  const form = h("form", { novalidate: true },
    h("fieldset", {}, h("legend", {}, "Channels"),
      h("div", { class: "check" }, email, h("label", { for: "notify-email" }, "E-mail")),
      h("div", { class: "check" }, push, h("label", { for: "notify-push" }, "Push on this device"))),
    h("fieldset", {}, h("legend", {}, "Which alerts"),
      h("div", { class: "check" }, finalCall, h("label", { for: "notify-final" }, "Final calls only")),
      h("div", { class: "check" }, every, h("label", { for: "notify-all" }, "Every alert"))),
    h("div", { class: "check" }, late, h("label", { for: "notify-late" }, "Late changes (a game moved or added within 7 days, a kick-off time announced)")),
    status, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(save, async () => {
      try {
        if (push.checked) await subscribe(app, prefs.vapid_public_key);
        const channels = [email.checked && "email", push.checked && "push"].filter(Boolean);
        await app.api.request("PUT", "/notify/preferences", { channels, alerts: every.checked ? "all" : "final-call", late_changes: late.checked });
        toast("Saved.", "ok");
        show(app, body);
      } catch (failure) {
        toast(failure.message, "bad");
      }
    });
  });
  replace(body, form, prefs.can_set_webhook ? webhookForm(app, prefs) : null);
}

/** Register sw.js, ask for permission, subscribe with the VAPID key and hand the subscription to the API. */
async function subscribe(app, vapidKey) {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) throw new Error("This browser cannot receive push notifications.");
  const registration = await navigator.serviceWorker.register("sw.js");
  await navigator.serviceWorker.ready;
  if ((await Notification.requestPermission()) !== "granted") throw new Error("Notifications are blocked for this page in the browser's settings.");
  let subscription;
  try {
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
  } catch (failure) {
    throw new Error(`The browser's push service refused to subscribe (${failure.name}).`);
  }
  await app.api.request("POST", "/notify/push-subscriptions", subscription.toJSON());
}

function webhookForm(app, prefs) {
  const url = field("Incoming webhook URL", h("input", { type: "url", required: true, placeholder: "https://…webhook.office.com/…" }),
    "Teams: channel ⋯ → Workflows or Connectors → Incoming Webhook; Slack: an app's Incoming Webhooks. Kept encrypted in SSM; never shown again.");
  const kind = h("select", { id: "webhook-kind", "aria-label": "Webhook kind" }, h("option", { value: "teams" }, "Microsoft Teams"), h("option", { value: "slack" }, "Slack"));
  const submit = h("button", { type: "submit" }, "Set the team's webhook");
  const form = h("form", { novalidate: true, class: "webhook" },
    h("h2", {}, "Team channel (administrators)"),
    h("p", { class: "muted" }, prefs.webhook_set ? "A webhook is set." : "No webhook is set."),
    url.field, kind, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        await app.api.request("PUT", "/notify/webhook", { url: url.control.value.trim(), kind: kind.value });
        url.setError("");
        toast("The team's webhook is set.", "ok");
      } catch (failure) {
        url.setError(failure.fields?.url ?? failure.message);
      }
    });
  });
  return form;
}
