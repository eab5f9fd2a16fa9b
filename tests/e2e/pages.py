"""What the browser tests do on the page, in the page's own words (labels, roles)."""

from __future__ import annotations

from datetime import date, timedelta

from ghela.core.clock import SystemClock, venue_zone
from playwright.sync_api import Page, expect


def venue_day(days_ahead: int) -> date:
    """The venue's calendar day ``days_ahead`` days from today (what the Date field takes)."""
    return (SystemClock().now().astimezone(venue_zone()) + timedelta(days=days_ahead)).date()


SIGN_IN_WORDS = {
    "en": ("E-mail address", "Password", "Sign in", "Sign out"),
    "nl": ("E-mailadres", "Wachtwoord", "Aanmelden", "Afmelden"),
}
"""The sign-in form's label, label, button and the sign-out button, per page language."""


def sign_in(
    page: Page, base_url: str, email: str, password: str, route: str = "", language: str = "en"
) -> None:
    email_label, password_label, sign_in_button, sign_out_button = SIGN_IN_WORDS[language]
    page.goto(f"{base_url}/#/{route}")
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=sign_in_button).click()
    expect(page.get_by_role("button", name=sign_out_button)).to_be_visible()


def create_event(page: Page, title: str, day: date, starts: str, ends: str = "") -> None:
    """Fill in the new-event form (venue day, HH:MM times) and press Create event."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Starts at").fill(starts)
    if ends:
        page.get_by_label("Ends at (optional)").fill(ends)
    page.get_by_role("button", name="Create event").click()


def event_card(page: Page, title: str):
    return page.locator("article.event").filter(has=page.get_by_role("heading", name=title))


def alert_row(page: Page, alert_id: int):
    return page.locator(f'li.alert[data-alert-id="{alert_id}"]')


def job_row(page: Page, job_id: str):
    return page.locator(f'tr[data-job-id="{job_id}"]')


_WATCH = """([name, selector]) => {
  const seen = (window.__textsSeen ??= {});
  const texts = (seen[name] = []);
  const look = () => {
    const text = document.querySelector(selector)?.textContent ?? "";
    if (texts[texts.length - 1] !== text) texts.push(text);
  };
  look();
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
}"""


def watch_text(page: Page, name: str, selector: str) -> None:
    """From now on, note every text the element ``selector`` shows (see :func:`texts_seen`).

    A state the page shows only until the device answers ("change pending") can be gone
    before an ``expect`` polls, when the device is quick; a mutation observer sees it."""
    page.evaluate(_WATCH, [name, selector])


def texts_seen(page: Page, name: str) -> list[str]:
    """The texts the watched element showed, in order (consecutive repeats once)."""
    return page.evaluate("(name) => window.__textsSeen[name]", name)
