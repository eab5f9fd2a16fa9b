/**
 * Plain functions over the API's JSON: lists out of response bodies, alert and job states,
 * metric series, the next-up line. No DOM here.
 */

import { t } from "./i18n.js";
import { formatTime, formatWeekdayTime, utcToVenue } from "./time.js";

export const PENDING_JOB = new Set(["QUEUED", "IN_PROGRESS"]);
export const FAILED_JOB = new Set(["FAILED", "REJECTED", "CANCELED", "TIMED_OUT"]);

function listFrom(body, keys) {
  if (Array.isArray(body)) return body;
  for (const key of keys) if (Array.isArray(body?.[key])) return body[key];
  return [];
}

function time(value) {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** Upcoming events, soonest first; date-only events sort by their date. */
export function eventsFrom(body) {
  const sortKey = (event) => time(event.start) ?? time(event.date ? `${event.date}T12:00:00Z` : null) ?? Infinity;
  return listFrom(body, ["events", "items"])
    .map((event) => ({ ...event, alerts: [...(event.alerts ?? [])].sort((a, b) => time(a.starts_at) - time(b.starts_at)) }))
    .sort((a, b) => sortKey(a) - sortKey(b));
}

export function jobsFrom(body) {
  const all = Array.isArray(body?.pending) || Array.isArray(body?.finished)
    ? [...(body.pending ?? []), ...(body.finished ?? [])]
    : listFrom(body, ["jobs", "items"]);
  return all
    .map((job) => ({ ...job, status: String(job.status ?? "").toUpperCase() }))
    .sort((a, b) => String(b.created_at ?? "").localeCompare(String(a.created_at ?? "")));
}

/** The job id in a 202 answer. */
export function jobIdFrom(body) {
  return body?.job_id ?? body?.jobId ?? body?.command_id ?? body?.id ?? null;
}

/** The event's title for display ("KAA Gent – Club Brugge" for a game without a title). */
export function eventTitle(event) {
  if (event.title) return event.title;
  if (event.home || event.away) return `${event.home} – ${event.away}`;
  return `Event ${event.event_id}`;
}

/** What an alert is doing at ``now``: silenced | snoozed | active | upcoming | past. */
export function alertStatus(alert, now = Date.now()) {
  const status = (key, extra) => ({ key, label: t(`alert.status.${key}`), ...extra });
  if (alert.silenced) return status("silenced", { snoozed: true });
  const start = time(alert.starts_at);
  const end = time(alert.ends_at);
  const snoozedUntil = time(alert.snoozed_until);
  if (snoozedUntil && snoozedUntil > now && (end === null || end > now)) {
    return status("snoozed", { snoozed: true, until: alert.snoozed_until });
  }
  if (end !== null && end <= now) return status("past", { snoozed: false });
  if (start !== null && start <= now) return status("active", { snoozed: false });
  return status("upcoming", { snoozed: false });
}

/**
 * GET /next's answer as the page's first line, in the chosen language: the API's fields
 * (ghela.core.nextup, the one rule), written as ghela.core.nextup.next_line writes them.
 */
export function nextLine(answer, now = Date.now()) {
  const up = answer?.next;
  if (!up) return t("next.none");
  const sameDay = utcToVenue(up.light_at).date === utcToVenue(up.empty_by).date;
  const vars = { what: up.what, when: formatWeekdayTime(up.light_at),
    emptyBy: sameDay ? formatTime(up.empty_by) : formatWeekdayTime(up.empty_by) };
  return t(Date.parse(up.light_at) <= now ? "next.now" : "next.planned", vars);
}

export function deviceFrom(body) {
  const device = body ?? {};
  const light = device.light ?? { on: device.light_on, pattern: device.light_pattern, since: device.light_since };
  return {
    online: Boolean(device.online),
    // The later of the heartbeat metric (a 5-minute bucket) and the status item's last_seen.
    lastSeen: [device.last_heartbeat, device.last_seen].filter(Boolean)
      .sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null,
    lightOn: Boolean(light.on),
    pattern: light.pattern ?? (light.on ? "steady" : "off"),
    since: light.since ?? null,
    version: device.software_version ?? "",
    name: typeof device.device === "string" ? device.device : "",
  };
}

/**
 * Metric series from GET /metrics as [{name, points: [{t: ms, v: number}]}]. Accepts a list
 * of {name|label|id, timestamps, values} or {name, points: [[t, v]] | [{t|timestamp, v|value}]},
 * or an object keyed by metric name.
 */
export function seriesFrom(body) {
  let raw = listFrom(body, ["series", "metrics", "MetricDataResults"]);
  const keyed = body?.series ?? body?.metrics;
  if (!raw.length && keyed && typeof keyed === "object") {
    raw = Object.entries(keyed).map(([name, value]) => (Array.isArray(value) ? { name, points: value } : { name, ...value }));
  }
  return raw.map((item) => {
    const name = item.name ?? item.metric ?? item.label ?? item.Label ?? item.id ?? item.Id ?? "?";
    let points = [];
    const stamps = item.timestamps ?? item.Timestamps;
    const values = item.values ?? item.Values;
    if (Array.isArray(stamps) && Array.isArray(values)) {
      points = stamps.map((t, i) => ({ t: Date.parse(t), v: Number(values[i] ?? 0) }));
    } else if (Array.isArray(item.points ?? item.datapoints)) {
      points = (item.points ?? item.datapoints).map((p) => Array.isArray(p)
        ? { t: Date.parse(p[0]), v: Number(p[1]) }
        : { t: Date.parse(p.t ?? p.timestamp ?? p.time), v: Number(p.v ?? p.value ?? p.sum ?? 0) });
    }
    points = points.filter((p) => !Number.isNaN(p.t) && Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
    const total = item.total ?? item.sum ?? points.reduce((acc, p) => acc + p.v, 0);
    return { name: String(name), points, total: Number(total) };
  });
}
