/** Jobs: the changes sent to the device, pending first; refreshes itself while any is pending. */

import { h, replace } from "../dom.js";
import { PENDING_JOB } from "../model.js";
import { formatDateTime, relative } from "../time.js";
import { jobBadge } from "../ui.js";

const POLL_MS = 2000;

// Job document operations (ghela.core.jobdocs.OPERATIONS).
const OPERATIONS = {
  createEvent: "Create event", updateEvent: "Change event", cancelEvent: "Cancel event",
  deleteEvent: "Delete event", addAlert: "Add alert", updateAlert: "Change alert",
  snoozeAlert: "Snooze alert", unsnoozeAlert: "Unsnooze alert", scrapeNow: "Scrape now",
};

function describe(job) {
  let detail = "";
  try {
    const doc = typeof job.document === "string" ? JSON.parse(job.document) : job.document;
    detail = doc?.title ?? (doc?.alert_id ? `alert ${doc.alert_id}` : doc?.event_id ? `event ${doc.event_id}` : "");
  } catch {
    detail = "";
  }
  return [OPERATIONS[job.operation] ?? job.operation ?? "?", detail].filter(Boolean).join(" · ");
}

function table(caption, jobs, showReason) {
  if (!jobs.length) return h("p", { class: "empty" }, caption === "Pending" ? "Nothing pending." : "Nothing finished recently.");
  return h("div", { class: "table-wrap" }, h("table", { class: "stack" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Change"), h("th", { scope: "col" }, "Status"),
      h("th", { scope: "col" }, "Asked by"), h("th", { scope: "col" }, "Asked"), h("th", { scope: "col" }, "Updated"),
      showReason ? h("th", { scope: "col" }, "Reason") : null)),
    h("tbody", {}, jobs.map((job) => h("tr", { "data-job-id": job.job_id, "data-status": job.status },
      h("td", { "data-label": "Change" }, describe(job)),
      h("td", { "data-label": "Status" }, jobBadge(job.status)),
      h("td", { "data-label": "Asked by" }, job.requested_by ?? ""),
      h("td", { "data-label": "Asked" }, job.created_at
        ? h("time", { datetime: job.created_at, title: formatDateTime(job.created_at) }, relative(job.created_at)) : ""),
      h("td", { "data-label": "Updated" }, job.updated_at ? formatDateTime(job.updated_at) : ""),
      showReason ? h("td", { "data-label": "Reason", class: "reason" }, job.reason ?? "") : null)))));
}

export function render(app, main) {
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const body = h("div", {}, h("p", { class: "muted" }, "Loading jobs…"));
  const refresh = h("button", { type: "button", class: "small", onclick: () => load() }, "Refresh");
  replace(main, h("div", { class: "page-head" }, h("h1", {}, "Jobs"), refresh), status, body);

  let timer = null;
  let active = true; // false once the page has moved on: a late answer must not re-arm the timer
  async function load() {
    clearTimeout(timer);
    let jobs;
    try {
      jobs = await app.api.jobs();
    } catch (failure) {
      if (!active) return;
      replace(body, h("p", { class: "form-error", role: "alert" }, `Jobs could not be loaded: ${failure.message}`));
      timer = setTimeout(load, POLL_MS * 5);
      return;
    }
    if (!active) return;
    const pending = jobs.filter((job) => PENDING_JOB.has(job.status));
    const finished = jobs.filter((job) => !PENDING_JOB.has(job.status));
    replace(body,
      h("section", { class: "card", "aria-labelledby": "jobs-pending" }, h("h2", { id: "jobs-pending" }, `Pending (${pending.length})`),
        table("Pending", pending, false)),
      h("section", { class: "card", "aria-labelledby": "jobs-finished" }, h("h2", { id: "jobs-finished" }, "Recently finished"),
        table("Recently finished", finished, true)));
    status.textContent = pending.length
      ? "Updating every 2 seconds while something is pending."
      : `Up to date (${new Intl.DateTimeFormat("en-GB", { timeStyle: "medium" }).format(new Date())}).`;
    if (pending.length) timer = setTimeout(load, POLL_MS);
  }
  load();
  return () => {
    active = false;
    clearTimeout(timer);
  };
}
