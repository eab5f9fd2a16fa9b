/**
 * The page's entry: loads config.json, builds the Cognito session, the API client and the
 * job watcher, and routes on the URL hash. Without a valid session only the sign-in view
 * is ever rendered.
 */

import { Api } from "./api.js";
import { Auth } from "./auth.js";
import { loadConfig } from "./config.js";
import { h, replace } from "./dom.js";
import { JobWatcher } from "./jobwatch.js";
import * as calendar from "./views/calendar.js";
import * as dashboard from "./views/dashboard.js";
import * as eventForm from "./views/eventform.js";
import * as jobs from "./views/jobs.js";
import * as metrics from "./views/metrics.js";
import * as notifications from "./views/notifications.js";
import * as security from "./views/security.js";
import * as signin from "./views/signin.js";

const ROUTES = {
  "": { name: "dashboard", view: dashboard, title: "Dashboard" },
  "events/new": { name: "new-event", view: eventForm, title: "New event" },
  jobs: { name: "jobs", view: jobs, title: "Jobs" },
  metrics: { name: "metrics", view: metrics, title: "Metrics" },
  calendar: { name: "calendar", view: calendar, title: "Calendar" },
  notifications: { name: "notifications", view: notifications, title: "Notifications" },
  security: { name: "security", view: security, title: "Sign-in security" },
};

function routeKey() {
  return window.location.hash.replace(/^#\/?/, "").replace(/\/+$/, "");
}

async function start() {
  const main = document.getElementById("main");
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    replace(main, h("div", { class: "card signin", role: "alert" }, h("h1", {}, "Ghelamco Alert"),
      h("p", {}, `The page cannot start: ${error.message}.`)));
    return;
  }
  const auth = new Auth(config);
  const api = new Api(config, auth);
  const watcher = new JobWatcher(api);
  const app = { config, auth, api, jobs: watcher, navigate: (hash) => { window.location.hash = hash; } };
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
      document.title = "Sign in · Ghelamco Alert";
      cleanup = signin.render(app, main, () => render()) ?? cleanup;
      return;
    }
    const route = ROUTES[key] ?? ROUTES[""];
    topbar.hidden = false;
    document.getElementById("who").textContent = auth.user;
    for (const link of topbar.querySelectorAll("nav a")) {
      if (link.dataset.route === route.name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${route.title} · Ghelamco Alert`;
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
  render();
}

start();
