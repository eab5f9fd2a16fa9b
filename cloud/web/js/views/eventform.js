/** Create a custom event (a concert, a party): it gets the standard alert plan. */

import { h, replace } from "../dom.js";
import { jobIdFrom } from "../model.js";
import { utcToVenue, venueToUtc } from "../time.js";
import { busy, field, showErrors, toast } from "../ui.js";

// API field names → this form's field names.
const FIELD_OF = { start: "startTime", end: "endTime" };

export function render(app, main) {
  const today = utcToVenue(new Date()).date;
  const fields = {
    title: field("Title", h("input", { type: "text", name: "title", required: true, autocomplete: "off" }),
      "For example: Concert, Company party"),
    date: field("Date", h("input", { type: "date", name: "date", min: today, required: true }), "The day in Ghent"),
    startTime: field("Starts at", h("input", { type: "time", name: "start", required: true }), "Brussels time"),
    endTime: field("Ends at (optional)", h("input", { type: "time", name: "end" }), "Brussels time, same day"),
  };
  const formError = h("div", { class: "form-error", role: "alert", tabindex: "-1" });
  const submit = h("button", { type: "submit", class: "primary" }, "Create event");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "new-event-title" },
    formError,
    fields.title.field,
    h("div", { class: "row" }, fields.date.field, fields.startTime.field, fields.endTime.field),
    h("p", { class: "muted" }, "The event gets the standard alerts (as for a home game); you can change them afterwards on the dashboard."),
    h("div", { class: "actions" }, submit, h("a", { class: "button", href: "#/" }, "Back to the dashboard")));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const errors = {};
    const title = fields.title.control.value.trim();
    if (!title) errors.title = "Enter a title.";
    const dateText = fields.date.control.value;
    const start = venueToUtc(dateText, fields.startTime.control.value);
    if (!dateText) errors.date = "Choose the date.";
    else if (!start) errors.startTime = "Enter the start time.";
    let end = null;
    if (fields.endTime.control.value) {
      end = venueToUtc(dateText, fields.endTime.control.value);
      if (!end) errors.endTime = "Enter a valid end time or leave it empty.";
      else if (start && end <= start) errors.endTime = "The end must be after the start.";
    }
    if (Object.keys(errors).length) return showErrors(fields, formError, errors);
    showErrors(fields, formError, {});
    const body = { title, start: start.toISOString() };
    if (end) body.end = end.toISOString();
    busy(submit, async () => {
      try {
        const answer = await app.api.createEvent(body);
        app.jobs.track(jobIdFrom(answer), `Create “${title}”`, "");
        toast(`“${title}” sent to the device; it appears on the dashboard once applied.`);
        app.navigate("#/");
      } catch (failure) {
        const mapped = Object.fromEntries(Object.entries(failure.fields ?? {}).map(([k, v]) => [FIELD_OF[k] ?? k, v]));
        showErrors(fields, formError, mapped, failure.message);
      }
    });
  });

  replace(main, h("div", { class: "page-head" }, h("h1", { id: "new-event-title" }, "New custom event")), form);
  fields.title.control.focus();
}
