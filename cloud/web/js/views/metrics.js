/** Metrics: the device's counters and heartbeat over 24 hours or 7 days, drawn as charts. */

import { barChart } from "../chart.js";
import { h, replace } from "../dom.js";
import { seriesFrom } from "../model.js";

const PERIODS = {
  "24h": { label: "the last 24 hours", span: 86_400_000, step: 3_600_000 },
  "7d": { label: "the last 7 days", span: 7 * 86_400_000, step: 6 * 3_600_000 },
};
const NAMES = {
  Heartbeat: "Heartbeats", EventsAdded: "Events added", EventsUpdated: "Events updated",
  EventsCancelled: "Events cancelled", AlertsStarted: "Alerts started", AlertsStopped: "Alerts stopped",
  AlertsSnoozed: "Alerts snoozed", ScrapesOk: "Scrapes OK", ScrapesFailed: "Scrapes failed",
  JobsSucceeded: "Jobs succeeded", JobsFailed: "Jobs failed", InvalidMessages: "Invalid messages",
};

export function render(app, main) {
  let period = "24h";
  const buttons = Object.keys(PERIODS).map((key) =>
    h("button", { type: "button", "aria-pressed": String(key === period), "data-period": key,
      onclick: () => { period = key; load(); } }, key === "24h" ? "24 hours" : "7 days"));
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading metrics…"));
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, "Metrics"),
      h("div", { class: "seg", role: "group", "aria-label": "Period" }, buttons)),
    body);

  let latest = 0; // only the answer to the latest request is drawn (a period click, or leaving the page, supersedes it)
  async function load() {
    const ticket = ++latest;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.period === period));
    const chosen = PERIODS[period];
    let answer;
    try {
      answer = await app.api.metrics(period);
    } catch (failure) {
      if (ticket !== latest) return;
      replace(body, h("p", { class: "form-error", role: "alert" }, `Metrics could not be loaded: ${failure.message}`));
      return;
    }
    if (ticket !== latest) return;
    const series = seriesFrom(answer);
    const to = Date.parse(answer?.end) || Date.now();
    const from = Date.parse(answer?.start) || to - chosen.span;
    const stepMs = answer?.period_seconds ? answer.period_seconds * 1000 : null;
    // Heartbeat first, then the rest in the API's order.
    series.sort((a, b) => (b.name === "Heartbeat") - (a.name === "Heartbeat"));
    if (!series.length) {
      replace(body, h("p", { class: "empty" }, "No metrics yet."));
      return;
    }
    // Charts for the heartbeat and for whatever was counted; the rest is listed in a line.
    const drawn = series.filter((item) => item.name === "Heartbeat" || item.total > 0);
    const quiet = series.filter((item) => !drawn.includes(item));
    const label = (item) => NAMES[item.name] ?? item.name;
    replace(body,
      h("h2", { class: "visually-hidden" }, "Totals"),
      h("div", { class: "counters" }, series.map((item) =>
        h("div", { class: "counter", "data-metric": item.name },
          h("div", { class: "n" }, String(item.total)), h("div", { class: "name" }, NAMES[item.name] ?? item.name)))),
      quiet.length ? h("p", { class: "muted" }, `Nothing counted in ${chosen.label}: ${quiet.map(label).join(", ")}.`) : null,
      h("div", { class: "charts" }, drawn.map((item) =>
        h("section", { class: "card chart", "aria-labelledby": `chart-${item.name}` },
          h("h2", { id: `chart-${item.name}` }, `${NAMES[item.name] ?? item.name} — ${chosen.label}`),
          barChart(item, { from, to, stepMs: stepMs ?? inferStep(item, chosen.step), label: chosen.label, heartbeat: item.name === "Heartbeat" })))));
  }

  load();
  return () => { latest += 1; };
}

/** The bucket size: the smallest gap between points, or the period's default. */
function inferStep(series, fallback) {
  let step = Infinity;
  for (let i = 1; i < series.points.length; i += 1) step = Math.min(step, series.points[i].t - series.points[i - 1].t);
  return Number.isFinite(step) && step > 0 ? step : fallback;
}
