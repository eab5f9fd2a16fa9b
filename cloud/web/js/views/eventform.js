/** Create a custom event (a concert, a party): it gets the standard alert plan. */

import { h, replace } from "../dom.js";
import { reason, t } from "../i18n.js";
import { jobIdFrom } from "../model.js";
import { utcToVenue, venueToUtc } from "../time.js";
import { busy, field, showErrors, toast } from "../ui.js";

// API field names → this form's field names.
const FIELD_OF = { start: "startTime", end: "endTime" };

export function render(app, main) {
  const today = utcToVenue(new Date()).date;
  const fields = {
    title: field(t("form.title"), h("input", { type: "text", name: "title", required: true, autocomplete: "off" }),
      t("newEvent.titleHint")),
    date: field(t("form.date"), h("input", { type: "date", name: "date", min: today, required: true }), t("newEvent.dateHint")),
    startTime: field(t("newEvent.starts"), h("input", { type: "time", name: "start", required: true }), t("form.zoneHint")),
    endTime: field(t("newEvent.ends"), h("input", { type: "time", name: "end" }), t("newEvent.endHint")),
  };
  const formError = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, t("newEvent.create"));
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "new-event-title" },
    formError,
    fields.title.field,
    h("div", { class: "row" }, fields.date.field, fields.startTime.field, fields.endTime.field),
    h("p", { class: "muted" }, t("newEvent.planNote")),
    h("div", { class: "actions" }, submit, h("a", { class: "button", href: "#/" }, t("newEvent.back"))));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = {};
    const title = fields.title.control.value.trim();
    if (!title) errors.title = t("newEvent.needTitle");
    const dateText = fields.date.control.value;
    const start = venueToUtc(dateText, fields.startTime.control.value);
    if (!dateText) errors.date = t("newEvent.needDate");
    else if (!start) errors.startTime = t("newEvent.needStart");
    let end = null;
    if (fields.endTime.control.value) {
      end = venueToUtc(dateText, fields.endTime.control.value);
      if (!end) errors.endTime = t("newEvent.badEnd");
      else if (start && end <= start) errors.endTime = t("newEvent.endBeforeStart");
    }
    if (Object.keys(errors).length) return showErrors(fields, formError, errors);
    showErrors(fields, formError, {});
    const body = { title, start: start.toISOString() };
    if (end) body.end = end.toISOString();
    busy(submit, async () => {
      try {
        const answer = await app.api.createEvent(body);
        app.jobs.track(jobIdFrom(answer), t("newEvent.jobLabel", { title }), "");
        toast(t("newEvent.sent", { title }));
        app.navigate("#/");
      } catch (failure) {
        const mapped = Object.fromEntries(Object.entries(failure.fields ?? {}).map(([k, v]) => [FIELD_OF[k] ?? k, reason(v)]));
        showErrors(fields, formError, mapped, reason(failure.message));
      }
    });
  });

  replace(main, h("div", { class: "page-head" }, h("h1", { id: "new-event-title" }, t("newEvent.heading"))), form);
  fields.title.control.focus();
}
