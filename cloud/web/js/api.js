/**
 * The HTTP API (issue 7's routes) behind one small class. Every call carries the ID token;
 * a 401 triggers one token refresh and one retry. Errors become ApiError with the field
 * messages the API returned, whatever shape they came in (see fieldErrors).
 *
 * The API speaks camelCase JSON; the page's code uses the device's snake_case names
 * (as in the shared message models), so keys are converted at this one boundary.
 */

import { t } from "./i18n.js";
import { eventsFrom, jobsFrom } from "./model.js";

export class ApiError extends Error {
  constructor(status, message, fields = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
  }
}

const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key) => key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** Deep copy of ``value`` with every object key renamed by ``rename``. */
export function renameKeys(value, rename) {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), renameKeys(v, rename)]));
  }
  return value;
}

/** One field path → its name in our forms ("body.start" → "start"; ["body","alert","pattern"] → "pattern"). */
function fieldName(path) {
  const parts = (Array.isArray(path) ? path : String(path).split(/[.\/]/))
    .map((part) => snake(String(part))).filter((part) => part && part !== "body" && part !== "command" && !/^\d+$/.test(part));
  return parts.at(-1) ?? "";
}

/** Field messages from a 400/422 body: {field: message}. Tolerates the common shapes. */
export function fieldErrors(body) {
  const fields = {};
  const add = (path, message) => {
    // A whole-body rule ("(body)", "end must be after start") has no field: key "_form".
    const name = /^\(.*\)$/.test(String(path)) ? "_form" : fieldName(path ?? "") || "_form";
    if (message && !fields[name]) fields[name] = String(message).replace(/^Value error, /, "");
  };
  if (!body || typeof body !== "object") return fields;
  for (const list of [body.detail, body.errors, body.details]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (item && typeof item === "object") add(item.field ?? item.loc ?? item.path, item.message ?? item.msg ?? item.type);
    }
  }
  for (const map of [body.fields, body.field_errors]) {
    if (map && typeof map === "object" && !Array.isArray(map)) {
      for (const [name, message] of Object.entries(map)) add(name, Array.isArray(message) ? message[0] : message);
    }
  }
  if (typeof body.field === "string") add(body.field, body.message ?? body.detail);
  return fields;
}

function errorMessage(status, body) {
  // A 5xx is the server's fault, whatever its body says (its text is for the function's log).
  if (status >= 500) return t("api.serverFault");
  const text = typeof body === "string" ? body : body?.message ?? body?.Message ?? body?.title
    ?? (typeof body?.detail === "string" ? body.detail : "");
  if (text) return String(text);
  if (status === 403) return t("api.forbidden");
  if (status === 404) return t("api.notFound");
  if (status === 400 || status === 422) return t("api.fields");
  return t("api.status", { status });
}

export class Api {
  constructor(config, auth) {
    this.base = config.apiUrl;
    this.deviceName = config.device;
    this.auth = auth;
  }

  async request(method, path, body) {
    const url = new URL(this.base + path, window.location.href);
    // GET /devices lists every device the user may see: it names none.
    if (this.deviceName && path !== "/devices" && !url.searchParams.has("device")) url.searchParams.set("device", this.deviceName);
    let response = await this.#send(method, url, body);
    if (response.status === 401 && (await this.auth.refresh())) response = await this.#send(method, url, body);
    if (response.status === 401) {
      this.auth.signOut("expired");
      throw new ApiError(401, t("api.sessionEnded"));
    }
    const text = await response.text();
    let data = null;
    try { data = text ? renameKeys(JSON.parse(text), snake) : null; } catch { data = text; }
    if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, data), fieldErrors(data));
    return data;
  }

  async #send(method, url, body) {
    const token = await this.auth.idToken();
    if (!token) return new Response(null, { status: 401 });
    const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      return await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(renameKeys(body, camel)) });
    } catch {
      throw new ApiError(0, t("api.unreachable"));
    }
  }

  async events() { return eventsFrom(await this.request("GET", "/events")); }
  device() { return this.request("GET", "/device"); }
  next() { return this.request("GET", "/next"); }
  async jobs() { return jobsFrom(await this.request("GET", "/jobs")); }
  metrics(period) { return this.request("GET", `/metrics?period=${encodeURIComponent(period)}`); }
  /** The devices this user may see, and whether the user is an admin (GET /devices). */
  devices() { return this.request("GET", "/devices"); }
  scrapeNow() { return this.request("POST", "/scrape", {}); }

  createEvent(body) { return this.request("POST", "/events", body); }
  updateEvent(id, body) { return this.request("PATCH", `/events/${id}`, body); }
  deleteEvent(id) { return this.request("DELETE", `/events/${id}`); }
  addAlert(eventId, spec) { return this.request("POST", `/events/${eventId}/alerts`, spec); }
  updateAlert(id, change) { return this.request("PATCH", `/alerts/${id}`, change); }
  snooze(id, minutes) { return this.request("POST", `/alerts/${id}/snooze`, minutes ? { minutes } : {}); }
  unsnooze(id) { return this.request("DELETE", `/alerts/${id}/snooze`); }

  calendarFeed() { return this.request("GET", "/calendar-feed"); }
  rotateCalendarFeed() { return this.request("POST", "/calendar-feed/rotate"); }
}
