/**
 * Calendar: the device's events in staff's own calendar apps. The feed's URL carries its
 * own secret (calendar apps cannot sign in); the API keeps only its hash, so the URL is
 * shown right after an administrator makes it (Rotate) and must be passed on then. Making
 * a new one turns the old URL off (it answers 404), e.g. when it was shared too widely.
 */

import { h, replace } from "../dom.js";
import { reason, t } from "../i18n.js";
import { busy, toast } from "../ui.js";
import { formatDateTime } from "../time.js";

/** Each calendar app (its own name, not translated) and the catalogue key of its steps. */
const HOW_TO = [["Outlook", "calendar.outlook"], ["Google Calendar", "calendar.google"], ["Apple Calendar", "calendar.apple"]];

export function render(app, main) {
  const status = h("p", { class: "muted" }, t("calendar.checking"));
  const body = h("div", {});
  replace(main, h("section", { class: "card calendar", "aria-labelledby": "calendar-title" },
    h("h1", { id: "calendar-title" }, t("calendar.title")),
    h("p", {}, t("calendar.intro")),
    status, body,
    h("h2", {}, t("calendar.howTo")),
    h("dl", { class: "howto" }, HOW_TO.map(([name, steps]) => [h("dt", {}, name), h("dd", {}, t(steps))]))));
  show(app, status, body);
}

async function show(app, status, body, made = null) {
  let feed;
  try {
    feed = made ?? (await app.api.calendarFeed());
  } catch (failure) {
    status.textContent = reason(failure.message);
    return;
  }
  status.textContent = feed.active
    ? t("calendar.madeBy", { when: feed.rotated_at ? formatDateTime(feed.rotated_at) : "", who: feed.rotated_by || t("calendar.anAdmin") })
    : t("calendar.none");
  const parts = [];
  if (made) {
    const url = new URL(app.config.apiUrl + made.path, window.location.href).href;
    const address = h("input", { type: "text", readonly: true, value: url, class: "feed-url", "aria-label": t("calendar.address") });
    const copy = h("button", { type: "button" }, t("calendar.copy"));
    copy.addEventListener("click", async () => {
      address.select();
      try {
        await navigator.clipboard.writeText(url);
        toast(t("calendar.copied"), "ok");
      } catch {
        toast(t("calendar.copyYourself"), "bad");
      }
    });
    parts.push(h("p", { role: "status" }, t("calendar.shownOnce")), h("div", { class: "feed-row" }, address, copy));
  } else if (feed.active) {
    parts.push(h("p", {}, t("calendar.askAdmin")));
  }
  if (feed.can_rotate) {
    const rotate = h("button", { type: "button", class: feed.active ? "" : "primary" }, t(feed.active ? "calendar.rotate" : "calendar.make"));
    rotate.addEventListener("click", () => busy(rotate, async () => {
      try {
        show(app, status, body, await app.api.rotateCalendarFeed());
      } catch (failure) {
        toast(reason(failure.message), "bad");
      }
    }));
    parts.push(feed.active ? h("p", { class: "hint" }, t("calendar.rotateHint")) : null, rotate);
  }
  replace(body, ...parts);
}
