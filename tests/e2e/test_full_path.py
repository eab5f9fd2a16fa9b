"""The whole path against ``ghela up --demo``: page → API → IoT job in moto → runtime's jobs
endpoint → CloudSync → Scheduler → AlertLight, and back through DynamoDB to the page.

The demo's first alert is made to start at once (``--demo-lead 0``), so the light is on
shortly after start-up and a snooze from the page can switch it off.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, artifact, new_context
from tests.e2e.pages import create_event, event_card, sign_in, texts_seen, venue_day, watch_text
from tests.e2e.system import GhelaUp

pytestmark = [pytest.mark.browser, pytest.mark.runtime]

SYNC_TIMEOUT_MS = 90_000
"""Generous: a change travels through IoT jobs, the Scheduler and CloudSync's sync."""


@pytest.fixture(scope="module")
def system(tmp_path_factory, browser) -> Iterator[GhelaUp]:
    up = GhelaUp(tmp_path_factory.mktemp("ghela-up"))
    try:
        yield up.start()
    finally:
        code = up.stop()
        console = up.console()
        assert "Stopped." in console, f"ghela up did not stop cleanly ({code}):\n{console[-3000:]}"


def _sign_in(page, system: GhelaUp, route: str = "") -> None:
    sign_in(page, system.url, system.info["demo_email"], system.info["demo_password"], route=route)


def test_an_unauthenticated_visit_lands_on_sign_in(page, system):
    page.goto(f"{system.url}/#/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("article.event")).to_have_count(0)


def test_the_dashboard_lists_the_demo_games(page, system):
    _sign_in(page, system)
    for opponent in ("Club Brugge KV", "RSC Anderlecht", "Royal Antwerp FC"):
        expect(event_card(page, f"KAA Gent – {opponent}")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    first = datetime.fromisoformat(system.info["kickoffs"][0]).astimezone(ZoneInfo("Europe/Brussels"))
    expect(event_card(page, "KAA Gent – Club Brugge KV").locator(".when")).to_contain_text(
        first.strftime("%H:%M")
    )
    # The demo's fourth game has a date but no kick-off time yet.
    expect(event_card(page, "KAA Gent – KRC Genk").locator(".when")).to_contain_text("time not yet known")
    expect(page.locator("section.device")).to_contain_text("online", timeout=SYNC_TIMEOUT_MS)


def test_snoozing_the_active_alert_turns_the_light_off(page, system):
    system.wait_for_console("light ON", timeout=90)
    _sign_in(page, system)
    game = event_card(page, "KAA Gent – Club Brugge KV")
    active = game.locator('li.alert[data-status="active"]').first
    expect(active).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(page.locator('section.device [data-light="on"]')).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    alert_id = active.get_attribute("data-alert-id")
    row = page.locator(f'li.alert[data-alert-id="{alert_id}"]')
    console_mark = len(system.console())

    watch_text(page, "row", f'li.alert[data-alert-id="{alert_id}"]')
    row.get_by_role("button", name="Snooze", exact=False).click()
    expect(page.locator(".toast.ok")).to_contain_text("Snooze done", timeout=SYNC_TIMEOUT_MS)
    assert any("change pending" in text for text in texts_seen(page, "row")), texts_seen(page, "row")
    expect(row).to_have_attribute("data-status", "silenced", timeout=SYNC_TIMEOUT_MS)
    expect(row).to_contain_text("snoozed")
    expect(page.locator('section.device [data-light="off"]')).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    system.wait_for_console("light off", timeout=30, after=console_mark)
    page.screenshot(path=str(artifact("full_path_snoozed")), full_page=True)

    page.get_by_role("link", name="Jobs", exact=True).click()
    finished = page.locator('tr[data-status="SUCCEEDED"]', has_text=f"alert {alert_id}")
    expect(finished).to_contain_text("Snooze alert")
    expect(finished).to_contain_text("succeeded")


def test_a_custom_event_appears_with_its_standard_alerts(page, system):
    _sign_in(page, system, route="events/new")
    create_event(page, "Office party", venue_day(3), "19:30")
    # No look at the pending strip here: the real device can finish the job before the
    # dashboard is drawn, so the strip may rightly never show it. test_page.py shows the
    # strip with the job held (no device), where it must.

    party = event_card(page, "Office party")
    expect(party).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    expect(party.locator(".when")).to_contain_text("19:30")
    expect(party).to_contain_text("custom event")
    expect(party.locator("li.alert")).to_have_count(2)  # the Scheduler's standard plan
    expect(party).to_contain_text("early warning")
    expect(party).to_contain_text("final call")
    page.screenshot(path=str(artifact("full_path_custom_event")), full_page=True)
    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.locator('tr[data-status="SUCCEEDED"]', has_text="Office party")).to_contain_text(
        "Create event"
    )


def test_a_bad_form_entry_shows_the_field_error(page, system):
    _sign_in(page, system, route="events/new")
    create_event(page, "y" * 201, venue_day(3), "20:00")
    expect(page.locator(".field", has=page.get_by_label("Title")).locator(".field-error")).to_contain_text(
        "200"
    )


def test_the_dashboard_on_a_phone(browser, system):
    context = new_context(browser, PHONE)
    page = context.new_page()
    try:
        _sign_in(page, system)
        expect(event_card(page, "KAA Gent – RSC Anderlecht")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(artifact("full_path_phone")), full_page=True)
    finally:
        context.close()
