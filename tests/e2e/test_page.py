"""The web page against the local API server and moto (no device): sign-in, dashboard,
forms, jobs, metrics. The read copy is written here as CloudSync writes it."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from ghela.core.clock import SystemClock
from ghela.core.messages.light import LightState
from ghela.core.messages.snapshots import EventSnapshot
from ghela_cloud.local.provision import generate_password
from playwright.sync_api import expect

from tests.e2e.cloud import alert_snapshot
from tests.e2e.conftest import PHONE, artifact, new_context
from tests.e2e.pages import alert_row, create_event, event_card, job_row, sign_in, venue_day
from tests.support.cloudwatch import put_counts

pytestmark = [pytest.mark.browser, pytest.mark.moto]

BRUSSELS = ZoneInfo("Europe/Brussels")


def _sign_in(page, cloud, route: str = "") -> None:
    sign_in(page, cloud.url, cloud.resources.demo_email, cloud.resources.demo_password, route=route)


@pytest.fixture(scope="module")
def seeded(cloud):
    """Two games (one without a kick-off time) and a custom event, and an online device."""
    now = SystemClock().now().replace(microsecond=0)
    kickoff = now + timedelta(days=2, hours=3)
    concert = now + timedelta(days=4)
    events = [
        EventSnapshot(
            event_id=11,
            kind="game",
            key="jpl-2026-gent-brugge",
            title="",
            home="KAA Gent",
            away="Club Brugge",
            competition="Jupiler Pro League",
            venue="Planet Group Arena",
            start=kickoff,
            state="scheduled",
            revision=5,
            alerts=[
                alert_snapshot(101, kickoff, -360, "blink"),
                alert_snapshot(102, kickoff, -240, "steady", snoozed_until=kickoff - timedelta(minutes=200)),
            ],
        ),
        EventSnapshot(
            event_id=12,
            kind="game",
            key="cup-2026-gent-standard",
            title="",
            home="KAA Gent",
            away="Standard Liège",
            competition="Croky Cup",
            date=(now + timedelta(days=9)).date(),
            state="scheduled",
            revision=5,
        ),
        EventSnapshot(
            event_id=13,
            kind="custom",
            key="custom-13",
            title="Spring concert",
            start=concert,
            state="scheduled",
            revision=6,
            alerts=[alert_snapshot(103, concert, -240, "steady", custom=False)],
        ),
    ]
    cloud.put_events(events, now)
    cloud.put_status(
        last_seen=now, light=LightState(on=True, pattern="blink", since=now - timedelta(minutes=3))
    )
    return {"kickoff": kickoff, "concert": concert}


def test_an_unauthenticated_visit_lands_on_sign_in(page, cloud):
    page.goto(f"{cloud.url}/#/jobs")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("article.event")).to_have_count(0)


def test_a_wrong_password_is_refused_with_a_message(page, cloud):
    page.goto(cloud.url)
    page.get_by_label("E-mail address").fill(cloud.resources.demo_email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Incorrect")
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()


def test_signed_in_the_dashboard_lists_events_in_venue_time(page, cloud, seeded):
    _sign_in(page, cloud)

    game = event_card(page, "KAA Gent – Club Brugge")
    expect(game).to_be_visible()
    expect(game.locator(".when")).to_contain_text(seeded["kickoff"].astimezone(BRUSSELS).strftime("%H:%M"))
    expect(alert_row(page, 102)).to_contain_text("snoozed until")
    expect(alert_row(page, 101)).to_contain_text("6 h before start")
    expect(alert_row(page, 101)).to_contain_text("blinking")
    expect(event_card(page, "KAA Gent – Standard Liège").locator(".when")).to_contain_text(
        "time not yet known"
    )
    expect(event_card(page, "Spring concert")).to_contain_text("custom event")
    # Soonest first.
    titles = page.locator("article.event h3").all_inner_texts()
    assert titles == ["KAA Gent – Club Brugge", "Spring concert", "KAA Gent – Standard Liège"]

    # The first line: what lights next (the API's /next), in venue time, no countdown yet.
    kickoff = seeded["kickoff"].astimezone(BRUSSELS)
    light_on, empty_by = kickoff - timedelta(hours=6), kickoff - timedelta(hours=3)
    first = page.locator("main > *").first
    expect(first).to_have_attribute("data-next", "planned")
    # The deadline takes a weekday only when it falls on another day than the light (a run
    # started late in the evening crosses midnight between the two).
    by = f"{empty_by:%H:%M}" if empty_by.date() == light_on.date() else f"{empty_by:%a %H:%M}"
    expect(first).to_have_text(
        f"Next: light on {light_on:%a %H:%M} — KAA Gent–Club Brugge, parking empty by {by}"
    )
    expect(first.locator("[data-countdown]")).to_have_count(0)

    device = page.locator("section.device")
    expect(device.locator("[data-light]")).to_have_attribute("data-light", "on")
    expect(device).to_contain_text("On (blinking)")
    expect(device).to_contain_text("online")


def test_the_next_line_counts_down_in_its_last_hour(page, cloud, seeded):
    soon = SystemClock().now() + timedelta(minutes=42)
    answer = {
        "device": cloud.device,
        "next": {"eventId": 11, "alertId": 101, "what": "KAA Gent–Club Brugge", "pattern": "blink",
                 "lightAt": soon.isoformat(), "emptyBy": (soon + timedelta(hours=3)).isoformat()},
        "line": "Next: light on Sat 14:45 — KAA Gent–Club Brugge, parking empty by 17:45",
        "zone": "Europe/Brussels",
    }
    page.route(re.compile(r"/next(\?|$)"), lambda route: route.fulfill(json=answer))
    _sign_in(page, cloud)
    countdown = page.locator(".next-up [data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^ \(in 4[12]:\d\d\)$"))
    before = countdown.inner_text()
    expect(countdown).not_to_have_text(before)  # it ticks
    page.screenshot(path=str(artifact("dashboard_next_countdown")))


def test_a_server_fault_on_the_events_list_says_so_and_the_next_load_shows_them(page, cloud, seeded):
    # The e2e run's "Events could not be loaded: invalid request" was the local API's fault
    # (two requests answered at once); a 5xx must read as the server's fault, not the page's.
    fault = {"statusCode": 500, "message": "internal error; the details are in the function's log"}
    events = re.compile(r"/events(\?|$)")
    page.route(events, lambda route: route.fulfill(status=500, json=fault))
    _sign_in(page, cloud)
    expect(page.get_by_role("alert").filter(has_text="Events could not be loaded")).to_have_text(
        "Events could not be loaded: The server could not answer just now; try again in a moment."
    )
    page.unroute(events)
    page.reload()
    expect(event_card(page, "KAA Gent – Club Brugge")).to_be_visible()


def test_the_dashboard_fits_a_phone(browser, cloud, seeded):
    context = new_context(browser, PHONE)
    page = context.new_page()
    try:
        _sign_in(page, cloud)
        expect(event_card(page, "Spring concert")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
        page.screenshot(path=str(artifact("dashboard_phone")), full_page=True)
    finally:
        context.close()


def test_a_bad_form_shows_field_errors_from_the_page_and_from_the_api(page, cloud):
    _sign_in(page, cloud, route="events/new")

    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field", has=page.get_by_label("Title"))).to_contain_text("Enter a title.")

    # The API's rule (at most 200 characters) comes back as a 422 and shows at the field.
    create_event(page, "x" * 201, venue_day(3), "20:00")
    expect(page.locator(".field", has=page.get_by_label("Title")).locator(".field-error")).to_contain_text(
        "200"
    )
    expect(page.get_by_label("Title")).to_be_focused()
    assert not [job for job in cloud.jobs() if job["operation"] == "createEvent"]


def test_an_end_before_the_start_is_caught_in_the_form(page, cloud):
    _sign_in(page, cloud, route="events/new")
    create_event(page, "Late party", venue_day(3), "20:00", ends="19:00")
    expect(page.locator(".field", has=page.get_by_label("Ends at (optional)"))).to_contain_text(
        "after the start"
    )


def test_creating_an_event_sends_a_job_with_the_venue_time_in_utc(page, cloud):
    _sign_in(page, cloud, route="events/new")
    day = venue_day(5)
    create_event(page, "Company party", day, "19:30")
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    expect(page.locator(".pending-strip")).to_contain_text("Company party")

    jobs = [job for job in cloud.jobs() if job["operation"] == "createEvent"]
    assert len(jobs) == 1
    document = json.loads(jobs[0]["document"])
    start = datetime.fromisoformat(document["start"])
    assert start.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(day.year, day.month, day.day, 19, 30)
    assert jobs[0]["requested_by"] == cloud.resources.demo_email


def test_snooze_shows_the_job_pending_then_done_in_the_jobs_view(page, cloud, seeded):
    _sign_in(page, cloud)
    row = alert_row(page, 103)
    row.get_by_label("Snooze length for alert", exact=False).select_option("30")
    snooze = row.get_by_role("button", name="Snooze", exact=False)
    snooze.focus()
    page.keyboard.press("Enter")  # keyboard works as well as the mouse
    expect(row).to_contain_text("change pending")

    [job] = [j for j in cloud.jobs() if j["operation"] == "snoozeAlert"]
    assert '"minutes":30' in job["document"].replace(" ", "")

    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(job_row(page, job["job_id"])).to_contain_text("pending")
    expect(job_row(page, job["job_id"])).to_contain_text("Snooze alert · Spring concert, final call")

    # The device reports the job done (as CloudSync writes it); the view follows by itself.
    cloud.finish_job(job, "SUCCEEDED")
    expect(job_row(page, job["job_id"])).to_have_attribute("data-status", "SUCCEEDED", timeout=8_000)
    expect(job_row(page, job["job_id"])).to_contain_text("succeeded")


def test_a_failed_job_shows_its_reason(page, cloud, seeded):
    _sign_in(page, cloud)
    alert_row(page, 101).get_by_role("button", name="Change", exact=False).click()
    form = alert_row(page, 101).locator(".alert-edit")
    form.get_by_label("Duration (minutes)").fill("45")
    form.get_by_role("button", name="Save alert").click()
    expect(alert_row(page, 101)).to_contain_text("change pending")
    [job] = [j for j in cloud.jobs() if j["operation"] == "updateAlert"]
    cloud.finish_job(job, "REJECTED", reason="alert 101 has already ended")
    expect(page.locator(".toast.bad")).to_contain_text("alert 101 has already ended", timeout=8_000)
    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(job_row(page, job["job_id"])).to_contain_text("alert 101 has already ended")


def test_an_expired_session_is_refreshed_with_the_refresh_token(page, cloud, seeded):
    _sign_in(page, cloud)
    before = page.evaluate("JSON.parse(sessionStorage.getItem('ghela.session'))")
    page.evaluate("""() => {
        const s = JSON.parse(sessionStorage.getItem('ghela.session'));
        s.expiresAt = Date.now() - 1000;
        sessionStorage.setItem('ghela.session', JSON.stringify(s));
    }""")
    page.reload()
    expect(event_card(page, "Spring concert")).to_be_visible()
    after = page.evaluate("JSON.parse(sessionStorage.getItem('ghela.session'))")
    assert after["refreshToken"] == before["refreshToken"]
    assert after["expiresAt"] > before["expiresAt"] - 1000 and after["idToken"] != ""


def test_sign_out_ends_the_session(page, cloud, seeded):
    _sign_in(page, cloud)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('ghela.session')") is None
    page.goto(f"{cloud.url}/#/metrics")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_metrics_are_drawn_as_charts(page, cloud, seeded):
    now = SystemClock().now().replace(second=0, microsecond=0)
    heartbeats = [("Heartbeat", now - timedelta(minutes=5 * i), 1) for i in range(1, 13)]
    added = ("EventsAdded", now - timedelta(hours=2), 3)
    put_counts(cloud.client("cloudwatch"), cloud.device, [*heartbeats, added])

    _sign_in(page, cloud, route="metrics")
    expect(page.locator('.counter[data-metric="Heartbeat"] .n')).to_have_text("12")
    expect(page.locator('.counter[data-metric="EventsAdded"] .n')).to_have_text("3")
    heartbeat = page.locator("section.chart", has=page.get_by_role("heading", name="Heartbeats", exact=False))
    expect(heartbeat.locator("rect.bar")).to_have_count(12)
    page.get_by_role("button", name="7 days").click()
    expect(page.get_by_role("button", name="7 days")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Heartbeats — the last 7 days")).to_be_visible()


def _jobs_for(cloud, operation: str) -> list[dict]:
    return [json.loads(job["document"]) for job in cloud.jobs() if job["operation"] == operation]


def test_adding_an_alert_sends_its_offset_before_the_start(page, cloud, seeded):
    _sign_in(page, cloud)
    concert = event_card(page, "Spring concert")
    concert.get_by_text("Add an alert").click()
    form = concert.locator(".alert-add")
    form.get_by_label("Minutes before the start").fill("90")
    form.get_by_label("Duration (minutes)").fill("15")
    form.get_by_label("Light pattern").select_option("blink")
    form.get_by_label("Label (optional)").fill("doors open")
    form.get_by_role("button", name="Add alert").click()
    expect(concert.locator(".event-head")).to_contain_text("change pending")
    [document] = _jobs_for(cloud, "addAlert")
    assert document["eventId"] == 13
    assert document["alert"] == {
        "offsetMinutes": -90,
        "durationMinutes": 15,
        "pattern": "blink",
        "label": "doors open",
    }


def test_cancel_and_delete_of_a_custom_event_ask_once_more(page, cloud, seeded):
    _sign_in(page, cloud)
    concert = event_card(page, "Spring concert")
    concert.get_by_role("button", name="Cancel event").click()
    keep = concert.get_by_role("button", name="Keep it")
    expect(keep).to_be_visible()
    keep.click()
    assert _jobs_for(cloud, "cancelEvent") == []
    concert.get_by_role("button", name="Cancel event").click()
    concert.get_by_role("button", name="Yes, cancel it").click()
    expect(concert.locator(".event-head")).to_contain_text("change pending")
    by = cloud.resources.demo_email  # who asked: kept with the override when the event is a game
    assert _jobs_for(cloud, "cancelEvent") == [{"operation": "cancelEvent", "eventId": 13, "by": by}]

    concert.get_by_role("button", name="Delete event").click()
    concert.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".toast", has_text="Delete event")).to_contain_text("sent to the device")
    assert _jobs_for(cloud, "deleteEvent") == [{"operation": "deleteEvent", "eventId": 13}]
    # Games have no such buttons: they are cancelled by the fixture lists, not by hand.
    expect(
        event_card(page, "KAA Gent – Club Brugge").get_by_role("button", name="Delete event")
    ).to_have_count(0)


def test_an_account_with_a_temporary_password_chooses_a_new_one(page, cloud, seeded):
    idp = cloud.client("cognito-idp")
    email = "new.colleague@ghelamco-alert.local"
    temporary, chosen, typo = generate_password(), generate_password(), generate_password()
    cloud.server.api.cognito.remember(email, temporary)  # the local SRP check needs to know it
    idp.admin_create_user(
        UserPoolId=cloud.resources.user_pool_id,
        Username=email,
        TemporaryPassword=temporary,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    page.goto(cloud.url)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(chosen)
    page.get_by_label("Repeat the new password").fill(typo)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_text("The two passwords differ.")).to_be_visible()
    page.get_by_label("Repeat the new password").fill(chosen)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(event_card(page, "Spring concert")).to_be_visible()
    expect(page.locator("#who")).to_have_text(email)
