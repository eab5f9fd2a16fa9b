/**
 * Calendar: the device's events in staff's own calendar apps. The feed's URL carries its
 * own secret (calendar apps cannot sign in); the API keeps only its hash, so the URL is
 * shown right after an administrator makes it (Rotate) and must be passed on then. Making
 * a new one turns the old URL off (it answers 404), e.g. when it was shared too widely.
 */

import { h, replace } from "../dom.js";
import { busy, toast } from "../ui.js";
import { formatDateTime } from "../time.js";

const HOW_TO = [
  ["Outlook", "Outlook on the web or new Outlook: Calendar → Add calendar → Subscribe from web, paste the address, name it, Import. Classic Outlook: Home → Add calendar → From Internet."],
  ["Google Calendar", "On a computer: next to Other calendars, + → From URL, paste the address, Add calendar. Phones show it once it is added on the web; Google refreshes it every few hours."],
  ["Apple Calendar", "Mac: File → New Calendar Subscription, paste the address, Subscribe. iPhone: Settings → Apps → Calendar → Calendar Accounts → Add Account → Other → Add Subscribed Calendar."],
];

export function render(app, main) {
  const status = h("p", { class: "muted" }, "Checking…");
  const body = h("div", {});
  replace(main, h("section", { class: "card calendar", "aria-labelledby": "calendar-title" },
    h("h1", { id: "calendar-title" }, "Calendar"),
    h("p", {}, "Every game and event with its alerts in your own calendar: “Parking empty by 17:45” from the deadline to kick-off, with a reminder when the light comes on. A moved game moves; a cancelled one disappears."),
    status, body,
    h("h2", {}, "Add it to your calendar"),
    h("dl", { class: "howto" }, HOW_TO.map(([app, steps]) => [h("dt", {}, app), h("dd", {}, steps)]))));
  show(app, status, body);
}

async function show(app, status, body, made = null) {
  let feed;
  try {
    feed = made ?? (await app.api.calendarFeed());
  } catch (failure) {
    status.textContent = failure.message;
    return;
  }
  status.textContent = feed.active
    ? `The calendar address was made ${feed.rotated_at ? formatDateTime(feed.rotated_at) : ""} by ${feed.rotated_by || "an administrator"}.`
    : "There is no calendar address yet.";
  const parts = [];
  if (made) {
    const url = new URL(app.config.apiUrl + made.path, window.location.href).href;
    const address = h("input", { type: "text", readonly: true, value: url, class: "feed-url", "aria-label": "Calendar address" });
    const copy = h("button", { type: "button" }, "Copy");
    copy.addEventListener("click", async () => {
      address.select();
      try {
        await navigator.clipboard.writeText(url);
        toast("Copied.", "ok");
      } catch {
        toast("Select the address and copy it yourself.", "bad");
      }
    });
    parts.push(h("p", { role: "status" }, "Copy this address now and pass it on: it is shown only once."), h("div", { class: "feed-row" }, address, copy));
  } else if (feed.active) {
    parts.push(h("p", {}, "Ask an administrator for the address, or make a new one below (administrators)."));
  }
  if (feed.can_rotate) {
    const rotate = h("button", { type: "button", class: feed.active ? "" : "primary" }, feed.active ? "Rotate: make a new address" : "Make the calendar address");
    rotate.addEventListener("click", () => busy(rotate, async () => {
      try {
        show(app, status, body, await app.api.rotateCalendarFeed());
      } catch (failure) {
        toast(failure.message, "bad");
      }
    }));
    parts.push(feed.active ? h("p", { class: "hint" }, "A new address turns the old one off for everyone who added it.") : null, rotate);
  }
  replace(body, ...parts);
}
