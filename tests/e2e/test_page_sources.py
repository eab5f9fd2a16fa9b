"""The page shows what the sources say: the device card lists the games they disagree on,
and a corrected game reads "source says X, set to Y by Z" with a follow-the-source action
that sends a followSource job (local API server, moto, headless Chromium)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from ghela.core.clock import SystemClock
from ghela.core.messages.light import LightState
from ghela.core.messages.snapshots import EventSnapshot, OverrideSnapshot, SourceSays
from playwright.sync_api import expect

from tests.e2e.conftest import artifact
from tests.e2e.pages import event_card, sign_in


@pytest.fixture
def corrected(cloud):
    now = SystemClock().now().replace(microsecond=0)
    club_says = now + timedelta(days=3, hours=2)
    feed_says = club_says + timedelta(days=1)
    set_to = club_says - timedelta(hours=2)
    game = EventSnapshot(
        event_id=21,
        kind="game",
        key="jpl-2026-gent-genk",
        title="KAA Gent – KRC Genk",
        home="KAA Gent",
        away="KRC Genk",
        competition="Jupiler Pro League",
        venue="Planet Group Arena",
        start=set_to,
        state="updated",
        revision=9,
        disputed=True,
        sources=[
            SourceSays(source="fixtur.es", title="KAA Gent – Genk", start=feed_says),
            SourceSays(source="kaagent.be", title="KAA Gent – KRC Genk", start=club_says),
        ],
        overrides=[
            OverrideSnapshot(
                field="start",
                value=set_to.isoformat(),
                source_value=club_says.isoformat(),
                by="ann@office",
                at=now,
            )
        ],
    )
    cloud.put_events([game], now)
    cloud.put_status(last_seen=now, light=LightState(on=False, pattern="off", since=now))
    return game


def test_disagreements_and_a_correction_with_follow_the_source(page, cloud, corrected) -> None:
    sign_in(page, cloud.url, cloud.resources.demo_email, cloud.resources.demo_password)
    device = page.locator("section.device")
    expect(device).to_contain_text("Sources disagree on 1 game")
    expect(device).to_contain_text("KAA Gent – KRC Genk: fixtur.es says")
    expect(device).to_contain_text("planned from the earliest")
    card = event_card(page, "KAA Gent – KRC Genk")
    expect(card.locator(".disputed")).to_contain_text("sources disagree")
    override = card.locator(".override[data-field='start']")
    expect(override).to_contain_text("Kick-off: source says")
    expect(override).to_contain_text("by ann@office")
    page.screenshot(path=str(artifact("dashboard_sources")), full_page=True)
    override.get_by_role("button", name="Follow the source").click()
    expect(card.locator(".event-head")).to_contain_text("change pending")
    [job] = [j for j in cloud.jobs() if j["operation"] == "followSource"]
    document = json.loads(job["document"])
    assert document["eventId"] == 21 and document["field"] == "start"
    assert document["by"] == cloud.resources.demo_email
