"""Notifications through moto: the real planner and sender, DynamoDB Streams read from moto,
schedules in moto's EventBridge Scheduler, e-mail recorded by moto's SES, and local
receivers standing in for the Teams webhook and a browser's push service.

The push request is checked as a browser would: its payload decrypted with ``http_ece``
and the subscription's private key, its VAPID JWT verified with the page's public key.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from ghela.core.clock import FrozenClock
from ghela.core.messages.snapshots import EventSnapshot
from ghela_cloud import names
from ghela_cloud.local.provision import LocalResources, provision
from ghela_cloud.notify.chat import shown_text
from ghela_cloud.notify.local import (
    LocalNotifier,
    Receiver,
    ScheduleFirer,
    StreamPoller,
    notify_settings_for,
)
from ghela_cloud.notify.messages import decode_notification
from ghela_cloud.notify.planning import schedule_name
from ghela_cloud.notify.prefs import AlertChoice, Channel, Preferences, WebhookBody
from ghela_cloud.notify.secrets import application_server_key
from ghela_cloud.notify.settings import NotifySettings
from ghela_cloud.notify.wiring import Notify

from tests.cloud.conftest import CachingSession
from tests.support.demogame import demo_first_game
from tests.support.webpush import Browser, verify_vapid

pytestmark = pytest.mark.moto

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
"""Ten days before the game: adding it is not a late change."""
_SERIALIZER = TypeSerializer()


@dataclass
class Rig:
    resources: LocalResources
    parts: Notify
    clock: FrozenClock
    poller: StreamPoller
    firer: ScheduleFirer
    webhook: Receiver
    push: Receiver
    device: str

    def put_event(self, item: dict[str, Any]) -> None:
        full = {"device": self.device, "sk": names.event_sk(item["event_id"]), **item}
        self.parts.client("dynamodb").put_item(
            TableName=self.resources.events_table, Item={k: _SERIALIZER.serialize(v) for k, v in full.items()}
        )

    def put_snapshot(self, event: EventSnapshot) -> None:
        self.put_event(event.model_dump(mode="json", exclude_none=True))

    def schedules(self) -> list[str]:
        return self.parts.schedules.names()

    def emails_sent(self) -> int:
        points = self.parts.client("ses").get_send_statistics()["SendDataPoints"]
        return sum(p["DeliveryAttempts"] for p in points)


@pytest.fixture(scope="module")
def resources(moto_server) -> LocalResources:
    return provision(moto_server.url, prefix=f"n{uuid.uuid4().hex[:8]}", stage="test")


@pytest.fixture
def rig(resources: LocalResources) -> Iterator[Rig]:
    clock = FrozenClock(NOW)
    parts = Notify(notify_settings_for(resources), clock=clock, session=CachingSession(resources.region))
    for name in parts.schedules.names():  # a group of this test alone
        parts.schedules.delete(name)
    poller = StreamPoller(parts, resources.events_table)
    poller.skip_to_now()
    webhook, push = Receiver("teams", status=200, echo=False), Receiver("push", echo=False)
    try:
        yield Rig(
            resources, parts, clock, poller, ScheduleFirer(parts), webhook, push, f"pi-{uuid.uuid4().hex[:8]}"
        )
    finally:
        webhook.stop()
        push.stop()


def final_call_game(revision: int, **alert: Any) -> dict[str, Any]:
    """A home game on Sunday 20 December, kick-off 18:30 Brussels; final call 14:30-15:30."""
    return {
        "event_id": 12,
        "kind": "game",
        "key": "jpl-kaa-gent-club-brugge",
        "title": "KAA Gent - Club Brugge",
        "venue": "Planet Group Arena",
        "start": "2026-12-20T17:30:00+00:00",
        "state": "scheduled",
        "revision": revision,
        "alerts": [
            {
                "alert_id": 31,
                "label": "final call",
                "starts_at": "2026-12-20T13:30:00+00:00",
                "ends_at": "2026-12-20T14:30:00+00:00",
                "pattern": "steady",
                "offset_minutes": -240,
                **alert,
            }
        ],
    }


def test_a_synced_alert_creates_one_schedule_and_snoozing_removes_it(rig: Rig) -> None:
    rig.put_event(final_call_game(revision=5))
    result = rig.poller.poll()
    assert not result.rejected and not result.failed
    assert rig.schedules() == [schedule_name(rig.device, 31)]
    schedule = rig.parts.schedules.get(schedule_name(rig.device, 31))
    assert schedule["ScheduleExpression"] == "at(2026-12-20T13:30:00)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"

    rig.put_event(final_call_game(revision=6, starts_at="2026-12-20T13:45:00+00:00"))  # moved: still one
    rig.poller.poll()
    assert rig.schedules() == [schedule_name(rig.device, 31)]

    rig.put_event(final_call_game(revision=7, silenced=True))  # snoozed entirely
    rig.poller.poll()
    assert rig.schedules() == []


def test_firing_sends_one_email_one_webhook_call_and_one_verified_push_once(rig: Rig) -> None:
    browser = Browser.new(f"{rig.push.url}/push/abc123")
    key = application_server_key(rig.parts.secrets.vapid(create=True))  # as the page's GET does
    rig.parts.secrets.set_webhook(WebhookBody(url=f"{rig.webhook.url}/teams", kind="teams"))
    rig.parts.prefs.put(
        "user-1",
        Preferences(
            channels=[Channel.EMAIL, Channel.PUSH],
            email="staff@ghelamco-alert.local",
            push_subscriptions=[browser.subscription()],
        ),
    )
    rig.parts.client("ses").verify_email_identity(EmailAddress="staff@ghelamco-alert.local")
    rig.put_event(final_call_game(revision=5))
    rig.poller.poll()
    emails_before = rig.emails_sent()

    rig.clock.advance(datetime(2026, 12, 20, 13, 30, tzinfo=UTC) - NOW)
    [fired] = rig.firer.fire_due()

    assert rig.emails_sent() == emails_before + 1
    [teams] = rig.webhook.received
    text = shown_text(json.loads(teams.body))  # the Adaptive Card's lines
    assert "Parking leeg tegen 15:30" in text and "Parking empty by 15:30" in text
    [push] = rig.push.received
    assert push.headers["content-encoding"] == "aes128gcm", push.headers
    claims = verify_vapid(push.headers["authorization"], key, browser.endpoint)
    assert rig.clock.now().timestamp() < claims["exp"] <= rig.clock.now().timestamp() + 24 * 3600
    message = browser.decrypt(push.body)
    assert message["title"] == "Parking leeg tegen 15:30 / Parking empty by 15:30"
    assert rig.schedules() == []  # deleted after firing

    again = rig.parts.sender.deliver(fired)  # the same change delivered a second time
    assert again.sent == [] and len(again.skipped) == 3
    assert rig.emails_sent() == emails_before + 1
    assert len(rig.webhook.received) == 1 and len(rig.push.received) == 1


def test_a_game_moved_into_the_next_week_is_announced_at_once(rig: Rig) -> None:
    rig.parts.secrets.set_webhook(WebhookBody(url=f"{rig.webhook.url}/teams", kind="teams"))
    rig.put_event(final_call_game(revision=5))
    rig.poller.poll()
    assert rig.webhook.received == []
    rig.clock.advance(timedelta(days=4))
    moved = final_call_game(revision=6)
    moved["start"] = "2026-12-19T19:45:00+00:00"
    moved["alerts"][0].update(starts_at="2026-12-19T15:45:00+00:00", ends_at="2026-12-19T16:45:00+00:00")
    rig.put_event(moved)
    rig.poller.poll()
    [call] = rig.webhook.received
    text = shown_text(json.loads(call.body))
    assert "19/12 20:45" in text and "parking empty by 19/12 17:45" in text


def test_a_cancelled_game_cancels_its_schedule(rig: Rig) -> None:
    rig.put_event(final_call_game(revision=5))
    rig.poller.poll()
    assert len(rig.schedules()) == 1
    rig.put_event({**final_call_game(revision=6), "state": "cancelled"})
    rig.poller.poll()
    assert rig.schedules() == []


def test_the_status_item_and_past_alerts_plan_nothing(rig: Rig) -> None:
    rig.parts.client("dynamodb").put_item(
        TableName=rig.resources.events_table,
        Item={"device": {"S": rig.device}, "sk": {"S": names.STATUS_SK}, "revision": {"N": "3"}},
    )
    rig.clock.advance(timedelta(days=11))
    rig.put_event(final_call_game(revision=5))
    result = rig.poller.poll()
    assert not result.rejected and rig.schedules() == []


@dataclass
class DemoChannels:
    """What ``ghela up`` sets (the Teams stand-in for every alert) and a user on e-mail and push."""

    browser: Browser
    key: str


def demo_channels(rig: Rig) -> DemoChannels:
    browser = Browser.new(f"{rig.push.url}/push/demo")
    key = application_server_key(rig.parts.secrets.vapid(create=True))
    rig.parts.secrets.set_webhook(
        WebhookBody(url=f"{rig.webhook.url}/teams", kind="teams", alerts=AlertChoice.ALL)
    )
    rig.parts.prefs.put(
        "user-1",
        Preferences(
            channels=[Channel.EMAIL, Channel.PUSH],
            alerts=AlertChoice.ALL,
            email="staff@ghelamco-alert.local",
            push_subscriptions=[browser.subscription()],
        ),
    )
    rig.parts.client("ses").verify_email_identity(EmailAddress="staff@ghelamco-alert.local")
    return DemoChannels(browser, key)


def _first_alert_start(game: EventSnapshot) -> datetime:
    return min(alert.starts_at for alert in game.alerts)


def assert_the_first_alert_went_out_once(rig: Rig, channels: DemoChannels, emails_before: int) -> None:
    """Each channel got the first alert's notice once, beside the one late-change notice a
    game added within the week brings (the demo's is added today); e-mail as moto counts."""
    assert rig.emails_sent() == emails_before + 2
    teams = sorted(shown_text(json.loads(r.body)).split("\n", 1)[0] for r in rig.webhook.received)
    assert len(teams) == 2
    assert teams[0].startswith("Gewijzigd: ") and teams[1].startswith("Parking leeg tegen")
    titles = []
    for push in rig.push.received:
        verify_vapid(push.headers["authorization"], channels.key, channels.browser.endpoint)
        message = channels.browser.decrypt(push.body)
        titles.append(message["title"])
        if message["title"].startswith("Parking"):
            assert message["body"].startswith("KAA Gent - Demo FC: early warning.")
    assert sorted(t.split(" ", 1)[0] for t in titles) == ["Gewijzigd:", "Parking"]


def test_the_demos_first_alert_goes_out_once_when_the_first_sync_arrives_after_it_started(rig: Rig) -> None:
    """A slow start (or a Pi that comes online mid-alert): the planner sends it at once."""
    channels = demo_channels(rig)
    up_at = rig.clock.now()
    first = demo_first_game(up_at, revision=1)
    emails_before = rig.emails_sent()
    rig.clock.advance(_first_alert_start(first) + timedelta(seconds=90) - up_at)

    rig.put_snapshot(first)
    result = rig.poller.poll()
    assert not result.rejected and not result.failed
    assert_the_first_alert_went_out_once(rig, channels, emails_before)
    assert rig.schedules() == [schedule_name(rig.device, 2)]  # the final call, still to come

    rig.clock.advance(timedelta(minutes=1))
    rig.put_snapshot(demo_first_game(up_at, revision=2))  # the next sync while it lights
    rig.poller.poll()
    assert rig.firer.fire_due() == []
    assert_the_first_alert_went_out_once(rig, channels, emails_before)


def test_the_demos_first_alert_scheduled_and_synced_again_while_it_lights_goes_out_once(rig: Rig) -> None:
    channels = demo_channels(rig)
    up_at = rig.clock.now()
    first = demo_first_game(up_at, revision=1)
    emails_before = rig.emails_sent()
    rig.put_snapshot(first)
    rig.poller.poll()
    assert sorted(rig.schedules()) == sorted(schedule_name(rig.device, n) for n in (1, 2))

    rig.clock.advance(_first_alert_start(first) - up_at)
    [fired] = rig.firer.fire_due()
    assert fired.alert_id == 1
    rig.clock.advance(timedelta(minutes=5))
    rig.put_snapshot(demo_first_game(up_at, revision=2))  # the planner's catch-up: the same notice
    rig.poller.poll()
    assert_the_first_alert_went_out_once(rig, channels, emails_before)


def test_the_firer_reads_a_schedule_again_only_once_it_changed(rig: Rig) -> None:
    """Rounds with nothing new read no schedule again; a schedule moved since it was read
    (UpdateSchedule: a new LastModificationDate) is read again and fires at its new time."""
    demo_channels(rig)  # where the fired notice goes
    reads: list[str] = []
    scheduler = rig.parts.client("scheduler")
    scheduler.meta.events.register(
        "provide-client-params.scheduler.GetSchedule", lambda params, **_: reads.append(params["Name"])
    )
    rig.put_event(final_call_game(revision=5))
    rig.poller.poll()
    [name] = rig.schedules()
    assert rig.firer.fire_due() == [] and rig.firer.fire_due() == []  # not due yet
    assert reads == [name]

    schedule = rig.parts.schedules.get(name)
    moved = decode_notification(schedule["Target"]["Input"])
    assert not isinstance(moved, str)
    rig.parts.schedules.put(name, rig.clock.now(), moved)  # due now
    reads.clear()
    [fired] = rig.firer.fire_due()
    assert reads == [name] and fired == moved
    assert rig.schedules() == []


def calls_to_moto(rig: Rig) -> list[str]:
    """Every stream and scheduler operation the rig's clients make, by name, as they are made."""
    calls: list[str] = []
    for service in ("dynamodbstreams", "scheduler"):
        rig.parts.client(service).meta.events.register(
            "before-call", lambda model, **_: calls.append(model.name)
        )
    return calls


def test_an_idle_round_of_the_local_notifier_reads_the_stream_and_nothing_else(rig: Rig) -> None:
    """Schedules are listed after the stream brought a change, or once the earliest is due;
    a round in between is one GetRecords (the shards were described once, when it started)."""
    demo_channels(rig)
    notifier = LocalNotifier(rig.parts, rig.poller, relist=3600)
    calls = calls_to_moto(rig)
    assert notifier.round() == []  # the first round lists what is already there
    assert calls == ["GetRecords", "ListSchedules"]

    rig.put_event(final_call_game(revision=5))
    calls.clear()
    assert notifier.round() == []  # the change planned a schedule, not due yet
    assert "ListSchedules" in calls and "DescribeStream" not in calls and "CreateSchedule" in calls
    assert rig.schedules() == [schedule_name(rig.device, 31)]

    calls.clear()
    assert notifier.round() == [] and notifier.round() == []
    assert calls == ["GetRecords", "GetRecords"]

    rig.clock.advance(datetime(2026, 12, 20, 13, 30, tzinfo=UTC) - NOW)
    calls.clear()
    [fired] = notifier.round()
    assert fired.alert_id == 31 and "ListSchedules" in calls and "DeleteSchedule" in calls
    assert rig.schedules() == []
    calls.clear()
    assert notifier.round() == [] and calls == ["GetRecords"]


def test_the_local_notifier_lists_again_after_its_relist_time_for_schedules_made_elsewhere(rig: Rig) -> None:
    notifier = LocalNotifier(rig.parts, rig.poller, relist=0)
    notifier.round()
    calls = calls_to_moto(rig)
    notifier.round()
    assert calls == ["GetRecords", "ListSchedules"]


class ClosingStream:
    """A stream whose first shard closes on its first read, leaving a child shard."""

    def __init__(self) -> None:
        self.shards = ["shard-a"]
        self.calls: list[str] = []

    def describe_table(self, **_: Any) -> dict[str, Any]:
        return {"Table": {"LatestStreamArn": "arn:stream"}}

    def describe_stream(self, **_: Any) -> dict[str, Any]:
        self.calls.append("DescribeStream")
        return {"StreamDescription": {"Shards": [{"ShardId": shard} for shard in self.shards]}}

    def get_shard_iterator(self, ShardId: str, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": f"{ShardId}@0"}

    def get_records(self, ShardIterator: str) -> dict[str, Any]:
        self.calls.append(f"GetRecords {ShardIterator}")
        if ShardIterator == "shard-a@0":
            self.shards.append("shard-b")
            return {"Records": []}  # closed: no NextShardIterator
        return {"Records": [], "NextShardIterator": ShardIterator}


def test_the_poller_describes_the_stream_again_only_after_a_shard_closed() -> None:
    stream = ClosingStream()
    parts = Notify(NotifySettings(), clock=FrozenClock(NOW))
    parts.client = lambda service: stream  # type: ignore[method-assign]
    poller = StreamPoller(parts, "events")
    for _ in range(4):
        poller.poll()
    assert stream.calls == [
        "DescribeStream",
        "GetRecords shard-a@0",  # closes
        "DescribeStream",
        "GetRecords shard-b@0",
        "GetRecords shard-b@0",
        "GetRecords shard-b@0",
    ]
