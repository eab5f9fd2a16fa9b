/**
 * Every device this user may see (GET /devices): name, venue, online, light, next alert,
 * and which one the page shows. Choosing one puts it in the URL (``?device=``), so a link
 * names the office it shows. ``devicePicker`` is the same choice as a select, for the
 * dashboard's head.
 */

import { h, replace } from "../dom.js";
import { reason, t } from "../i18n.js";
import { deviceFrom } from "../model.js";
import { formatDateTime, relative } from "../time.js";
import { badge } from "../ui.js";

function shown(app, list) {
  return app.api.deviceName || list.devices[0]?.status.device || "";
}

/** A select of the devices (only when there is more than one to choose from). */
export function devicePicker(app, list) {
  if (!list || list.devices.length < 2) return null;
  const current = shown(app, list);
  const select = h("select", { "aria-label": t("devices.pick"), "data-device-picker": "" },
    list.devices.map(({ status }) => h("option", { value: status.device, selected: status.device === current }, status.device)));
  select.addEventListener("change", () => app.chooseDevice(select.value));
  return select;
}

function lightText(d) {
  return d.lightOn ? t(d.pattern === "blink" ? "light.onBlink" : "light.onSteady") : t("light.off");
}

export function render(app, main) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "muted" }, t("loading")));
  replace(main, h("div", { class: "page-head" }, h("h1", {}, t("nav.devices"))), body);
  let active = true;
  (async () => {
    let list;
    try {
      list = await app.api.devices();
    } catch (failure) {
      if (active) replace(body, h("p", { class: "form-error", role: "alert" }, t("devices.loadFailed", { reason: reason(failure.message) })));
      return;
    }
    if (!active) return;
    body.removeAttribute("aria-busy");
    const current = shown(app, list);
    replace(body, h("div", { class: "table-wrap" }, h("table", { class: "stack devices" },
      h("caption", { class: "visually-hidden" }, t("nav.devices")),
      h("thead", {}, h("tr", {}, ["devices.name", "devices.venue", "device.status", "devices.light", "devices.next", "devices.show"]
        .map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, list.devices.map(({ status, venue, next }) => {
        const d = deviceFrom(status);
        const isShown = status.device === current;
        return h("tr", { "data-device": status.device, "aria-current": isShown ? "true" : null },
          h("th", { scope: "row", "data-label": t("devices.name") }, status.device),
          h("td", { "data-label": t("devices.venue") }, venue ?? "—"),
          h("td", { "data-label": t("device.status") },
            badge(t(d.online ? "device.online" : "device.offline"), d.online ? "ok" : "bad")),
          h("td", { "data-label": t("devices.light"), "data-light": d.lightOn ? "on" : "off" }, lightText(d)),
          h("td", { "data-label": t("devices.next") }, next
            ? [h("time", { datetime: next.light_at }, formatDateTime(next.light_at)), ` (${relative(next.light_at)}) — ${next.what}`]
            : t("devices.nothingNext")),
          h("td", { "data-label": t("devices.show") }, isShown ? badge(t("devices.shown"), "info")
            : h("button", { type: "button", class: "small", "data-key": `show-${status.device}`,
              "aria-label": t("devices.showLabel", { name: status.device }),
              onclick: () => { app.chooseDevice(status.device); app.navigate("#/"); } }, t("devices.show"))));
      })))));
  })();
  return () => { active = false; };
}
