/**
 * The admin's device health card, from what the device syncs in its status item
 * (ghela/cloudsync/status.py): each source's last scrape with its verdict, the software
 * version, the revision of the read copy, and how long ago CloudSync last wrote (its
 * "last seen" beat). Component states and restarts are not reported by the device yet.
 */

import { h } from "../dom.js";
import { reason, t } from "../i18n.js";
import { formatDateTime, relative } from "../time.js";
import { badge } from "../ui.js";

function verdict(scrape) {
  const kind = scrape.healthy ? (scrape.complete ? "ok" : "warn") : "bad";
  const word = t(scrape.healthy ? (scrape.complete ? "health.complete" : "health.healthy") : "health.unhealthy");
  return h("li", { "data-source": scrape.source, "data-verdict": kind },
    h("strong", {}, scrape.source), " ", badge(word, kind), " ",
    h("time", { datetime: scrape.scraped_at, title: formatDateTime(scrape.scraped_at) }, relative(scrape.scraped_at)),
    ` · ${t("health.fixtures", { count: scrape.fixtures })}`,
    scrape.reasons?.length ? h("div", { class: "muted" }, scrape.reasons.map(reason).join(" · ")) : null);
}

export function healthCard(device) {
  const synced = device.last_seen ?? null;
  const scrapes = device.scrapes ?? [];
  return h("section", { class: "card health", "aria-labelledby": "health-title", "data-health": "" },
    h("h2", { id: "health-title" }, t("health.title")),
    h("h3", {}, t("health.scrapes")),
    scrapes.length ? h("ul", { class: "scrapes" }, scrapes.map(verdict)) : h("p", { class: "muted" }, t("health.noScrapes")),
    h("dl", {},
      h("dt", {}, t("device.software")), h("dd", { "data-version": "" }, device.software_version || t("health.unknown")),
      h("dt", {}, t("health.lastSync")),
      h("dd", { "data-last-sync": "" }, synced
        ? h("time", { datetime: synced, title: formatDateTime(synced) }, relative(synced)) : t("device.never")),
      h("dt", {}, t("health.revision")), h("dd", {}, device.revision === null || device.revision === undefined
        ? t("health.unknown") : String(device.revision))));
}
