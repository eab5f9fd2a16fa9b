/**
 * Metrics: the device's counters and heartbeat over 1 hour, 24 hours or 7 days, as charts.
 *
 * A chart spans the data it shows: from the period's start or, when the counts begin later
 * (a device that started an hour ago), from the first bucket, so recent counts are not a
 * hairline at the right edge. The page says how fresh the figures are: the device sends its
 * counts once per counting interval (Metrics ``intervalSeconds``), so the newest minutes
 * are never in yet.
 */

import { barChart } from "../chart.js";
import { h, replace } from "../dom.js";
import { has, reason, t } from "../i18n.js";
import { seriesFrom } from "../model.js";
import { formatTime, relative } from "../time.js";

const PERIODS = {
  "1h": { label: "metrics.last1h", button: "metrics.1h", span: 3_600_000, step: 300_000 },
  "24h": { label: "metrics.last24h", button: "metrics.24h", span: 86_400_000, step: 3_600_000 },
  "7d": { label: "metrics.last7d", button: "metrics.7d", span: 7 * 86_400_000, step: 6 * 3_600_000 },
};
/** The shortest span a chart is drawn over, so a single bucket is not one wide block. */
const MIN_SPAN_MS = 3_600_000;

const label = (name) => (has(`metric.${name}`) ? t(`metric.${name}`) : name);

export function render(app, main) {
  let period = "24h";
  const buttons = Object.entries(PERIODS).map(([key, chosen]) =>
    h("button", { type: "button", "aria-pressed": String(key === period), "data-period": key,
      onclick: () => { period = key; load(); } }, t(chosen.button)));
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, t("metrics.loading")));
  replace(main,
    h("div", { class: "page-head" }, h("h1", {}, t("nav.metrics")),
      h("div", { class: "seg", role: "group", "aria-label": t("metrics.period") }, buttons)),
    body);

  let latest = 0; // only the answer to the latest request is drawn (a period click, or leaving the page, supersedes it)
  async function load() {
    const ticket = ++latest;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.period === period));
    const chosen = PERIODS[period];
    const periodLabel = t(chosen.label);
    let answer;
    try {
      answer = await app.api.metrics(period);
    } catch (failure) {
      if (ticket !== latest) return;
      replace(body, h("p", { class: "form-error", role: "alert" }, t("metrics.loadFailed", { reason: reason(failure.message) })));
      return;
    }
    if (ticket !== latest) return;
    const series = seriesFrom(answer);
    const to = Date.parse(answer?.end) || Date.now();
    const periodFrom = Date.parse(answer?.start) || to - chosen.span;
    const stepMs = answer?.period_seconds ? answer.period_seconds * 1000 : null;
    // Heartbeat first, then the rest in the API's order.
    series.sort((a, b) => (b.name === "Heartbeat") - (a.name === "Heartbeat"));
    if (!series.length) {
      replace(body, h("p", { class: "empty" }, t("metrics.none")));
      return;
    }
    const counted = series.flatMap((item) => item.points.filter((p) => p.v > 0).map((p) => p.t));
    const first = counted.length ? Math.min(...counted) : periodFrom;
    const newest = counted.length ? Math.max(...counted) : null;
    const from = Math.max(periodFrom, Math.min(first - (stepMs ?? chosen.step), to - MIN_SPAN_MS));
    // Charts for the heartbeat and for whatever was counted; the rest is listed in a line.
    const drawn = series.filter((item) => item.name === "Heartbeat" || item.total > 0);
    const quiet = series.filter((item) => !drawn.includes(item));
    replace(body,
      h("p", { class: "muted freshness", "data-freshness": "" }, newest
        ? t("metrics.freshness", { time: formatTime(newest), ago: relative(newest) }) : t("metrics.freshnessNone")),
      from > periodFrom ? h("p", { class: "muted", "data-span": "" }, t("metrics.spanFrom", { time: formatTime(from) })) : null,
      h("h2", { class: "visually-hidden" }, t("metrics.totals")),
      h("div", { class: "counters" }, series.map((item) =>
        h("div", { class: "counter", "data-metric": item.name },
          h("div", { class: "n" }, String(item.total)), h("div", { class: "name" }, label(item.name))))),
      quiet.length ? h("p", { class: "muted" }, t("metrics.quiet", { period: periodLabel, names: quiet.map((item) => label(item.name)).join(", ") })) : null,
      h("div", { class: "charts" }, drawn.map((item) =>
        h("section", { class: "card chart", "aria-labelledby": `chart-${item.name}` },
          h("h2", { id: `chart-${item.name}` }, `${label(item.name)} — ${periodLabel}`),
          barChart({ ...item, name: label(item.name) }, { from, to, stepMs: stepMs ?? inferStep(item, chosen.step),
            label: periodLabel, heartbeat: item.name === "Heartbeat" })))));
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
