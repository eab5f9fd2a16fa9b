"""The page's pure modules (time, API error shapes, alert states), run in Chromium itself:
the same JavaScript the page runs, imported into a blank page from the local server."""

from __future__ import annotations

import json

import pytest
from ghela.scheduler.config import default_plan
from ghela_cloud.local.srp import Challenge, pad_hex

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


@pytest.mark.parametrize("password", ["Sécret pässword!1", "wrong password"])
def test_the_pages_srp_proof_is_what_cognitos_maths_expects(module, password):
    """srp.js (in Chromium, WebCrypto and BigInt) against the server half in Python:
    the right password proves itself, a wrong one does not."""
    challenge = Challenge.start("AbCdEf123", "0b5e7a1c-user", "Sécret pässword!1")
    params = json.dumps(challenge.parameters())
    answer = module(
        "srp.js",
        f"const p = {params}; const s = m.startSrp(); const timestamp = m.cognitoTimestamp();"
        "return m.passwordSignature({poolName: 'AbCdEf123', userId: p.USER_ID_FOR_SRP,"
        f" password: {password!r}, salt: p.SALT, srpB: p.SRP_B, secretBlock: p.SECRET_BLOCK,"
        " a: s.a, A: s.A, timestamp})"
        ".then((signature) => ({A: s.srpA, signature, timestamp}));",
    )
    proved = challenge.proves(answer["A"], answer["signature"], answer["timestamp"])
    assert proved is (password == "Sécret pässword!1")


def test_cognitos_timestamp_format_and_java_style_padding(module):
    assert module(
        "srp.js",
        "return [m.cognitoTimestamp(new Date(Date.UTC(2026, 11, 1, 9, 5, 3))),"
        " m.padHex(0x7fn), m.padHex(0x80n), m.padHex(0xabcn)];",
    ) == ["Tue Dec 1 09:05:03 UTC 2026", "7f", "0080", "0abc"]
    assert pad_hex(0x7F) == "7f" and pad_hex(0x80) == "0080" and pad_hex(0xABC) == "0abc"


def test_the_totp_qr_code_encodes_the_otpauth_uri(module):
    uri = module("views/security.js", "return m.otpauthUri('anna@example.com', 'JBSWY3DPEHPK3PXP');")
    assert uri == (
        "otpauth://totp/Ghelamco%20Alert%3Aanna%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Ghelamco%20Alert"
    )
    svg = module(
        "views/security.js",
        "const svg = m.qrSvg('otpauth://totp/x?secret=JBSWY3DPEHPK3PXP');"
        "return {box: svg.getAttribute('viewBox'),"
        " dark: svg.querySelector('path').getAttribute('d').length};",
    )
    size = int(svg["box"].split()[-1])
    assert size >= 21 + 8 and (size - 8 - 17) % 4 == 0  # a QR version's side (17 + 4v) and the border
    assert svg["dark"] > 1000


def test_the_countdown_runs_only_in_the_last_hour(module):
    now = "new Date('2026-12-05T13:00:00Z')"
    assert module(
        "time.js",
        f"return ['2026-12-05T13:42:05Z', '2026-12-05T13:59:59Z', '2026-12-05T14:00:00Z',"
        f" '2026-12-05T13:00:00Z', '2026-12-05T12:00:00Z', ''].map((v) => m.countdown(v, {now}));",
    ) == ["in 42:05", "in 59:59", "", "", "", ""]


def test_the_default_plans_alert_labels_are_translated_and_a_custom_one_is_shown_as_written(module):
    labels = module("messages.js", "return Object.keys(m.DEFAULT_LABELS);")
    assert sorted(labels) == sorted(rule.label for rule in default_plan())  # the Scheduler's own
    shown = """m.setLanguage('{lang}');
        return ['early warning', 'final call', 'Doors open', 'Final Call'].map(m.alertLabel);"""
    assert module("i18n.js", shown.format(lang="nl")) == [
        "eerste waarschuwing",
        "laatste oproep",
        "Doors open",
        "Final Call",
    ]
    english = module("i18n.js", shown.format(lang="en"))
    assert english == ["early warning", "final call", "Doors open", "Final Call"]


def test_the_next_line_names_the_deadlines_day_only_when_it_is_another_day(module):
    line = """const up = (light, empty) =>
          ({ next: { what: 'KAA Gent–Club Brugge', light_at: light, empty_by: empty } });
        const now = Date.parse('2026-12-01T12:00:00Z');
        return import(location.origin + '/js/i18n.js').then((i18n) => {
          i18n.setLanguage('en');
          return [m.nextLine(up('2026-12-03T20:15:00Z', '2026-12-03T22:45:00Z'), now),
                  m.nextLine(up('2026-12-03T20:15:00Z', '2026-12-03T23:15:00Z'), now)];
        });"""
    assert module("model.js", line) == [
        "Next: light on Thu 21:15 — KAA Gent–Club Brugge, parking empty by 23:45",
        "Next: light on Thu 21:15 — KAA Gent–Club Brugge, parking empty by Fri 00:15",
    ]
