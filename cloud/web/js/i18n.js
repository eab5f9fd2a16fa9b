/**
 * The page's languages: one message catalogue (messages.js), Dutch (nl-BE) by default for
 * the venue, English by choice, the choice remembered in localStorage. Dates and times use
 * the chosen language's Intl locale (time.js asks ``locale()``).
 *
 * The API's and the device's reasons stay English (they are for logs and admins);
 * ``reason()`` shows the ones the catalogue knows in the chosen language.
 */

import { DEFAULT_LABELS, MESSAGES, REASONS } from "./messages.js";

export const LANGUAGES = { nl: { locale: "nl-BE", name: "Nederlands" }, en: { locale: "en-GB", name: "English" } };
const DEFAULT = "nl";
const STORED = "ghela.lang";

function stored() {
  try {
    return localStorage.getItem(STORED);
  } catch {
    return null; // storage refused (private mode): the default holds
  }
}

let current = LANGUAGES[stored()] ? stored() : DEFAULT;
const listeners = new Set();

export function language() { return current; }
export function locale() { return LANGUAGES[current].locale; }

/** Choose a language: remembered, set on <html lang>, and every listener re-renders. */
export function setLanguage(lang) {
  if (!LANGUAGES[lang] || lang === current) return;
  current = lang;
  try { localStorage.setItem(STORED, lang); } catch { /* not remembered, still applied */ }
  document.documentElement.lang = locale();
  for (const listener of listeners) listener(lang);
}

export function onLanguage(listener) { listeners.add(listener); }

/**
 * The message ``key`` in the chosen language, with ``{name}`` placeholders filled from
 * ``vars``; a message may be a function of ``vars`` (plurals). An unknown key throws, so a
 * missing translation is a test failure, not an English word on a Dutch page.
 */
export function t(key, vars = {}) {
  const message = MESSAGES[current][key] ?? MESSAGES.en[key];
  if (message === undefined) throw new Error(`no message ${key}`);
  const text = typeof message === "function" ? message(vars) : message;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Whether the catalogue has ``key`` (for names that come from data: operations, metrics). */
export function has(key) { return key in MESSAGES.en; }

/** An English reason from the API or the device, in the chosen language where it is known. */
export function reason(text) {
  const english = String(text ?? "");
  if (current === "en") return english;
  for (const [pattern, key] of REASONS) {
    const match = pattern.exec(english);
    if (match) return t(key, match.groups ?? {});
  }
  return english;
}

/** An alert's label: the default plan's in the chosen language, any other as written. */
export function alertLabel(label) {
  const text = String(label ?? "");
  return Object.hasOwn(DEFAULT_LABELS, text) ? t(DEFAULT_LABELS[text]) : text;
}

/** Fill every [data-i18n] element of the static page (index.html) with its message. */
export function translateStatic(root = document) {
  document.documentElement.lang = locale();
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}
