/**
 * Times on the page: stored and sent as UTC ISO-8601, shown in the venue's zone, written
 * the chosen language's way (i18n.locale()). Only Intl is used, so a DST change never
 * moves a displayed or entered time.
 */

import { locale, t } from "./i18n.js";

export const VENUE_ZONE = "Europe/Brussels";

const formatters = new Map();
function formatter(options, lang = locale()) {
  const key = lang + JSON.stringify(options);
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat(lang, { timeZone: VENUE_ZONE, ...options }));
  }
  return formatters.get(key);
}

/** Zone arithmetic reads numbers only: always in one fixed locale. */
const numeric = (options) => formatter(options, "en-GB");

function asDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Sat 29 Nov 2026, 18:15" in the venue's time. */
export function formatDateTime(value) {
  const date = asDate(value);
  if (!date) return "";
  return formatter({ weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}

/** "18:15" in the venue's time. */
export function formatTime(value) {
  const date = asDate(value);
  return date ? formatter({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date) : "";
}

/** "08:12:25" in the venue's time. */
export function formatClock(value) {
  const date = asDate(value);
  return date ? formatter({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(date) : "";
}

/** "Sat 14:45" (nl: "za 14:45") in the venue's time. */
export function formatWeekdayTime(value) {
  const date = asDate(value);
  return date ? formatter({ weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date) : "";
}

/** "Sat 29 Nov" in the venue's time. */
export function formatDay(value) {
  const date = asDate(value);
  return date ? formatter({ weekday: "short", day: "numeric", month: "short" }).format(date) : "";
}

/** A calendar date without a time ("2026-11-29", a date in the venue's zone). */
export function formatLocalDate(isoDate) {
  const [year, month, day] = String(isoDate).split("-").map(Number);
  if (!year || !month || !day) return String(isoDate ?? "");
  // Noon UTC lies on the same calendar day in Brussels, whatever the season.
  return formatter({ weekday: "short", day: "numeric", month: "short", year: "numeric" })
    .format(new Date(Date.UTC(year, month - 1, day, 12)));
}

/** "5 min ago", "in 2 h" relative to ``now`` (a Date). */
export function relative(value, now = new Date()) {
  const date = asDate(value);
  if (!date) return "";
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

export const COUNTDOWN_FROM_MS = 3_600_000;

/** "in 42:05" (minutes:seconds) when ``value`` is less than an hour after ``now``, else "". */
export function countdown(value, now = new Date()) {
  const date = asDate(value);
  if (!date) return "";
  const left = Math.ceil((date.getTime() - now.getTime()) / 1000);
  if (left <= 0 || left * 1000 >= COUNTDOWN_FROM_MS) return "";
  return t("time.countdown", { left: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` });
}

/** "3 h before start", "30 min after start", "at start". */
export function describeOffset(minutes) {
  if (minutes === null || minutes === undefined) return "";
  if (minutes === 0) return t("time.atStart");
  const abs = Math.abs(minutes);
  const hours = Math.floor(abs / 60);
  const rest = abs % 60;
  const span = [hours ? `${hours} h` : "", rest ? `${rest} min` : ""].filter(Boolean).join(" ");
  return t(minutes < 0 ? "time.beforeStart" : "time.afterStart", { span });
}

/** "30 min", "1 h 30 min". */
export function describeDuration(minutes) {
  if (!minutes && minutes !== 0) return "";
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return [hours ? `${hours} h` : "", rest || !hours ? `${rest} min` : ""].filter(Boolean).join(" ");
}

/** The zone's UTC offset (ms) at an instant. */
function offsetAt(ms) {
  const parts = numeric({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * A wall-clock date ("2026-11-29") and time ("18:15") in the venue's zone → a UTC Date.
 * Returns null for an unreadable input.
 */
export function venueToUtc(dateText, timeText) {
  const dateMatch = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateText ?? "");
  const timeMatch = /^(\d{2}):(\d{2})$/.exec(timeText ?? "");
  if (!dateMatch || !timeMatch) return null;
  const [year, month, day, hour, minute] = [...dateMatch.slice(1), ...timeMatch.slice(1)].map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 13/32/25:00 over into the next unit; refuse them instead.
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Two passes: the offset at the first guess may differ from the offset at the answer
  // when the guess and the answer straddle a DST change.
  let utc = wall - offsetAt(wall);
  utc = wall - offsetAt(utc);
  return new Date(utc);
}

/** A UTC instant → {date: "YYYY-MM-DD", time: "HH:MM"} in the venue's zone (for form inputs). */
export function utcToVenue(value) {
  const date = asDate(value);
  if (!date) return { date: "", time: "" };
  const parts = numeric({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}` };
}
