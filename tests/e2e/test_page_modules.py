"""The page's pure modules (time, API error shapes, alert states), run in Chromium itself:
the same JavaScript the page runs, imported into a blank page from the local server."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.moto]


@pytest.fixture
def module(page, cloud):
    page.goto(f"{cloud.url}/config.json")  # same origin as the modules, no app started

    def run(path: str, body: str):
        return page.evaluate(f"import('{cloud.url}/js/{path}').then((m) => {{ {body} }})")

    return run


@pytest.mark.parametrize(
    ("date", "time", "utc"),
    [
        ("2026-11-29", "18:15", "2026-11-29T17:15:00.000Z"),  # winter: UTC+1
        ("2026-07-01", "18:15", "2026-07-01T16:15:00.000Z"),  # summer: UTC+2
        ("2026-03-29", "01:59", "2026-03-29T00:59:00.000Z"),  # just before spring forward
        ("2026-03-29", "03:00", "2026-03-29T01:00:00.000Z"),  # just after it
        ("2026-10-25", "03:30", "2026-10-25T02:30:00.000Z"),  # after fall back
    ],
)
def test_venue_wall_time_becomes_utc_across_dst(module, date, time, utc):
    assert module("time.js", f"return m.venueToUtc('{date}', '{time}').toISOString();") == utc


def test_utc_is_shown_in_venue_time_whatever_the_browsers_zone(module):
    assert module("time.js", "return m.utcToVenue('2026-07-01T16:15:00Z');") == {
        "date": "2026-07-01",
        "time": "18:15",
    }
    assert module("time.js", "return m.formatTime('2026-11-29T17:15:00Z');") == "18:15"
    assert module("time.js", "return m.formatLocalDate('2026-12-06');") == "Sun, 6 Dec 2026"
    assert module(
        "time.js", "return [m.describeOffset(-360), m.describeOffset(30), m.describeDuration(90)];"
    ) == [
        "6 h before start",
        "30 min after start",
        "1 h 30 min",
    ]
    assert module("time.js", "return m.venueToUtc('2026-13-01', '10:00');") is None


def test_api_error_bodies_become_field_messages(module):
    body = (
        "{status_code: 422, message: 'invalid request', errors: ["
        "{field: 'alerts.0.offsetMinutes', message: 'too early'}, {field: 'title', message: 'too long'},"
        "{field: '(body)', message: 'Value error, end must be after start'}]}"
    )
    assert module("api.js", f"return m.fieldErrors({body});") == {
        "offset_minutes": "too early",
        "title": "too long",
        "_form": "end must be after start",
    }
    assert module(
        "api.js", "return m.fieldErrors({detail: [{loc: ['body', 'start'], msg: 'missing'}]});"
    ) == {"start": "missing"}


def test_alert_states_follow_the_clock(module):
    alert = "{starts_at: '2026-11-25T10:00:00Z', ends_at: '2026-11-25T11:00:00Z'}"
    at = "Date.parse('2026-11-25T{}:00Z')"
    script = (
        f"const a = {alert}; return ["
        f"m.alertStatus(a, {at.format('09:59')}).key, m.alertStatus(a, {at.format('10:00')}).key,"
        f"m.alertStatus(a, {at.format('11:00')}).key,"
        f"m.alertStatus({{...a, snoozed_until: '2026-11-25T10:30:00Z'}}, {at.format('10:10')}).key,"
        f"m.alertStatus({{...a, silenced: true}}, {at.format('10:10')}).key];"
    )
    assert module("model.js", script) == ["upcoming", "active", "past", "snoozed", "silenced"]
