"""The page as office staff and an admin use it, in Dutch (the default) and English, on a
desk and a 360 px phone: what lights next, a cancelled game, a moved game's change, the
device picker with two offices, the admin's health card, a fixed form error that goes
away, and axe-core's accessibility check of the main views.

GIVEN the read copy of two devices in moto (one with a planned, a cancelled and a moved
game), WHEN the demo admin signs in with Debian's Chromium, THEN each view reads as the
state is, in the chosen language; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from ghela.core.clock import SystemClock
from ghela.core.jobdocs import OPERATIONS
from ghela.core.messages.health import ComponentHealth, ScrapeVerdict
from ghela.core.messages.light import LightState
from ghela.core.messages.snapshots import EventSnapshot, OverrideSnapshot
from ghela.core.metricnames import HEARTBEAT, METRIC_NAMES
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.cloud import alert_snapshot
from tests.e2e.conftest import DESK, artifact
from tests.e2e.pages import alert_row, event_card
from tests.support.cloudwatch import put_counts

pytestmark = [pytest.mark.browser, pytest.mark.moto]

BRUSSELS = ZoneInfo("Europe/Brussels")
PHONE_360 = {"width": 360, "height": 780}
ANNEX = "e2e-annex-pi"

# What the page says, per language (the catalogue's words, as a user reads them).
WORDS = {
    "en": {
        "email": "E-mail address",
        "password": "Password",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "next": "Next: light on",
        "cancelled": "cancelled",
        "uncancel": "Un-cancel",
        "snooze": "Snooze",
        "moved": "Kick-off moved:",
        "health": "Device health",
        "device": "Device",
        "title": "Title",
        "create": "Create event",
        "need_title": "Enter a title.",
        "devices": "Devices",
        "change_game": "Change game",
        "kickoff": "Kick-off",
        "save_game": "Save game",
        "scrape": "Scrape now",
        "restarts_2": "2 restarts",
        "errored": "errored",
        "running": "running",
        "early": "early warning",
    },
    "nl": {
        "email": "E-mailadres",
        "password": "Wachtwoord",
        "sign_in": "Aanmelden",
        "sign_out": "Afmelden",
        "next": "Volgende: licht aan",
        "cancelled": "afgelast",
        "uncancel": "Afgelasting intrekken",
        "snooze": "Uitstellen",
        "moved": "Aftrap verplaatst:",
        "health": "Toestand van het toestel",
        "device": "Toestel",
        "title": "Titel",
        "create": "Evenement aanmaken",
        "need_title": "Vul een titel in.",
        "devices": "Toestellen",
        "change_game": "Wedstrijd wijzigen",
        "kickoff": "Aftrap",
        "save_game": "Wedstrijd opslaan",
        "scrape": "Nu ophalen",
        "restarts_2": "2 herstarts",
        "errored": "in fout",
        "running": "actief",
        "early": "eerste waarschuwing",
    },
}
CASES = [
    pytest.param(lang, view, id=f"{lang}-{name}")
    for lang in ("nl", "en")
    for name, view in (("desk", DESK), ("phone", PHONE_360))
]


def _game(event_id: int, away: str, kickoff, state: str, **extra) -> EventSnapshot:
    return EventSnapshot(
        event_id=event_id,
        kind="game",
        key=f"jpl-2026-gent-{event_id}",
        title="",
        home="KAA Gent",
        away=away,
        competition="Jupiler Pro League",
        venue="Planet Group Arena",
        start=kickoff,
        state=state,
        revision=7,
        alerts=[
            alert_snapshot(event_id * 10 + 1, kickoff, -360, "blink"),
            alert_snapshot(event_id * 10 + 2, kickoff, -240),
        ],
        **extra,
    )


@pytest.fixture(scope="module")
def offices(cloud):
    """Two devices: the stadium's (a planned, a cancelled and a moved game) and an annex."""
    now = SystemClock().now().replace(second=0, microsecond=0)
    planned, cancelled = now + timedelta(days=2, hours=3), now + timedelta(days=3)
    moved_from, moved_to = now + timedelta(days=6), now + timedelta(days=6, hours=26, minutes=30)
    cloud.serve_devices(cloud.device, ANNEX)
    cloud.put_events(
        [
            _game(21, "Club Brugge", planned, "scheduled"),
            _game(
                22,
                "RSC Anderlecht",
                cancelled,
                "cancelled",
                overrides=[
                    OverrideSnapshot(
                        field="cancelled",
                        value="true",
                        source_value="listed",
                        by="admin@ghelamco-alert.local",
                        at=now,
                    )
                ],
            ),
            _game(23, "Standard Liège", moved_to, "updated", previous_start=moved_from),
        ],
        now,
    )
    scrapes = [
        ScrapeVerdict(
            source="kaagent.be",
            scraped_at=now - timedelta(minutes=20),
            healthy=True,
            complete=True,
            fixtures=17,
        ),
        ScrapeVerdict(
            source="fixtur.es",
            scraped_at=now - timedelta(minutes=20),
            healthy=False,
            complete=False,
            fixtures=0,
            reasons=["HTTP 503 after 3 retries"],
        ),
    ]
    started = now - timedelta(hours=3)
    components = [
        ComponentHealth(component="AlertLight", state="ERRORED", starts=1, started_at=started, at=now),
        ComponentHealth(component="Scheduler", state="RUNNING", starts=3, started_at=started, at=now),
    ]
    cloud.put_status(
        last_seen=now,
        light=LightState(on=False, pattern="off", since=now - timedelta(hours=1)),
        scrapes=scrapes,
        components=components,
    )
    party = now + timedelta(days=4)
    cloud.put_events(
        [
            EventSnapshot(
                event_id=5,
                kind="custom",
                key="custom-5",
                title="Annex party",
                start=party,
                state="scheduled",
                revision=2,
                alerts=[alert_snapshot(51, party, -240)],
            )
        ],
        now,
        device=ANNEX,
    )
    cloud.put_status(last_seen=now - timedelta(hours=2), light=None, device=ANNEX)
    return {"planned": planned, "moved_from": moved_from, "moved_to": moved_to}


def _sign_in(page, cloud, words, route: str = "") -> None:
    page.goto(f"{cloud.url}/#/{route}")
    page.get_by_label(words["email"]).fill(cloud.resources.demo_email)
    page.get_by_label(words["password"]).fill(cloud.resources.demo_password)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_role("button", name=words["sign_out"])).to_be_visible()


def _shot(page, name: str, language: str, viewport: dict[str, int]) -> None:
    page.screenshot(path=str(artifact(f"states_{name}_{language}_{viewport['width']}")), full_page=True)


@pytest.mark.parametrize(("language", "viewport"), CASES)
def test_the_dashboard_tells_what_is_next_cancelled_and_moved(page, cloud, offices, language, viewport):
    words = WORDS[language]
    _sign_in(page, cloud, words)
    assert page.evaluate("document.documentElement.lang") == ("nl-BE" if language == "nl" else "en-GB")

    # What lights next: the planned game (the cancelled one never lights).
    first = page.locator("main > *").first
    expect(first).to_have_attribute("data-next", "planned")
    light_on = (offices["planned"] - timedelta(hours=6)).astimezone(BRUSSELS)
    expect(first).to_contain_text(f"{words['next']} ")
    expect(first).to_contain_text(f"{light_on:%H:%M} — KAA Gent–Club Brugge")

    # The default plan's alert label reads in the page's language.
    expect(alert_row(page, 211).locator("[data-label]")).to_have_text(words["early"])

    # A cancelled game reads cancelled: no snooze or change on its alerts; the admin may un-cancel.
    cancelled = event_card(page, "KAA Gent – RSC Anderlecht")
    expect(cancelled.locator(".event-head")).to_contain_text(words["cancelled"])
    expect(cancelled.locator("[data-cancelled]")).to_be_visible()
    expect(alert_row(page, 221)).to_have_attribute("data-status", "cancelled")
    expect(cancelled.get_by_role("button", name=words["snooze"], exact=False)).to_have_count(0)
    expect(cancelled.get_by_role("button", name=words["uncancel"])).to_be_visible()

    # A moved game says from when to when.
    moved = event_card(page, "KAA Gent – Standard Liège").locator("[data-moved]")
    expect(moved).to_contain_text(words["moved"])
    expect(moved.locator("del")).to_contain_text(f"{offices['moved_from'].astimezone(BRUSSELS):%H:%M}")
    expect(moved.locator("strong")).to_contain_text(f"{offices['moved_to'].astimezone(BRUSSELS):%H:%M}")

    # The admin's health card.
    health = page.locator("[data-health]")
    expect(health).to_contain_text(words["health"])
    expect(health.locator("[data-version]")).to_have_text("1.0.0")
    expect(health.locator('[data-source="kaagent.be"]')).to_have_attribute("data-verdict", "ok")
    expect(health.locator('[data-source="kaagent.be"]')).to_contain_text("17")
    expect(health.locator('[data-source="fixtur.es"]')).to_have_attribute("data-verdict", "bad")
    expect(health.locator('[data-source="fixtur.es"]')).to_contain_text("HTTP 503 after 3 retries")
    # Each component's state and restarts, as it reported them itself.
    scheduler = health.locator('[data-component="Scheduler"]')
    expect(scheduler).to_have_attribute("data-state", "RUNNING")
    expect(scheduler).to_contain_text(words["running"])
    expect(scheduler.locator("[data-restarts]")).to_have_text(words["restarts_2"])
    light = health.locator('[data-component="AlertLight"]')
    expect(light).to_have_attribute("data-state", "ERRORED")
    expect(light).to_contain_text(words["errored"])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width}px wide on a {viewport['width']}px screen"
    _shot(page, "dashboard", language, viewport)


@pytest.mark.parametrize(("language", "viewport"), CASES)
def test_the_device_picker_shows_the_second_office(page, cloud, offices, language, viewport):
    words = WORDS[language]
    _sign_in(page, cloud, words, route="devices")
    rows = page.locator("tr[data-device]")
    expect(rows).to_have_count(2)
    expect(page.locator(f'tr[data-device="{cloud.device}"]')).to_contain_text("Planet Group Arena")
    expect(page.locator(f'tr[data-device="{cloud.device}"]')).to_contain_text("KAA Gent–Club Brugge")
    _shot(page, "devices", language, viewport)

    page.get_by_role(
        "link", name=re.compile(f"^({'Overzicht' if language == 'nl' else 'Dashboard'})$")
    ).click()
    picker = page.get_by_label(words["device"], exact=True)
    expect(picker.locator("option")).to_have_count(2)
    picker.select_option(ANNEX)
    expect(event_card(page, "Annex party")).to_be_visible()
    assert f"device={ANNEX}" in page.url  # the URL names the device: a link shows this office
    expect(event_card(page, "KAA Gent – Club Brugge")).to_have_count(0)
    page.reload()
    expect(event_card(page, "Annex party")).to_be_visible()
    _shot(page, "dashboard_annex", language, viewport)


@pytest.mark.parametrize(("language", "viewport"), CASES)
def test_a_fixed_form_error_disappears(page, cloud, language, viewport):
    words = WORDS[language]
    _sign_in(page, cloud, words, route="events/new")
    page.get_by_role("button", name=words["create"]).click()
    title = page.get_by_label(words["title"], exact=True)
    error = page.locator(".field", has=title).locator(".field-error")
    expect(error).to_have_text(words["need_title"])
    expect(title).to_have_attribute("aria-invalid", "true")
    title.fill("Board meeting")
    expect(error).to_have_text("")
    expect(title).not_to_have_attribute("aria-invalid", "true")
    _shot(page, "form_fixed", language, viewport)


@pytest.mark.parametrize("viewport", [PHONE_360])
def test_the_phone_navigation_fits_in_two_full_rows(page, cloud, viewport, language):
    _sign_in(page, cloud, WORDS[language])
    tops = page.locator("nav a").evaluate_all(
        "(links) => links.map((a) => Math.round(a.getBoundingClientRect().top))"
    )
    rows = sorted(set(tops))
    assert len(rows) == 2 and tops.count(rows[1]) == tops.count(rows[0]), tops  # no link alone on a line
    nav_right = page.locator("nav").evaluate("(nav) => nav.getBoundingClientRect().right")
    assert nav_right <= viewport["width"]


def test_english_by_choice_is_remembered(browser, cloud):
    context = browser.new_context(viewport=DESK)  # nothing chosen before: the page starts in Dutch
    try:
        page = context.new_page()
        _sign_in(page, cloud, WORDS["nl"])
        expect(page.get_by_role("heading", name="Komende evenementen")).to_be_visible()
        page.get_by_label("Taal / Language").select_option("en")
        expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
        assert page.evaluate("document.documentElement.lang") == "en-GB"
        page.reload()
        expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
        assert page.evaluate("localStorage.getItem('ghela.lang')") == "en"
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nl"])
def test_dutch_is_the_default_and_api_reasons_are_translated(browser, cloud, offices, language):
    context = browser.new_context(viewport=DESK)  # nothing chosen: the venue's language
    try:
        page = context.new_page()
        page.goto(cloud.url)
        expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
        assert page.evaluate("document.documentElement.lang") == "nl-BE"
        _sign_in(page, cloud, WORDS["nl"])
        reason = page.evaluate(
            "import('/js/i18n.js').then((m) => m.reason('only administrators may change or cancel a game'))"
        )
        assert reason == "alleen beheerders mogen dat"
    finally:
        context.close()


def test_an_admin_changes_a_game_and_asks_for_a_scrape(page, cloud, offices):
    words = WORDS["en"]
    _sign_in(page, cloud, words)
    game = event_card(page, "KAA Gent – Club Brugge")
    game.get_by_role("button", name=words["change_game"]).click()
    game.get_by_label(words["kickoff"]).fill("21:00")
    game.get_by_role("button", name=words["save_game"]).click()
    expect(game.locator(".event-head")).to_contain_text("change pending")
    [row] = [j for j in cloud.jobs() if j["operation"] == "updateEvent"]
    document = json.loads(row["document"])
    assert document["eventId"] == 21 and document["by"] == cloud.resources.demo_email
    start = datetime.fromisoformat(document["start"]).astimezone(BRUSSELS)
    assert (start.date(), f"{start:%H:%M}") == (offices["planned"].astimezone(BRUSSELS).date(), "21:00")

    page.locator("section.device").get_by_role("button", name=words["scrape"]).click()
    expect(page.locator(".toast", has_text=words["scrape"])).to_contain_text("sent to the device")
    assert [j["operation"] for j in cloud.jobs()].count("scrapeNow") == 1

    event_card(page, "KAA Gent – RSC Anderlecht").get_by_role("button", name=words["uncancel"]).click()
    [follow] = [json.loads(j["document"]) for j in cloud.jobs() if j["operation"] == "followSource"]
    assert follow["eventId"] == 22 and follow["field"] == "cancelled"

    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.locator("tr", has_text="Scrape now")).to_be_visible()
    expect(page.locator("tr", has_text="Change event")).to_contain_text("KAA Gent – Club Brugge")
    # The device reports them done (as CloudSync writes it): success reads as success, in venue time.
    for job in cloud.jobs():
        cloud.finish_job(job, "SUCCEEDED", reason=f"{job['operation']} applied")
    expect(page.locator("#main > p.muted").first).to_contain_text("Brussels time)", timeout=8_000)
    reason = page.locator("tr", has_text="Change event").locator("td.reason")
    expect(reason).to_have_text("updateEvent applied")
    expect(reason).not_to_have_class(re.compile("failed"))
    assert reason.evaluate("(td) => getComputedStyle(td).color") != "rgb(180, 35, 24)"  # not --bad
    _shot(page, "jobs", "en", DESK)


@pytest.mark.parametrize(("language", "viewport"), CASES)
def test_the_main_views_have_no_serious_accessibility_violations(
    page, cloud, offices, language, viewport, axe_source
):
    words = WORDS[language]
    _sign_in(page, cloud, words)
    found = {}
    for route, ready in [
        ("", "article.event"),
        ("devices", "tr[data-device]"),
        ("jobs", "#jobs-finished"),
        ("metrics", ".counters, .empty"),
        ("events/new", "form"),
        ("security", "#security-title"),
    ]:
        page.goto(f"{cloud.url}/#/{route}")
        page.locator(ready).first.wait_for()
        found[route or "dashboard"] = serious_violations(page, axe_source)
    assert not any(found.values()), found


@pytest.fixture(scope="module")
def counts(cloud) -> None:
    """Twenty minutes of counts (a device that started a little while ago)."""
    now = SystemClock().now().replace(second=0, microsecond=0)
    beats = [("Heartbeat", now - timedelta(minutes=5 * i), 1) for i in range(1, 5)]
    put_counts(
        cloud.client("cloudwatch"), cloud.device, [*beats, ("EventsAdded", now - timedelta(minutes=15), 4)]
    )


@pytest.mark.parametrize(("language", "viewport"), CASES)
def test_the_metrics_charts_span_their_data_with_an_hour_view(page, cloud, counts, language, viewport):
    words = WORDS[language]
    _sign_in(page, cloud, words, route="metrics")
    expect(page.locator('.counter[data-metric="EventsAdded"] .n')).to_have_text("4")
    # 24 hours of axis for 20 minutes of counts: the charts start where the counts begin.
    expect(page.locator("[data-span]")).to_be_visible()
    expect(page.locator("[data-freshness]")).to_contain_text("5 min")
    page.get_by_role("button", name="1 uur" if language == "nl" else "1 hour").click()
    hour = "het laatste uur" if language == "nl" else "the last hour"
    heartbeats = "Hartslagen" if language == "nl" else "Heartbeats"
    chart = page.locator("section.chart", has=page.get_by_role("heading", name=f"{heartbeats} — {hour}"))
    expect(chart.locator("rect.bar")).to_have_count(4)
    # Four 5-minute bars in an hour's chart are each about a twelfth of it wide, not a hairline.
    widths = chart.locator("rect.bar").evaluate_all(
        "(bars) => bars.map((b) => Number(b.getAttribute('width')))"
    )
    assert min(widths) > 600 / 14, widths
    _shot(page, "metrics_hour", language, viewport)


def test_the_catalogue_has_every_message_and_metric_in_both_languages(page, cloud):
    page.goto(f"{cloud.url}/config.json")  # same origin as the modules, no app started
    keys = page.evaluate(
        f"import('{cloud.url}/js/messages.js')"
        ".then((m) => [Object.keys(m.MESSAGES.en), Object.keys(m.MESSAGES.nl)])"
    )
    english, dutch = map(set, keys)
    assert english == dutch, english ^ dutch
    assert {f"metric.{name}" for name in (HEARTBEAT, *METRIC_NAMES)} <= english
    assert {f"job.op.{name}" for name in OPERATIONS} <= english
