/**
 * The page's entry: loads config.json, builds the Cognito session, the API client and the
 * job watcher, and routes on the URL hash. Without a valid session only the sign-in view
 * is ever rendered. The URL's ``?device=`` names the device shown (config.json's by
 * default); a language change re-renders the current view in place.
 */

import { Api } from "./api.js";
import { Auth } from "./auth.js";
import { loadConfig } from "./config.js";
import { h, replace } from "./dom.js";
import { onLanguage, t, translateStatic } from "./i18n.js";
import { JobWatcher } from "./jobwatch.js";
import * as calendar from "./views/calendar.js";
import * as dashboard from "./views/dashboard.js";
import * as devices from "./views/devices.js";
import * as eventForm from "./views/eventform.js";
import * as jobs from "./views/jobs.js";
import * as metrics from "./views/metrics.js";
import * as notifications from "./views/notifications.js";
import * as security from "./views/security.js";
import * as signin from "./views/signin.js";
import { languagePicker } from "./ui.js";

const ROUTES = {
  "": { name: "dashboard", view: dashboard, title: "nav.dashboard" },
  "events/new": { name: "new-event", view: eventForm, title: "nav.newEvent" },
  devices: { name: "devices", view: devices, title: "nav.devices" },
  jobs: { name: "jobs", view: jobs, title: "nav.jobs" },
  metrics: { name: "metrics", view: metrics, title: "nav.metrics" },
  calendar: { name: "calendar", view: calendar, title: "nav.calendar" },
  notifications: { name: "notifications", view: notifications, title: "nav.notifications" },
  security: { name: "security", view: security, title: "title.security" },
};

/** The device the URL names (``?device=``), else config.json's. */
function urlDevice(config) {
  return new URLSearchParams(window.location.search).get("device") || config.device;
}

function routeKey() {
  return window.location.hash.replace(/^#\/?/, "").replace(/\/+$/, "");
}

async function start() {
  const main = document.getElementById("main");
  translateStatic();
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    replace(main, h("div", { class: "card signin", role: "alert" }, h("h1", {}, "Ghelamco Alert"),
      h("p", {}, t("start.failed", { reason: error.message }))));
    return;
  }
  const auth = new Auth(config);
  const api = new Api(config, auth);
  const watcher = new JobWatcher(api);
  const app = {
    config, auth, api, jobs: watcher,
    navigate: (hash) => { window.location.hash = hash; },
    /** Show ``name`` (a thing name): the URL names it, and the view is drawn again. */
    chooseDevice: (name) => {
      const url = new URL(window.location.href);
      url.searchParams.set("device", name);
      window.history.pushState(null, "", url);
      api.deviceName = name;
      render();
    },
  };
  api.deviceName = urlDevice(config);
  // One language picker: in the top bar when signed in, on the sign-in card otherwise.
  app.languagePicker = languagePicker();
  const languageSlot = document.getElementById("language-slot");
  const topbar = document.getElementById("topbar");
  let cleanup = () => {};
  let current = null;

  function render() {
    cleanup();
    cleanup = () => {};
    const key = routeKey();
    if (!auth.signedIn) {
      watcher.stop();
      topbar.hidden = true;
      current = "signin";
      document.title = `${t("signin.title")} · Ghelamco Alert`;
      cleanup = signin.render(app, main, () => render()) ?? cleanup;
      return;
    }
    const route = ROUTES[key] ?? ROUTES[""];
    topbar.hidden = false;
    languageSlot.replaceChildren(app.languagePicker);
    document.getElementById("who").textContent = auth.user;
    for (const link of topbar.querySelectorAll("nav a")) {
      if (link.dataset.route === route.name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${t(route.title)} · Ghelamco Alert`;
    const moved = current !== null && current !== route.name;
    current = route.name;
    cleanup = route.view.render(app, main) ?? cleanup;
    if (moved) main.focus();
  }

  document.getElementById("sign-out").addEventListener("click", () => auth.signOut());
  auth.addEventListener("change", (event) => {
    if (event.detail.reason === "expired") sessionStorage.setItem("ghela.expired", "1");
    if (event.detail.reason !== "refreshed") render();
  });
  window.addEventListener("hashchange", render);
  window.addEventListener("popstate", () => { api.deviceName = urlDevice(config); render(); });
  onLanguage(() => { translateStatic(); render(); });
  render();
}

start();
