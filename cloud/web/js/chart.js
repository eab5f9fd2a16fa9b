/**
 * A small SVG bar chart of one metric series over a time window: one bar per data point
 * (the API's period), ticks in Brussels time spaced for the window shown (quarter hours
 * for an hour, days for a week). Sized by viewBox so it scales.
 */

import { s } from "./dom.js";
import { t } from "./i18n.js";
import { formatDay, formatTime } from "./time.js";

const W = 600;
const H = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

/** [largest window, tick spacing] in ms: about four to eight ticks whatever the window. */
const TICKS = [
  [2 * 3_600_000, 15 * 60_000], [8 * 3_600_000, 3_600_000], [2 * 86_400_000, 6 * 3_600_000], [Infinity, 86_400_000],
];

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** ``series`` = {name, points: [{t, v}]}; window [from, to] in ms; ``stepMs`` the bucket size. */
export function barChart(series, { from, to, stepMs, label, heartbeat = false }) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const span = Math.max(1, to - from);
  const x = (t) => PAD.left + ((t - from) / span) * plotW;
  const max = niceMax(Math.max(0, ...series.points.map((p) => p.v)));
  const y = (v) => PAD.top + plotH - (v / max) * plotH;
  const barW = Math.max(1, (stepMs / span) * plotW - 1);

  const ticks = [];
  const tickEvery = TICKS.find(([upTo]) => span <= upTo)[1];
  const day = tickEvery >= 86_400_000;
  for (let tick = Math.ceil(from / tickEvery) * tickEvery; tick <= to; tick += tickEvery) ticks.push(tick);

  const total = series.points.reduce((acc, p) => acc + p.v, 0);
  const summary = t("chart.summary", { name: series.name, total, period: label });
  return s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary },
    s("title", {}, summary),
    [0, 0.5, 1].map((f) => s("line", { class: "grid", x1: PAD.left, x2: W - PAD.right, y1: y(max * f), y2: y(max * f) })),
    s("text", { x: PAD.left - 4, y: y(max) + 4, "text-anchor": "end" }, String(max)),
    s("text", { x: PAD.left - 4, y: y(0) + 4, "text-anchor": "end" }, "0"),
    series.points.filter((p) => p.t >= from - stepMs && p.t <= to && p.v > 0).map((p) =>
      s("rect", { class: `bar ${heartbeat ? "heartbeat" : ""}`, x: Math.max(PAD.left, x(p.t)), y: y(p.v),
        width: barW, height: Math.max(0, y(0) - y(p.v)) },
      s("title", {}, `${formatDay(p.t)} ${formatTime(p.t)}: ${p.v}`))),
    s("line", { class: "axis", x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0) }),
    ticks.map((tick) => s("text", { x: x(tick), y: H - 6, "text-anchor": "middle" }, day ? formatDay(tick) : formatTime(tick))));
}
