"""GET /next, called as AWS calls it: a recorded HTTP API event, the read copy in moto.

GIVEN a device's events in the read copy, WHEN the recorded ``GET /next`` event reaches the
events function, THEN it answers what the device's ``ghela next`` answers (one rule,
:mod:`ghela.core.nextup`), in the configured venue zone.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from ghela.core.nextup import next_up
from ghela_cloud.api.services import Services, configure
from ghela_cloud.api.views import event_view

from tests.cloud.conftest import Device, concert, game, load_event
from tests.cloud.test_handlers import call, with_query

pytestmark = pytest.mark.moto


def test_next_names_the_first_alert_to_light_in_venue_time(device: Device) -> None:
    device.put_event(game())
    device.put_event(concert())
    status, body = call(load_event("get_next"))
    assert status == 200
    assert body["line"] == "Next: light on Sat 17:00 — Concert, parking empty by 17:30"
    assert body["zone"] == "Europe/Brussels" and body["device"] == device.name
    assert body["next"] == {
        "eventId": 14,
        "alertId": 40,
        "what": "Concert",
        "lightAt": "2026-12-05T16:00:00+00:00",
        "pattern": "blink",
        "emptyBy": "2026-12-05T16:30:00+00:00",
    }
    stored = [event_view(item) for item in device.services.events.list_events(device.name)]
    up = next_up([v for v in stored if v is not None], device.services.clock.now())
    assert up is not None and up.alert_id == 40


def test_next_is_written_in_the_configured_zone(device: Device) -> None:
    device.put_event(game())
    settings = dataclasses.replace(device.services.settings, venue_zone="Europe/London")
    configure(Services(settings, clock=device.services.clock, session=device.aws))
    status, body = call(load_event("get_next"))
    assert status == 200 and body["zone"] == "Europe/London"
    assert body["line"] == "Next: light on Sun 14:30 — KAA Gent–RSC Anderlecht, parking empty by 15:00"


def test_nothing_next_once_the_last_alert_is_over(device: Device, clock) -> None:
    device.put_event(concert())
    clock.advance(timedelta(days=11))
    status, body = call(load_event("get_next"))
    assert status == 200 and body["next"] is None and body["line"] == "Next: nothing planned"


def test_next_of_an_unknown_device_is_404(device: Device) -> None:
    status, body = call(with_query(load_event("get_next"), device="nobody-here"))
    assert status == 404 and "nobody-here" in body["message"]
