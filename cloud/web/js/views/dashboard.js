/**
 * The dashboard: what lights next (the API's line, with a countdown in its last hour),
 * upcoming events with their alerts and actions, the device's status (and its health, for
 * admins), and the changes this page sent that are still on their way to the device.
 *
 * States are shown as they are: a cancelled event offers no actions on its alerts, a moved
 * one says from when to when. Admins (the API's ``admin`` on GET /devices) may cancel,
 * un-cancel and change a game; the API refuses it anyone else all the same.
 */

import { h, replace } from "../dom.js";
import { alertLabel, reason, t } from "../i18n.js";
import { alertStatus, deviceFrom, eventTitle, jobIdFrom, nextLine as nextText } from "../model.js";
import {
  countdown, describeDuration, describeOffset, formatDateTime, formatDay, formatLocalDate, formatTime, relative,
} from "../time.js";
import { badge, busy, toast } from "../ui.js";
import { addAlertForm, changeAlertForm } from "./alertforms.js";
import { gameForm } from "./gameform.js";
import { devicePicker } from "./devices.js";
import { healthCard } from "./health.js";

const REFRESH_MS = 15_000;
const SNOOZE_CHOICES = [["", "snooze.whole"], ["15", "snooze.15"], ["30", "snooze.30"], ["60", "snooze.60"]];
const STATE_KIND = { scheduled: "info", updated: "warn", cancelled: "bad", finished: "" };

export function render(app, main) {
  const view = {
    events: null, device: null, next: null, devices: null, eventsError: "", deviceError: "", nextError: "",
    editing: new Set(), adding: new Set(), confirming: new Set(), changing: new Set(), fastUntil: 0,
  };
  const nextLine = h("p", { class: "next-up", "data-next": "loading", "aria-live": "polite" }, t("next.loading"));
  const pendingStrip = h("div", { class: "pending-strip", "aria-live": "polite" });
  const eventsBox = h("div", { "aria-busy": "true" }, h("p", { class: "muted" }, t("events.loading")));
  const deviceBox = h("section", { class: "card device", "aria-labelledby": "device-title" },
    h("h2", { id: "device-title" }, t("device.title")), h("p", { class: "muted" }, t("loading")));
  const healthBox = h("div", {});
  const refreshButton = h("button", { type: "button", class: "small", onclick: () => load() }, t("refresh"));
  const pickerSlot = h("span", { class: "device-picker" });

  replace(main,
    nextLine,
    h("div", { class: "page-head" },
      h("h1", {}, t("events.title")),
      pickerSlot,
      h("a", { class: "button small", href: "#/events/new" }, t("nav.newEvent")),
      refreshButton),
    h("p", { class: "muted" }, t("events.zoneNote")),
    pendingStrip,
    h("div", { class: "dashboard" },
      h("aside", { class: "side" }, deviceBox, healthBox),
      h("section", { class: "events", "aria-label": t("events.label") }, eventsBox)));

  const admin = () => Boolean(view.devices?.admin);

  /** Re-render, keeping focus on the same control (by data-key) when it still exists. */
  function draw() {
    const focusKey = document.activeElement?.dataset?.key;
    drawNext();
    drawEvents();
    drawDevice();
    drawHealth();
    drawPending();
    if (view.devices && !pickerSlot.firstChild) pickerSlot.append(devicePicker(app, view.devices) ?? "");
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
    replace(nextLine, h("strong", {}, nextText(view.next)),
      left ? h("span", { class: "countdown", "data-countdown": "" }, ` (${left})`) : null);
  }

  function drawPending() {
    const labels = [...app.jobs.tracked.values()].map((t) => t.label);
    replace(pendingStrip, labels.length
      ? [h("span", { class: "spinner", "aria-hidden": "true" }),
        h("span", {}, t("pending.waiting", { labels: labels.join(", ") })),
        h("a", { href: "#/jobs" }, t("pending.seeJobs"))]
      : []);
  }

  function drawDevice() {
    if (view.deviceError) {
      replace(deviceBox, h("h2", { id: "device-title" }, t("device.title")), h("p", { class: "form-error" }, view.deviceError));
      return;
    }
    if (!view.device) return;
    const d = deviceFrom(view.device);
    const lamp = h("span", { class: `lamp ${d.lightOn ? "on" : ""} ${d.pattern === "blink" ? "blink" : ""}`, "aria-hidden": "true" });
    document.getElementById("brand-lamp")?.setAttribute("class", lamp.getAttribute("class"));
    replace(deviceBox,
      h("h2", { id: "device-title" }, t("device.title")),
      h("div", { class: "light", "data-light": d.lightOn ? "on" : "off" }, lamp,
        d.lightOn ? t(d.pattern === "blink" ? "light.onBlink" : "light.onSteady") : t("light.off")),
      h("dl", {},
        d.name ? [h("dt", {}, t("device.device")), h("dd", {}, d.name)] : null,
        h("dt", {}, t("device.status")),
        h("dd", { "data-online": d.online ? "yes" : "no" }, badge(t(d.online ? "device.online" : "device.offline"), d.online ? "ok" : "bad")),
        h("dt", {}, t("device.lastHeartbeat")),
        h("dd", {}, d.lastSeen
          ? h("time", { datetime: d.lastSeen, title: formatDateTime(d.lastSeen) }, relative(d.lastSeen))
          : t("device.never")),
        d.since ? [h("dt", {}, t(d.lightOn ? "device.onSince" : "device.offSince")), h("dd", {}, formatDateTime(d.since))] : null,
        d.version ? [h("dt", {}, t("device.software")), h("dd", {}, d.version)] : null),
      admin() ? h("div", { class: "actions" },
        h("button", { type: "button", class: "small", "data-key": "scrape-now", "data-action": "scrape-now",
          onclick: (e) => send(e.currentTarget, () => app.api.scrapeNow(), t("job.op.scrapeNow"), "") }, t("job.op.scrapeNow")))
        : null,
      disagreements());
  }

  /** The admin's health card (component states, last scrapes, last sync); nothing for staff. */
  function drawHealth() {
    replace(healthBox, admin() && view.device ? healthCard(view.device) : []);
  }

  /** The games whose sources disagree on when they are (each planned from the earliest). */
  function disagreements() {
    if (!view.events) return null;
    const disputed = view.events.filter((event) => event.disputed);
    if (!disputed.length) return h("p", { class: "sources-agree muted" }, t("sources.agree"));
    return h("div", { class: "disagreements", role: "status" },
      h("h3", {}, t("sources.disagreeOn", { count: disputed.length })),
      h("ul", {}, disputed.map((event) => h("li", {},
        h("strong", {}, eventTitle(event)), ": ", sourcesSay(event), t("sources.plannedEarliest")))));
  }

  function said(source) {
    return source.start ? formatDateTime(source.start) : t("sources.dateOnly", { date: formatLocalDate(source.date) });
  }

  function sourcesSay(event) {
    return (event.sources ?? []).map((source) => t("sources.says", { source: source.source, what: said(source) })).join("; ");
  }

  function overrideValue(field, value) {
    if (field === "start" && value.includes("T")) return formatDateTime(value);
    if (field === "cancelled") return { true: t("override.cancelled"), listed: t("override.listed"), gone: t("override.gone") }[value] ?? value;
    return value;
  }

  /** "Source says X, set to Y by Z", with the action that follows the source again. */
  function overrideRow(event, override) {
    const id = event.event_id;
    const key = `follow-${id}-${override.field}`;
    return h("li", { class: "override", "data-field": override.field },
      h("span", {}, `${t(`override.field.${override.field}`)}: `,
        t("override.sourceSays", { value: overrideValue(override.field, override.source_value) }),
        h("strong", {}, t("override.setTo", { value: overrideValue(override.field, override.value) })),
        t("override.by", { by: override.by })),
      h("button", { type: "button", class: "small", "data-key": key, "data-action": "follow-source",
        onclick: (e) => send(e.currentTarget, () => app.api.updateEvent(id, { followSource: override.field }),
          t("override.follow"), `event:${id}`) }, t("override.follow")));
  }

  function drawEvents() {
    eventsBox.removeAttribute("aria-busy");
    if (view.eventsError) {
      replace(eventsBox, h("p", { class: "form-error", role: "alert" }, view.eventsError));
      return;
    }
    if (!view.events) return;
    if (!view.events.length) {
      replace(eventsBox, h("p", { class: "empty" }, t("events.none")));
      return;
    }
    const pending = app.jobs.pendingTargets();
    replace(eventsBox, view.events.map((event) => eventCard(event, pending)));
  }

  function eventCard(event, pending) {
    const custom = event.kind === "custom";
    const cancelled = event.state === "cancelled";
    const titleId = `event-${event.event_id}-title`;
    const when = event.start
      ? h("p", { class: "when" }, h("time", { datetime: event.start }, formatDateTime(event.start)),
        event.end ? ` – ${formatTime(event.end)}` : null)
      : h("p", { class: "when" }, event.date ? `${formatLocalDate(event.date)} · ` : "", h("strong", {}, t("events.timeUnknown")));
    const alerts = event.alerts ?? [];
    return h("article", {
      class: `card event state-${event.state} kind-${event.kind}`, "data-event-id": event.event_id, "aria-labelledby": titleId,
    },
    h("div", { class: "event-head" },
      h("h3", { id: titleId }, eventTitle(event)),
      badge(t(custom ? "events.custom" : "events.game")),
      badge(t(`state.${event.state}`), STATE_KIND[event.state] ?? ""),
      pending.has(`event:${event.event_id}`) ? badge(t("pending.badge"), "info") : null),
    when,
    moved(event),
    cancelled ? h("p", { class: "cancelled-note", "data-cancelled": "" }, t("events.cancelledNote")) : null,
    event.competition || event.venue
      ? h("p", { class: "meta" }, [event.competition, event.venue].filter(Boolean).join(" · ")) : null,
    event.disputed ? h("p", { class: "disputed" }, badge(t("sources.disagree"), "warn"), " ", sourcesSay(event),
      t("sources.plannedEarliest")) : null,
    event.overrides?.length
      ? h("ul", { class: "overrides", "aria-label": t("override.listLabel", { title: eventTitle(event) }) },
        event.overrides.map((override) => overrideRow(event, override))) : null,
    alerts.length
      ? h("ul", { class: "alerts", "aria-label": t("alerts.listLabel", { title: eventTitle(event) }) },
        alerts.map((alert) => alertRow(alert, pending, cancelled)))
      : h("p", { class: "empty" }, t(event.start ? "alerts.none" : "alerts.waitTime")),
    !cancelled ? addAlert(event) : null,
    custom && !cancelled ? eventActions(event) : custom ? deleteOnly(event) : null,
    !custom && admin() ? gameActions(event) : null);
  }

  /** "Kick-off moved: Sat 14:45 → Sun 18:30" for an updated event whose start changed. */
  function moved(event) {
    if (event.state !== "updated") return null;
    const was = event.previous_start ? formatDateTime(event.previous_start)
      : event.previous_date ? t("sources.dateOnly", { date: formatLocalDate(event.previous_date) }) : "";
    if (!was) return null;
    const now = event.start ? formatDateTime(event.start) : t("sources.dateOnly", { date: formatLocalDate(event.date) });
    return h("p", { class: "moved", "data-moved": "" }, t("events.moved"), " ",
      h("del", {}, was), " → ", h("strong", {}, now));
  }

  /** An admin's actions on a game: change it, cancel it, or (cancelled by a person) un-cancel it. */
  function gameActions(event) {
    const id = event.event_id;
    const cancelledByPerson = (event.overrides ?? []).some((o) => o.field === "cancelled");
    if (event.state === "cancelled") {
      return cancelledByPerson
        ? h("div", { class: "actions" }, h("button", { type: "button", class: "small", "data-key": `uncancel-${id}`,
          "data-action": "uncancel",
          onclick: (e) => send(e.currentTarget, () => app.api.updateEvent(id, { followSource: "cancelled" }),
            t("game.uncancel"), `event:${id}`) }, t("game.uncancel")))
        : h("p", { class: "muted" }, t("game.goneFromSources"));
    }
    const changing = view.changing.has(id);
    return h("div", {},
      h("div", { class: "actions" },
        h("button", { type: "button", class: "small", "aria-expanded": String(changing), "data-key": `change-game-${id}`,
          onclick: () => { toggle(view.changing, id); draw(); main.querySelector(`[data-event-id="${id}"] .game-edit input`)?.focus(); } },
        t("game.change")),
        confirmButton(`cancel-game-${id}`, t("game.cancel"), t("game.cancelYes"),
          () => app.api.updateEvent(id, { cancelled: true }), t("game.cancel"), `event:${id}`)),
      changing ? gameForm(app, event, {
        onDone: (jobId) => { view.changing.delete(id); tracked(jobId, t("game.change"), `event:${id}`); },
        onCancel: () => { view.changing.delete(id); draw(); main.querySelector(`[data-key="change-game-${id}"]`)?.focus(); },
      }) : null);
  }

  function alertRow(alert, pending, cancelled) {
    const status = cancelled ? { key: "cancelled", label: t("state.cancelled"), snoozed: false } : alertStatus(alert);
    const id = alert.alert_id;
    const whenText = `${formatDay(alert.starts_at)} ${formatTime(alert.starts_at)}–${formatTime(alert.ends_at)}`;
    const editing = view.editing.has(id);
    const actions = [];
    if (status.key !== "past" && status.key !== "cancelled") {
      if (status.snoozed) {
        actions.push(h("button", { type: "button", class: "small", "data-key": `unsnooze-${id}`, "data-action": "unsnooze",
          "aria-label": t("alert.unsnoozeLabel", { when: whenText }),
          onclick: (e) => send(e.currentTarget, () => app.api.unsnooze(id), t("alert.unsnooze"), `alert:${id}`) }, t("alert.unsnooze")));
      } else {
        const choice = h("select", { "aria-label": t("alert.snoozeLengthLabel", { when: whenText }), "data-key": `snooze-len-${id}` },
          SNOOZE_CHOICES.map(([value, label]) => h("option", { value }, t(label))));
        actions.push(choice, h("button", { type: "button", class: "small", "data-key": `snooze-${id}`, "data-action": "snooze",
          "aria-label": t("alert.snoozeLabel", { when: whenText }),
          onclick: (e) => send(e.currentTarget, () => app.api.snooze(id, Number(choice.value) || null), t("alert.snooze"), `alert:${id}`) },
        t("alert.snooze")));
      }
      actions.push(h("button", { type: "button", class: "small", "aria-expanded": String(editing), "data-key": `edit-${id}`,
        "aria-label": t("alert.changeLabel", { when: whenText }),
        onclick: () => { toggle(view.editing, id); draw(); main.querySelector(`[data-alert-id="${id}"] .alert-edit input`)?.focus(); } },
      t("alert.change")));
    }
    const statusKind = { active: "on", snoozed: "warn", silenced: "warn", upcoming: "info", cancelled: "bad" }[status.key] ?? "";
    return h("li", { class: `alert ${status.snoozed ? "snoozed" : ""}`, "data-alert-id": id, "data-status": status.key },
      h("div", {},
        h("div", { class: "alert-when" }, whenText),
        h("div", { class: "alert-facts" },
          alert.label ? h("span", { "data-label": "" }, alertLabel(alert.label)) : null,
          alert.offset_minutes !== null && alert.offset_minutes !== undefined ? h("span", {}, describeOffset(alert.offset_minutes)) : null,
          h("span", {}, describeDuration(Math.round((Date.parse(alert.ends_at) - Date.parse(alert.starts_at)) / 60000))),
          h("span", {}, t(alert.pattern === "blink" ? "pattern.blinking" : "pattern.steady")),
          badge(status.until ? t("alert.snoozedUntil", { time: formatTime(status.until) }) : status.label, statusKind),
          pending.has(`alert:${id}`) ? badge(t("pending.badge"), "info") : null)),
      h("div", { class: "actions" }, actions),
      editing ? changeAlertForm(app, alert, {
        onDone: (jobId) => { view.editing.delete(id); tracked(jobId, t("job.op.updateAlert"), `alert:${id}`); },
        onCancel: () => { view.editing.delete(id); draw(); main.querySelector(`[data-key="edit-${id}"]`)?.focus(); },
      }) : null);
  }

  function addAlert(event) {
    const id = event.event_id;
    const details = h("details", { class: "alert-add-box" }, h("summary", {}, t("alert.addSummary")));
    if (view.adding.has(id)) details.open = true;
    details.addEventListener("toggle", () => (details.open ? view.adding.add(id) : view.adding.delete(id)));
    details.append(h("div", { class: "alert-add" }, addAlertForm(app, event, {
      onDone: (jobId) => { view.adding.delete(id); tracked(jobId, t("job.op.addAlert"), `event:${id}`); },
    })));
    return details;
  }

  function eventActions(event) {
    const id = event.event_id;
    return h("div", { class: "actions" },
      confirmButton(`cancel-${id}`, t("job.op.cancelEvent"), t("event.cancelYes"),
        () => app.api.updateEvent(id, { cancelled: true }), t("job.op.cancelEvent"), `event:${id}`),
      confirmButton(`delete-${id}`, t("job.op.deleteEvent"), t("event.deleteYes"),
        () => app.api.deleteEvent(id), t("job.op.deleteEvent"), `event:${id}`));
  }

  function deleteOnly(event) {
    const id = event.event_id;
    return h("div", { class: "actions" },
      confirmButton(`delete-${id}`, t("job.op.deleteEvent"), t("event.deleteYes"), () => app.api.deleteEvent(id),
        t("job.op.deleteEvent"), `event:${id}`));
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
        onclick: () => { view.confirming.delete(key); draw(); main.querySelector(`[data-key="${key}"]`)?.focus(); } }, t("event.keep")));
  }

  function toggle(set, value) {
    if (set.has(value)) set.delete(value);
    else set.add(value);
  }

  function tracked(jobId, label, target) {
    app.jobs.track(jobId, label, target);
    toast(t("toast.sent", { label }));
    draw();
  }

  function send(button, call, label, target) {
    return busy(button, async () => {
      try {
        tracked(jobIdFrom(await call()), label, target);
      } catch (failure) {
        toast(`${label}: ${reason(failure.message)}`, "bad");
      }
    });
  }

  let timer = null;
  let active = true; // false once the page has moved on: a late answer must not redraw or re-arm
  async function load() {
    clearTimeout(timer);
    const [events, device, next, devices] = await Promise.allSettled(
      [app.api.events(), app.api.device(), app.api.next(), app.api.devices()]);
    if (!active) return;
    const failed = (key, answer) => (answer.status === "rejected" ? t(key, { reason: reason(answer.reason.message) }) : "");
    view.eventsError = failed("events.loadFailed", events);
    if (events.status === "fulfilled") view.events = events.value;
    view.deviceError = failed("device.loadFailed", device);
    if (device.status === "fulfilled") view.device = device.value;
    view.nextError = failed("next.loadFailed", next);
    if (next.status === "fulfilled") view.next = next.value;
    if (devices.status === "fulfilled") view.devices = devices.value;
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
