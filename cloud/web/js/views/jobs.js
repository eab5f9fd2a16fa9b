/**
 * Jobs: the changes sent to the device, pending first; refreshes itself while any is
 * pending. Each row names the event (and the alert) it changes, read from the device's
 * events; a reason is red only when the job failed.
 */

import { h, replace } from "../dom.js";
import { alertLabel, has, reason, t } from "../i18n.js";
import { FAILED_JOB, PENDING_JOB, eventTitle } from "../model.js";
import { formatClock, formatDateTime, formatDay, formatTime, relative } from "../time.js";
import { jobBadge } from "../ui.js";

const POLL_MS = 2000;

/** event id → event, alert id → {event, alert}, from GET /events. */
function index(events) {
  const byEvent = new Map();
  const byAlert = new Map();
  for (const event of events) {
    byEvent.set(event.event_id, event);
    for (const alert of event.alerts ?? []) byAlert.set(alert.alert_id, { event, alert });
  }
  return { byEvent, byAlert };
}

/** "Snooze alert · KAA Gent – Club Brugge, final call Sat 29 Nov 14:45" (ids when the event is gone). */
function describe(job, known) {
  let detail = "";
  try {
    const doc = typeof job.document === "string" ? JSON.parse(job.document) : job.document;
    const found = doc?.alert_id ? known.byAlert.get(doc.alert_id) : null;
    const event = found?.event ?? (doc?.event_id ? known.byEvent.get(doc.event_id) : null);
    if (found) {
      const { alert } = found;
      detail = t("jobs.alertOf", { event: eventTitle(event), label: alert.label ? alertLabel(alert.label) : t("jobs.alert"),
        when: `${formatDay(alert.starts_at)} ${formatTime(alert.starts_at)}` });
    } else if (event) detail = eventTitle(event);
    else detail = doc?.title ?? (doc?.alert_id ? t("jobs.alertId", { id: doc.alert_id })
      : doc?.event_id ? t("jobs.eventId", { id: doc.event_id }) : "");
  } catch {
    detail = "";
  }
  const operation = !job.operation ? "?" : has(`job.op.${job.operation}`) ? t(`job.op.${job.operation}`) : job.operation;
  return [operation, detail].filter(Boolean).join(" · ");
}

function table(caption, jobs, showReason, known) {
  if (!jobs.length) return h("p", { class: "empty" }, t(showReason ? "jobs.noneFinished" : "jobs.nonePending"));
  return h("div", { class: "table-wrap" }, h("table", { class: "stack" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("jobs.change")), h("th", { scope: "col" }, t("jobs.status")),
      h("th", { scope: "col" }, t("jobs.askedBy")), h("th", { scope: "col" }, t("jobs.asked")),
      h("th", { scope: "col" }, t("jobs.updated")),
      showReason ? h("th", { scope: "col" }, t("jobs.reason")) : null)),
    h("tbody", {}, jobs.map((job) => h("tr", { "data-job-id": job.job_id, "data-status": job.status },
      h("td", { "data-label": t("jobs.change") }, describe(job, known)),
      h("td", { "data-label": t("jobs.status") }, jobBadge(job.status)),
      h("td", { "data-label": t("jobs.askedBy") }, job.requested_by ?? ""),
      h("td", { "data-label": t("jobs.asked") }, job.created_at
        ? h("time", { datetime: job.created_at, title: formatDateTime(job.created_at) }, relative(job.created_at)) : ""),
      h("td", { "data-label": t("jobs.updated") }, job.updated_at ? formatDateTime(job.updated_at) : ""),
      showReason ? h("td", { "data-label": t("jobs.reason"), class: `reason ${FAILED_JOB.has(job.status) ? "failed" : ""}` },
        reason(job.reason ?? "")) : null)))));
}

export function render(app, main) {
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const body = h("div", {}, h("p", { class: "muted" }, t("jobs.loading")));
  const refresh = h("button", { type: "button", class: "small", onclick: () => load() }, t("refresh"));
  replace(main, h("div", { class: "page-head" }, h("h1", {}, t("nav.jobs")), refresh), status, body);

  let timer = null;
  let active = true; // false once the page has moved on: a late answer must not re-arm the timer
  let known = index([]);
  async function load() {
    clearTimeout(timer);
    let jobs;
    try {
      const [answer, events] = await Promise.allSettled([app.api.jobs(), app.api.events()]);
      if (answer.status === "rejected") throw answer.reason;
      jobs = answer.value;
      if (events.status === "fulfilled") known = index(events.value);
    } catch (failure) {
      if (!active) return;
      replace(body, h("p", { class: "form-error", role: "alert" }, t("jobs.loadFailed", { reason: reason(failure.message) })));
      timer = setTimeout(load, POLL_MS * 5);
      return;
    }
    if (!active) return;
    const pending = jobs.filter((job) => PENDING_JOB.has(job.status));
    const finished = jobs.filter((job) => !PENDING_JOB.has(job.status));
    replace(body,
      h("section", { class: "card", "aria-labelledby": "jobs-pending" },
        h("h2", { id: "jobs-pending" }, t("jobs.pending", { count: pending.length })),
        table(t("jobs.pendingCaption"), pending, false, known)),
      h("section", { class: "card", "aria-labelledby": "jobs-finished" }, h("h2", { id: "jobs-finished" }, t("jobs.finished")),
        table(t("jobs.finished"), finished, true, known)));
    status.textContent = pending.length ? t("jobs.polling") : t("jobs.upToDate", { time: formatClock(new Date()) });
    if (pending.length) timer = setTimeout(load, POLL_MS);
  }
  load();
  return () => {
    active = false;
    clearTimeout(timer);
  };
}
