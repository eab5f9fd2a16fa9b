/**
 * The dashboard: what lights next (the API's line, with a countdown in its last hour),
 * upcoming events with their alerts and actions, the device's status, and the changes this
 * page sent that are still on their way to the device.
 */

import { h, replace } from "../dom.js";
import { alertStatus, deviceFrom, eventTitle, jobIdFrom } from "../model.js";
import {
  countdown, describeDuration, describeOffset, formatDateTime, formatDay, formatLocalDate, formatTime, relative,
} from "../time.js";
import { badge, busy, toast } from "../ui.js";
import { addAlertForm, changeAlertForm } from "./alertforms.js";

const REFRESH_MS = 15_000;
const SNOOZE_CHOICES = [["", "whole alert"], ["15", "15 min"], ["30", "30 min"], ["60", "1 hour"]];
const STATE_KIND = { scheduled: "info", updated: "warn", cancelled: "bad", finished: "" };

export function render(app, main) {
  const view = {
    events: null, device: null, next: null, eventsError: "", deviceError: "", nextError: "",
    editing: new Set(), adding: new Set(), confirming: new Set(), fastUntil: 0,
  };
  const nextLine = h("p", { class: "next-up", "data-next": "loading", "aria-live": "polite" }, "Next: …");
  const pendingStrip = h("div", { class: "pending-strip", "aria-live": "polite" });
  const eventsBox = h("div", { "aria-busy": "true" }, h("p", { class: "muted" }, "Loading events…"));
  const deviceBox = h("section", { class: "card device", "aria-labelledby": "device-title" },
    h("h2", { id: "device-title" }, "The light"), h("p", { class: "muted" }, "Loading…"));
  const refreshButton = h("button", { type: "button", class: "small", onclick: () => load() }, "Refresh");

  replace(main,
    nextLine,
    h("div", { class: "page-head" },
      h("h1", {}, "Upcoming events"),
      h("a", { class: "button small", href: "#/events/new" }, "New event"),
      refreshButton),
    h("p", { class: "muted" }, "All times are Brussels time."),
    pendingStrip,
    h("div", { class: "dashboard" },
      h("aside", { class: "side" }, deviceBox),
      h("section", { class: "events", "aria-label": "Events" }, eventsBox)));

  /** Re-render, keeping focus on the same control (by data-key) when it still exists. */
  function draw() {
    const focusKey = document.activeElement?.dataset?.key;
    drawNext();
    drawEvents();
    drawDevice();
    drawPending();
    if (focusKey) main.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  /** The API's "Next: light on …" line; a countdown under an hour before the light goes on. */
  function drawNext() {
    if (view.nextError) {
      nextLine.dataset.next = "error";
      replace(nextLine, view.nextError);
      return;
    }
    if (!view.next) return;
    const lightAt = view.next.next?.light_at;
    const left = lightAt ? countdown(lightAt) : "";
    nextLine.dataset.next = view.next.next ? "planned" : "none";
    replace(nextLine, h("strong", {}, view.next.line),
      left ? h("span", { class: "countdown", "data-countdown": "" }, ` (${left})`) : null);
  }

  function drawPending() {
    const labels = [...app.jobs.tracked.values()].map((t) => t.label);
    replace(pendingStrip, labels.length
      ? [h("span", { class: "spinner", "aria-hidden": "true" }),
        h("span", {}, `Waiting for the device: ${labels.join(", ")}`),
        h("a", { href: "#/jobs" }, "See jobs")]
      : []);
  }

  function drawDevice() {
    if (view.deviceError) {
      replace(deviceBox, h("h2", { id: "device-title" }, "The light"), h("p", { class: "form-error" }, view.deviceError));
      return;
    }
    if (!view.device) return;
    const d = deviceFrom(view.device);
    const lamp = h("span", { class: `lamp ${d.lightOn ? "on" : ""} ${d.pattern === "blink" ? "blink" : ""}`, "aria-hidden": "true" });
    document.getElementById("brand-lamp")?.setAttribute("class", lamp.getAttribute("class"));
    replace(deviceBox,
      h("h2", { id: "device-title" }, "The light"),
      h("div", { class: "light", "data-light": d.lightOn ? "on" : "off" }, lamp,
        d.lightOn ? `On (${d.pattern === "blink" ? "blinking" : "steady"})` : "Off"),
      h("dl", {},
        d.name ? [h("dt", {}, "Device"), h("dd", {}, d.name)] : null,
        h("dt", {}, "Status"),
        h("dd", { "data-online": d.online ? "yes" : "no" }, badge(d.online ? "online" : "offline", d.online ? "ok" : "bad")),
        h("dt", {}, "Last heartbeat"),
        h("dd", {}, d.lastSeen
          ? h("time", { datetime: d.lastSeen, title: formatDateTime(d.lastSeen) }, relative(d.lastSeen))
          : "never"),
        d.since ? [h("dt", {}, d.lightOn ? "On since" : "Off since"), h("dd", {}, formatDateTime(d.since))] : null,
        d.version ? [h("dt", {}, "Software"), h("dd", {}, d.version)] : null),
      disagreements());
  }

  /** The games whose sources disagree on when they are (each planned from the earliest). */
  function disagreements() {
    if (!view.events) return null;
    const disputed = view.events.filter((event) => event.disputed);
    if (!disputed.length) return h("p", { class: "sources-agree muted" }, "The fixture sources agree.");
    return h("div", { class: "disagreements", role: "status" },
      h("h3", {}, `Sources disagree on ${disputed.length} ${disputed.length === 1 ? "game" : "games"}`),
      h("ul", {}, disputed.map((event) => h("li", {},
        h("strong", {}, eventTitle(event)), ": ", sourcesSay(event), " — planned from the earliest."))));
  }

  function said(source) {
    return source.start ? formatDateTime(source.start) : `${formatLocalDate(source.date)}, time not yet known`;
  }

  function sourcesSay(event) {
    return (event.sources ?? []).map((source) => `${source.source} says ${said(source)}`).join("; ");
  }

  function overrideValue(field, value) {
    if (field === "start" && value.includes("T")) return formatDateTime(value);
    if (field === "cancelled") return { true: "cancelled", listed: "listed", gone: "not listed" }[value] ?? value;
    return value;
  }

  /** "Source says X, set to Y by Z", with the action that follows the source again. */
  function overrideRow(event, override) {
    const id = event.event_id;
    const key = `follow-${id}-${override.field}`;
    return h("li", { class: "override", "data-field": override.field },
      h("span", {}, `${override.field === "start" ? "Kick-off" : override.field[0].toUpperCase() + override.field.slice(1)}: `,
        `source says ${overrideValue(override.field, override.source_value)}, `,
        h("strong", {}, `set to ${overrideValue(override.field, override.value)}`), ` by ${override.by}`),
      h("button", { type: "button", class: "small", "data-key": key, "data-action": "follow-source",
        onclick: (e) => send(e.currentTarget, () => app.api.updateEvent(id, { followSource: override.field }),
          "Follow the source", `event:${id}`) }, "Follow the source"));
  }

  function drawEvents() {
    eventsBox.removeAttribute("aria-busy");
    if (view.eventsError) {
      replace(eventsBox, h("p", { class: "form-error", role: "alert" }, view.eventsError));
      return;
    }
    if (!view.events) return;
    if (!view.events.length) {
      replace(eventsBox, h("p", { class: "empty" }, "No upcoming events. Games appear here once the device has found them."));
      return;
    }
    const pending = app.jobs.pendingTargets();
    replace(eventsBox, view.events.map((event) => eventCard(event, pending)));
  }

  function eventCard(event, pending) {
    const custom = event.kind === "custom";
    const titleId = `event-${event.event_id}-title`;
    const when = event.start
      ? h("p", { class: "when" }, h("time", { datetime: event.start }, formatDateTime(event.start)),
        event.end ? ` – ${formatTime(event.end)}` : null)
      : h("p", { class: "when" }, event.date ? `${formatLocalDate(event.date)} · ` : "", h("strong", {}, "time not yet known"));
    const alerts = event.alerts ?? [];
    return h("article", {
      class: `card event state-${event.state} kind-${event.kind}`, "data-event-id": event.event_id, "aria-labelledby": titleId,
    },
    h("div", { class: "event-head" },
      h("h3", { id: titleId }, eventTitle(event)),
      badge(custom ? "custom event" : "home game"),
      badge(event.state, STATE_KIND[event.state] ?? ""),
      pending.has(`event:${event.event_id}`) ? badge("change pending", "info") : null),
    when,
    event.competition || event.venue
      ? h("p", { class: "meta" }, [event.competition, event.venue].filter(Boolean).join(" · ")) : null,
    event.disputed ? h("p", { class: "disputed" }, badge("sources disagree", "warn"), " ", sourcesSay(event),
      " — planned from the earliest.") : null,
    event.overrides?.length
      ? h("ul", { class: "overrides", "aria-label": `Corrections of ${eventTitle(event)}` },
        event.overrides.map((override) => overrideRow(event, override))) : null,
    alerts.length
      ? h("ul", { class: "alerts", "aria-label": `Alerts for ${eventTitle(event)}` }, alerts.map((alert) => alertRow(alert, pending)))
      : h("p", { class: "empty" }, event.start ? "No alerts." : "Alerts are planned once the kick-off time is known."),
    event.state !== "cancelled" ? addAlert(event) : null,
    custom && event.state !== "cancelled" ? eventActions(event) : custom ? deleteOnly(event) : null);
  }

  function alertRow(alert, pending) {
    const status = alertStatus(alert);
    const id = alert.alert_id;
    const whenText = `${formatDay(alert.starts_at)} ${formatTime(alert.starts_at)}–${formatTime(alert.ends_at)}`;
    const editing = view.editing.has(id);
    const actions = [];
    if (status.key !== "past") {
      if (status.snoozed) {
        actions.push(h("button", { type: "button", class: "small", "data-key": `unsnooze-${id}`, "data-action": "unsnooze",
          "aria-label": `Unsnooze alert ${whenText}`,
          onclick: (e) => send(e.currentTarget, () => app.api.unsnooze(id), "Unsnooze", `alert:${id}`) }, "Unsnooze"));
      } else {
        const choice = h("select", { "aria-label": `Snooze length for alert ${whenText}`, "data-key": `snooze-len-${id}` },
          SNOOZE_CHOICES.map(([value, label]) => h("option", { value }, label)));
        actions.push(choice, h("button", { type: "button", class: "small", "data-key": `snooze-${id}`, "data-action": "snooze",
          "aria-label": `Snooze alert ${whenText}`,
          onclick: (e) => send(e.currentTarget, () => app.api.snooze(id, Number(choice.value) || null), "Snooze", `alert:${id}`) },
        "Snooze"));
      }
      actions.push(h("button", { type: "button", class: "small", "aria-expanded": String(editing), "data-key": `edit-${id}`,
        "aria-label": `Change alert ${whenText}`,
        onclick: () => { toggle(view.editing, id); draw(); main.querySelector(`[data-alert-id="${id}"] .alert-edit input`)?.focus(); } },
      "Change"));
    }
    const statusKind = { active: "on", snoozed: "warn", silenced: "warn", upcoming: "info" }[status.key] ?? "";
    return h("li", { class: `alert ${status.snoozed ? "snoozed" : ""}`, "data-alert-id": id, "data-status": status.key },
      h("div", {},
        h("div", { class: "alert-when" }, whenText),
        h("div", { class: "alert-facts" },
          alert.label ? h("span", {}, alert.label) : null,
          alert.offset_minutes !== null && alert.offset_minutes !== undefined ? h("span", {}, describeOffset(alert.offset_minutes)) : null,
          h("span", {}, describeDuration(Math.round((Date.parse(alert.ends_at) - Date.parse(alert.starts_at)) / 60000))),
          h("span", {}, alert.pattern === "blink" ? "blinking" : "steady"),
          badge(status.until ? `snoozed until ${formatTime(status.until)}` : status.label, statusKind),
          pending.has(`alert:${id}`) ? badge("change pending", "info") : null)),
      h("div", { class: "actions" }, actions),
      editing ? changeAlertForm(app, alert, {
        onDone: (jobId) => { view.editing.delete(id); tracked(jobId, "Change alert", `alert:${id}`); },
        onCancel: () => { view.editing.delete(id); draw(); main.querySelector(`[data-key="edit-${id}"]`)?.focus(); },
      }) : null);
  }

  function addAlert(event) {
    const id = event.event_id;
    const details = h("details", { class: "alert-add-box" }, h("summary", {}, "Add an alert"));
    if (view.adding.has(id)) details.open = true;
    details.addEventListener("toggle", () => (details.open ? view.adding.add(id) : view.adding.delete(id)));
    details.append(h("div", { class: "alert-add" }, addAlertForm(app, event, {
      onDone: (jobId) => { view.adding.delete(id); tracked(jobId, "Add alert", `event:${id}`); },
    })));
    return details;
  }

  function eventActions(event) {
    const id = event.event_id;
    return h("div", { class: "actions" },
      confirmButton(`cancel-${id}`, "Cancel event", "Yes, cancel it",
        () => app.api.updateEvent(id, { cancelled: true }), "Cancel event", `event:${id}`),
      confirmButton(`delete-${id}`, "Delete event", "Yes, delete it",
        () => app.api.deleteEvent(id), "Delete event", `event:${id}`));
  }

  function deleteOnly(event) {
    const id = event.event_id;
    return h("div", { class: "actions" },
      confirmButton(`delete-${id}`, "Delete event", "Yes, delete it", () => app.api.deleteEvent(id), "Delete event", `event:${id}`));
  }

  /** A destructive button that asks once more in place (no modal dialog). */
  function confirmButton(key, label, confirmLabel, call, jobLabel, target) {
    if (!view.confirming.has(key)) {
      return h("button", { type: "button", class: "small danger", "data-key": key,
        onclick: () => { view.confirming.add(key); draw(); main.querySelector(`[data-key="${key}-yes"]`)?.focus(); } }, label);
    }
    return h("span", { class: "actions", role: "group", "aria-label": label },
      h("button", { type: "button", class: "small danger", "data-key": `${key}-yes`,
        onclick: (e) => { view.confirming.delete(key); send(e.currentTarget, call, jobLabel, target); } }, confirmLabel),
      h("button", { type: "button", class: "small", "data-key": `${key}-no`,
        onclick: () => { view.confirming.delete(key); draw(); main.querySelector(`[data-key="${key}"]`)?.focus(); } }, "Keep it"));
  }

  function toggle(set, value) {
    if (set.has(value)) set.delete(value);
    else set.add(value);
  }

  function tracked(jobId, label, target) {
    app.jobs.track(jobId, label, target);
    toast(`${label}: sent to the device.`);
    draw();
  }

  function send(button, call, label, target) {
    return busy(button, async () => {
      try {
        tracked(jobIdFrom(await call()), label, target);
      } catch (failure) {
        toast(`${label}: ${failure.message}`, "bad");
      }
    });
  }

  let timer = null;
  let active = true; // false once the page has moved on: a late answer must not redraw or re-arm
  async function load() {
    clearTimeout(timer);
    const [events, device, next] = await Promise.allSettled([app.api.events(), app.api.device(), app.api.next()]);
    if (!active) return;
    view.eventsError = events.status === "rejected" ? `Events could not be loaded: ${events.reason.message}` : "";
    if (events.status === "fulfilled") view.events = events.value;
    view.deviceError = device.status === "rejected" ? `Status could not be loaded: ${device.reason.message}` : "";
    if (device.status === "fulfilled") view.device = device.value;
    view.nextError = next.status === "rejected" ? `What is next could not be loaded: ${next.reason.message}` : "";
    if (next.status === "fulfilled") view.next = next.value;
    // Don't redraw under someone typing in a form.
    if (!document.activeElement?.closest?.("form")) draw();
    // Poll quickly while a change is on its way, and a little after: the read copy is
    // synced by the device just after it reports the job done.
    const fast = app.jobs.pending || Date.now() < view.fastUntil;
    timer = setTimeout(load, fast ? 2000 : REFRESH_MS);
  }

  const onJobs = () => drawPending();
  const onFinished = () => {
    view.fastUntil = Date.now() + 15_000;
    load();
  };
  app.jobs.addEventListener("change", onJobs);
  app.jobs.addEventListener("finished", onFinished);
  load();
  const ticker = setInterval(drawNext, 1000); // the countdown's seconds
  return () => {
    active = false;
    clearTimeout(timer);
    clearInterval(ticker);
    app.jobs.removeEventListener("change", onJobs);
    app.jobs.removeEventListener("finished", onFinished);
  };
}
