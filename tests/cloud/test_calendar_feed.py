"""The calendar feed through the local server (real HTTP, moto), read by a second library.

``recurring_ical_events`` (not the ``icalendar`` writer's own reading) turns the feed into
occurrences in Brussels time, as a calendar app would.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import requests
from ghela.core.clock import FrozenClock
from ghela_cloud.api.services import Services
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.local.server import LocalApi, LocalApiServer, settings_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import vDDDTypes

from tests.cloud.conftest import STAFF_EMAIL, STAFF_PASSWORD, CachingSession, game, sign_in

pytestmark = pytest.mark.moto

BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclasses.dataclass
class Feeds:
    server: LocalApiServer
    device: str
    cloud: LocalResources
    aws: CachingSession
    admin: dict[str, str]

    def put_event(self, item: dict[str, Any]) -> None:
        from boto3.dynamodb.types import TypeSerializer

        serializer = TypeSerializer()
        full = {"device": self.device, "sk": f"event#{item['event_id']:010d}", **item}
        self.aws.client("dynamodb", endpoint_url=self.cloud.endpoint_url).put_item(
            TableName=self.cloud.events_table, Item={k: serializer.serialize(v) for k, v in full.items()}
        )

    def rotate(self, tokens: dict[str, str] | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {(tokens or self.admin)['IdToken']}"}
        return requests.post(f"{self.server.url}/api/calendar-feed/rotate", headers=headers, timeout=10)

    def feed(self, path: str) -> requests.Response:
        return requests.get(f"{self.server.url}/api{path}", timeout=10)

    def calendar(self, path: str) -> icalendar.Calendar:
        response = self.feed(path)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/calendar")
        return icalendar.Calendar.from_ical(response.content)


@pytest.fixture
def feeds(cloud: LocalResources, aws: CachingSession, admin_tokens: dict[str, str]) -> Iterator[Feeds]:
    """A local server whose only device is a fresh one, on a frozen clock."""
    name = f"pi-{uuid.uuid4().hex[:10]}"
    api = LocalApi(dataclasses.replace(cloud, thing_name=name))
    settings = dataclasses.replace(settings_for(cloud), devices=(name,))
    api.services = Services(settings, clock=FrozenClock(datetime(2027, 3, 20, 9, 0, tzinfo=UTC)), session=aws)
    with LocalApiServer(api) as server:
        yield Feeds(server, name, cloud, aws, admin_tokens)


def _game(event_id: int, start: datetime, revision: int = 3, **extra: Any) -> dict[str, Any]:
    item = game(event_id=event_id, alert_id=event_id * 10, start=start.isoformat())
    final_call = start.astimezone(UTC).replace(second=0) - timedelta(hours=4)
    item["alerts"][0].update(
        label="final call",
        starts_at=final_call.isoformat(),
        ends_at=(final_call + timedelta(hours=1)).isoformat(),
    )
    return {**item, "revision": revision, **extra}


def _by_uid(calendar: icalendar.Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_brussels_times_across_the_dst_weekend_in_a_second_reader(feeds: Feeds) -> None:
    # Saturday 27 March 2027 is still CET (+01:00); on Sunday 28 March clocks go to CEST (+02:00).
    saturday = datetime(2027, 3, 27, 20, 45, tzinfo=BRUSSELS)
    sunday = datetime(2027, 3, 28, 20, 45, tzinfo=BRUSSELS)
    feeds.put_event(_game(1, saturday.astimezone(UTC)))
    feeds.put_event(_game(2, sunday.astimezone(UTC)))
    path = feeds.rotate().json()["path"]

    text = feeds.feed(path).text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Brussels" in text
    occurrences = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
        date(2027, 3, 26), date(2027, 3, 30)
    )
    seen = sorted((o["DTSTART"].dt, o["DTEND"].dt, str(o["SUMMARY"])) for o in occurrences)
    assert [
        (s.astimezone(BRUSSELS).strftime("%a %H:%M"), e.astimezone(BRUSSELS).strftime("%H:%M"))
        for s, e, _ in seen
    ] == [
        ("Sat 17:45", "20:45"),
        ("Sun 17:45", "20:45"),
    ]
    # the instants in UTC differ by the DST hour
    assert [s.astimezone(UTC).hour for s, _, _ in seen] == [16, 15]
    assert all(summary.startswith("Parking empty by 17:45") for _, _, summary in seen)
    [alarm] = [a for o in occurrences for a in o.walk("VALARM")][:1]
    assert alarm["TRIGGER"].dt.total_seconds() == -3600  # the final call starts an hour before the deadline


def test_a_moved_game_keeps_its_uid_with_a_higher_sequence(feeds: Feeds) -> None:
    feeds.put_event(_game(5, datetime(2027, 4, 3, 18, 0, tzinfo=UTC), revision=11))
    path = feeds.rotate().json()["path"]
    [(uid, before)] = _by_uid(feeds.calendar(path)).items()

    feeds.put_event(_game(5, datetime(2027, 4, 4, 12, 30, tzinfo=UTC), revision=14))
    [(uid_after, after)] = _by_uid(feeds.calendar(path)).items()

    assert uid_after == uid
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"].dt.astimezone(BRUSSELS) == datetime(2027, 4, 4, 11, 30, tzinfo=BRUSSELS)


def test_a_cancelled_game_is_sent_as_cancelled(feeds: Feeds) -> None:
    feeds.put_event(_game(6, datetime(2027, 4, 10, 18, 0, tzinfo=UTC), state="cancelled"))
    [event] = feeds.calendar(feeds.rotate().json()["path"]).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_game_without_a_time_is_an_all_day_entry(feeds: Feeds) -> None:
    item = _game(7, datetime(2027, 4, 17, 18, 0, tzinfo=UTC))
    item.pop("start")
    item.update(date="2027-04-17", alerts=[])
    feeds.put_event(item)
    [event] = feeds.calendar(feeds.rotate().json()["path"]).walk("VEVENT")
    start = event["DTSTART"]
    assert isinstance(start, vDDDTypes) and start.dt == date(2027, 4, 17)
    assert "not yet known" in str(event["SUMMARY"])


def test_a_rotated_token_makes_the_old_url_404(feeds: Feeds) -> None:
    feeds.put_event(_game(8, datetime(2027, 4, 24, 18, 0, tzinfo=UTC)))
    old = feeds.rotate().json()["path"]
    assert feeds.feed(old).status_code == 200
    rotated = feeds.rotate()
    assert rotated.status_code == 200
    new = rotated.json()["path"]
    assert new != old
    assert feeds.feed(old).status_code == 404
    assert feeds.feed(new).status_code == 200
    status = requests.get(
        f"{feeds.server.url}/api/calendar-feed",
        headers={"Authorization": f"Bearer {feeds.admin['IdToken']}"},
        timeout=10,
    ).json()
    assert status["active"] is True and status["rotatedBy"] and "path" not in status


def test_only_an_admin_rotates_and_the_status_needs_a_user(feeds: Feeds) -> None:
    staff = sign_in(feeds.cloud, STAFF_EMAIL, STAFF_PASSWORD)
    assert feeds.rotate(staff).status_code == 403
    assert requests.get(f"{feeds.server.url}/api/calendar-feed", timeout=10).status_code == 401
    assert requests.post(f"{feeds.server.url}/api/calendar-feed/rotate", timeout=10).status_code == 401


def test_no_feed_before_the_first_rotation(feeds: Feeds) -> None:
    assert feeds.feed(f"/calendar/{feeds.device}/{'A' * 43}").status_code == 404


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    token=st.text(min_size=1, max_size=300).filter(lambda t: "/" not in t and "?" not in t and "#" not in t)
)
def test_hostile_tokens_are_404_never_500(feeds: Feeds, token: str) -> None:
    quoted = quote(token, safe="")
    response = feeds.feed(f"/calendar/{feeds.device}/{quoted}")
    assert response.status_code in (404, 422), response.text
    assert "token" in response.text or "not found" in response.text.lower()
