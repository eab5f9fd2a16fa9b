/**
 * An admin's correction of a game: kick-off (venue date and time), title, venue. Only what
 * was changed is sent; on the device each becomes an override that scrapes keep until
 * someone follows the source again (ghela/scheduler/overrides.py).
 */

import { h } from "../dom.js";
import { reason, t } from "../i18n.js";
import { jobIdFrom } from "../model.js";
import { utcToVenue, venueToUtc } from "../time.js";
import { busy, field, showErrors } from "../ui.js";

// API field names → this form's field names.
const FIELD_OF = { start: "time" };

export function gameForm(app, event, { onDone, onCancel }) {
  const at = utcToVenue(event.start);
  const day = at.date || event.date || "";
  const fields = {
    date: field(t("form.date"), h("input", { type: "date", value: day, required: true })),
    time: field(t("game.kickoff"), h("input", { type: "time", value: at.time, required: true }), t("form.zoneHint")),
    title: field(t("form.title"), h("input", { type: "text", value: event.title ?? "", maxlength: "200" })),
    venue: field(t("game.venue"), h("input", { type: "text", value: event.venue ?? "", maxlength: "200" })),
  };
  const formError = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const save = h("button", { type: "submit", class: "primary small" }, t("game.save"));
  const cancel = h("button", { type: "button", class: "small", onclick: onCancel }, t("form.cancel"));
  const form = h("form", { novalidate: true, class: "game-edit" }, formError,
    h("div", { class: "row" }, Object.values(fields).map((entry) => entry.field)),
    h("div", { class: "actions" }, save, cancel));

  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const errors = {};
    const body = {};
    const start = venueToUtc(fields.date.control.value, fields.time.control.value);
    if (!start) errors.time = t("form.needDateTime");
    else if (start.toISOString() !== (event.start ? new Date(event.start).toISOString() : "")) body.start = start.toISOString();
    const title = fields.title.control.value.trim();
    if (title && title !== (event.title ?? "")) body.title = title;
    const venue = fields.venue.control.value.trim();
    if (venue && venue !== (event.venue ?? "")) body.venue = venue;
    if (!Object.keys(errors).length && !Object.keys(body).length) errors._form = t("game.nothingChanged");
    if (Object.keys(errors).length) return showErrors(fields, formError, errors);
    showErrors(fields, formError, {});
    busy(save, async () => {
      try {
        onDone(jobIdFrom(await app.api.updateEvent(event.event_id, body)));
      } catch (failure) {
        const mapped = Object.fromEntries(Object.entries(failure.fields ?? {}).map(([k, v]) => [FIELD_OF[k] ?? k, reason(v)]));
        showErrors(fields, formError, mapped, reason(failure.message));
      }
    });
  });
  return h("div", { class: "game-edit-box" }, h("h4", { class: "visually-hidden" }, t("game.change")), form);
}
