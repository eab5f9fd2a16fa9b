/**
 * The two alert forms on the dashboard: change an alert, add an alert to an event.
 * Both validate what they can here and show the API's field errors beside the fields.
 */

import { h } from "../dom.js";
import { reason, t } from "../i18n.js";
import { jobIdFrom } from "../model.js";
import { utcToVenue, venueToUtc } from "../time.js";
import { busy, field, showErrors } from "../ui.js";

const PATTERNS = [["steady", "pattern.Steady"], ["blink", "pattern.Blinking"]];
// API field names → this form's field names.
const FIELD_OF = { offset_minutes: "before", duration_minutes: "duration", at: "date", starts_at: "date" };

function integer(text) {
  return /^-?\d+$/.test(String(text).trim()) ? Number(text) : NaN;
}

function patternSelect(value) {
  return h("select", { name: "pattern" },
    PATTERNS.map(([key, label]) => h("option", { value: key, selected: key === value }, t(label))));
}

function minutesBetween(start, end) {
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? Math.round(ms / 60000) : 30;
}

/**
 * Build an alert form. ``alert`` (optional) pre-fills it; ``submit(body)`` sends it and
 * returns the API's answer; ``onDone(jobId)`` runs after a successful send.
 */
function alertForm({ alert, byTime, submitLabel, submit, onDone, onCancel, keyPrefix }) {
  const fields = {};
  const minutesBefore = alert?.offset_minutes !== null && alert?.offset_minutes !== undefined ? -alert.offset_minutes : 180;
  if (byTime) {
    const at = utcToVenue(alert?.starts_at);
    fields.date = field(t("form.date"), h("input", { type: "date", value: at.date, required: true }));
    fields.time = field(t("form.time"), h("input", { type: "time", value: at.time, required: true }), t("form.zoneHint"));
  } else {
    fields.before = field(t("alertForm.before"),
      h("input", { type: "number", inputmode: "numeric", step: "1", value: String(minutesBefore), required: true,
        "data-key": `${keyPrefix}-before` }),
      t("alertForm.beforeHint"));
  }
  fields.duration = field(t("alertForm.duration"),
    h("input", { type: "number", inputmode: "numeric", min: "1", max: "10080", step: "1",
      value: String(alert ? minutesBetween(alert.starts_at, alert.ends_at) : 30), required: true }));
  fields.pattern = field(t("alertForm.pattern"), patternSelect(alert?.pattern ?? "steady"));
  if (!alert) fields.label = field(t("alertForm.label"), h("input", { type: "text", maxlength: "100" }));
  const formError = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const save = h("button", { type: "submit", class: "primary small" }, submitLabel);
  const cancel = onCancel ? h("button", { type: "button", class: "small", onclick: onCancel }, t("form.cancel")) : null;
  const form = h("form", { novalidate: true }, formError,
    h("div", { class: "row" }, Object.values(fields).map((entry) => entry.field)),
    h("div", { class: "actions" }, save, cancel));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = {};
    const body = {};
    if (byTime) {
      const at = venueToUtc(fields.date.control.value, fields.time.control.value);
      if (!at) errors.date = t("form.needDateTime");
      else body.at = at.toISOString();
    } else {
      const before = integer(fields.before.control.value);
      if (Number.isNaN(before)) errors.before = t("alertForm.wholeMinutes");
      else if (before > 20160 || before < -1440) errors.before = t("alertForm.beforeRange");
      else body.offset_minutes = -before;
    }
    const duration = integer(fields.duration.control.value);
    if (Number.isNaN(duration) || duration < 1 || duration > 10080) errors.duration = t("alertForm.durationRange");
    else body.duration_minutes = duration;
    body.pattern = fields.pattern.control.value;
    if (fields.label?.control.value.trim()) body.label = fields.label.control.value.trim();
    if (Object.keys(errors).length) return showErrors(fields, formError, errors);
    showErrors(fields, formError, {});
    busy(save, async () => {
      try {
        const answer = await submit(body);
        onDone(jobIdFrom(answer));
      } catch (failure) {
        const mapped = Object.fromEntries(Object.entries(failure.fields ?? {}).map(([k, v]) => [FIELD_OF[k] ?? k, reason(v)]));
        showErrors(fields, formError, mapped, reason(failure.message));
      }
    });
  });
  return form;
}

export function changeAlertForm(app, alert, { onDone, onCancel }) {
  const byTime = alert.offset_minutes === null || alert.offset_minutes === undefined;
  return h("div", { class: "alert-edit" }, h("h4", { class: "visually-hidden" }, t("alertForm.changeHeading")),
    alertForm({
      alert, byTime, submitLabel: t("alertForm.save"), keyPrefix: `edit-${alert.alert_id}`,
      submit: (body) => app.api.updateAlert(alert.alert_id, body),
      onDone, onCancel,
    }));
}

export function addAlertForm(app, event, { onDone }) {
  return alertForm({
    alert: null, byTime: false, submitLabel: t("job.op.addAlert"), keyPrefix: `add-${event.event_id}`,
    submit: (body) => app.api.addAlert(event.event_id, body),
    onDone,
  });
}
