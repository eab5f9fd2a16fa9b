/**
 * The admin's device health card, from what the device syncs in its status item
 * (ghela/cloudsync/status.py): each source's last scrape with its verdict, the software
 * version, the revision of the read copy, and how long ago CloudSync last wrote (its
 * "last seen" beat), and each component's state and restarts as the component itself last
 * reported them (ghela/core/selfreport.py; "since" is when it said so).
 */

import { h } from "../dom.js";
import { has, reason, t } from "../i18n.js";
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

const STATE_KIND = { RUNNING: "ok", STOPPING: "warn", ERRORED: "bad" };

function component(report) {
  const kind = STATE_KIND[report.state] ?? "warn";
  const state = has(`health.state.${report.state}`) ? t(`health.state.${report.state}`) : String(report.state);
  return h("li", { "data-component": report.component, "data-state": report.state },
    h("strong", {}, report.component), " ", badge(state, kind), " · ",
    h("span", { "data-restarts": String(report.restarts) }, t("health.restartCount", { count: report.restarts })),
    " · ", t("health.reportedAt"), " ",
    h("time", { datetime: report.at, title: formatDateTime(report.at) }, relative(report.at)));
}

function components(reports) {
  return reports.length ? h("ul", { class: "scrapes components" }, reports.map(component))
    : h("p", { class: "muted" }, t("health.noComponents"));
}

export function healthCard(device) {
  const synced = device.last_seen ?? null;
  const scrapes = device.scrapes ?? [];
  return h("section", { class: "card health", "aria-labelledby": "health-title", "data-health": "" },
    h("h2", { id: "health-title" }, t("health.title")),
    h("h3", {}, t("health.scrapes")),
    scrapes.length ? h("ul", { class: "scrapes" }, scrapes.map(verdict)) : h("p", { class: "muted" }, t("health.noScrapes")),
    h("h3", {}, t("health.components")),
    components(device.components ?? []),
    h("dl", {},
      h("dt", {}, t("device.software")), h("dd", { "data-version": "" }, device.software_version || t("health.unknown")),
      h("dt", {}, t("health.lastSync")),
      h("dd", { "data-last-sync": "" }, synced
        ? h("time", { datetime: synced, title: formatDateTime(synced) }, relative(synced)) : t("device.never")),
      h("dt", {}, t("health.revision")), h("dd", {}, device.revision === null || device.revision === undefined
        ? t("health.unknown") : String(device.revision))));
}
