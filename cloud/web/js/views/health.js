/**
 * The admin's device health card, from what the device syncs in its status item
 * (ghela/cloudsync/status.py): the software version, the revision of the read copy, and
 * how long ago CloudSync last wrote (its "last seen" beat).
 */

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { formatDateTime, relative } from "../time.js";

export function healthCard(device) {
  const synced = device.last_seen ?? null;
  return h("section", { class: "card health", "aria-labelledby": "health-title", "data-health": "" },
    h("h2", { id: "health-title" }, t("health.title")),
    h("dl", {},
      h("dt", {}, t("device.software")), h("dd", { "data-version": "" }, device.software_version || t("health.unknown")),
      h("dt", {}, t("health.lastSync")),
      h("dd", { "data-last-sync": "" }, synced
        ? h("time", { datetime: synced, title: formatDateTime(synced) }, relative(synced)) : t("device.never")),
      h("dt", {}, t("health.revision")), h("dd", {}, device.revision === null || device.revision === undefined
        ? t("health.unknown") : String(device.revision))));
}
