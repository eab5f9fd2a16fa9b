"""The Scheduler service on an in-memory bus with a frozen clock (no IPC, no real waiting)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages import Message
from ghela.core.messages.commands import (
    CommandRequest,
    CommandResult,
    CommandStatus,
    CreateEvent,
    SnoozeActive,
    SnoozeAlert,
)
from ghela.core.messages.counted import Activity, ActivityKind
from ghela.core.messages.light import LightCommand, LightCommandRequest
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.core.messages.snapshots import ChangesRequest, ChangesResponse, RevisionChanged
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.commands import CommandHandler, stored_config
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.service import SchedulerService
from ghela.scheduler.store import Store

from tests.scheduler.helpers import game, scrape
from tests.support.waiting import wait_for

M = TypeVar("M", bound=Message)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONCERT = NOW + timedelta(hours=5)  # early warning 06:00-07:00 UTC ago; final call 13:00-14:00




def sent(bus: InMemoryBus, topic: str, model: type[M]) -> list[M]:
    """What was published on ``topic``, each checked to be the topic's ``model``."""
    found: list[M] = []
    for published_topic, message in list(bus.published):
        if published_topic == topic:
            assert isinstance(message, model), message
            found.append(message)
    return found


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "ghela.db"
        self.config = SchedulerConfig(db_path=str(self.db), db_check_seconds=1)
        self.clock = FrozenClock(NOW)
        self.bus = InMemoryBus()
        self.service: SchedulerService | None = None

    def start(self) -> SchedulerService:
        self.service = SchedulerService(self.bus, self.config, self.clock, Store(self.config.db_path)).start()
        return self.service

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None

    def command(self, command_id: str, command: object) -> None:
        self.bus.publish(topics.COMMAND, CommandRequest(command_id=command_id, command=command))

    def results(self) -> list[CommandResult]:
        return sent(self.bus, topics.COMMAND_RESULT, CommandResult)

    def result(self, command_id: str) -> CommandResult:
        results = [m for m in self.results() if m.command_id == command_id]
        return results[-1]

    def lights(self) -> list[LightCommand]:
        return sent(self.bus, topics.LIGHT_SET, LightCommand)

    def activity(self, kind: ActivityKind) -> int:
        return sum(m.count for m in sent(self.bus, topics.ACTIVITY, Activity) if m.kind is kind)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    yield harness
    harness.stop()


def test_an_assembled_scheduler_asks_nothing_and_stops_quietly(tmp_path: Path) -> None:
    """Assembling subscribes, publishes and starts nothing (start() does); stopping it is safe."""
    bus = InMemoryBus()
    config = SchedulerConfig(db_path=str(tmp_path / "ghela.db"))
    service = SchedulerService(bus, config, FrozenClock(NOW), Store(config.db_path))
    bus.publish(topics.LIGHT_SET_REQUEST, LightCommandRequest())  # nobody answers yet
    assert [topic for topic, _ in bus.published] == [topics.LIGHT_SET_REQUEST]
    service.stop()


def test_starts_off_on_an_empty_database(harness: Harness) -> None:
    harness.start()
    [light] = harness.lights()
    assert light.pattern is LightPattern.OFF and light.alert_ids == []


def test_asks_for_a_scrape_once_it_hears_results(harness: Harness) -> None:
    """A result published before the Scheduler subscribed is lost; the request recovers it."""

    def scraper(request: Message) -> None:
        harness.bus.publish(topics.SCRAPE_RESULT, scrape([game("g1", NOW + timedelta(days=3))], NOW).result)

    harness.bus.subscribe(topics.SCRAPE_REQUEST, scraper)
    harness.start()
    assert len(sent(harness.bus, topics.SCRAPE_REQUEST, ScrapeRequest)) == 1
    wait_for(lambda: harness.activity(ActivityKind.EVENT_ADDED) == 1)


def test_a_command_gets_its_result_state_change_and_activity(harness: Harness) -> None:
    harness.start()
    harness.command("c-1", CreateEvent(title="Concert", start=CONCERT))
    result = harness.result("c-1")
    assert result.status is CommandStatus.APPLIED and result.revision == 1
    assert [m.revision for m in sent(harness.bus, topics.STATE_CHANGED, RevisionChanged)] == [1]
    assert harness.activity(ActivityKind.EVENT_ADDED) == 1
    light = harness.lights()[-1]
    assert light.pattern is LightPattern.OFF
    assert light.next_alert_at == CONCERT - timedelta(hours=4)

    harness.command("c-1", CreateEvent(title="Concert", start=CONCERT))
    assert harness.result("c-1").status is CommandStatus.DUPLICATE
    assert len(sent(harness.bus, topics.STATE_CHANGED, RevisionChanged)) == 1

    harness.command("c-2", SnoozeAlert(alert_id=31))
    rejected = harness.result("c-2")
    assert (rejected.status, rejected.field, rejected.message) == (
        CommandStatus.REJECTED,
        "alert_id",
        "alert 31 does not exist",
    )


def test_the_light_follows_the_clock_and_is_refreshed_while_on(harness: Harness) -> None:
    harness.start()
    harness.command("c-1", CreateEvent(title="Concert", start=CONCERT))
    final_call = CONCERT - timedelta(hours=4)
    harness.clock.set(final_call)
    wait_for(lambda: harness.lights()[-1].pattern is LightPattern.STEADY)
    on = harness.lights()[-1]
    assert on.until == final_call + timedelta(hours=1) and on.issued_at == final_call
    assert harness.activity(ActivityKind.ALERT_STARTED) == 1
    count = len(harness.lights())
    harness.clock.advance(minutes=10)
    wait_for(lambda: len(harness.lights()) > count)
    refresh = harness.lights()[-1]
    assert refresh.pattern is LightPattern.STEADY and refresh.issued_at == final_call + timedelta(
        minutes=10
    )
    harness.clock.set(final_call + timedelta(hours=1))
    wait_for(lambda: harness.lights()[-1].pattern is LightPattern.OFF)
    assert harness.activity(ActivityKind.ALERT_STOPPED) == 1


def test_a_starting_light_that_asks_gets_the_command_that_holds_now(harness: Harness) -> None:
    harness.start()
    harness.command("c-1", CreateEvent(title="Concert", start=CONCERT))
    final_call = CONCERT - timedelta(hours=4)
    harness.clock.set(final_call + timedelta(minutes=3))
    wait_for(lambda: harness.lights()[-1].pattern is LightPattern.STEADY)
    count, started = len(harness.lights()), harness.activity(ActivityKind.ALERT_STARTED)

    harness.bus.publish(topics.LIGHT_SET_REQUEST, LightCommandRequest())

    assert len(harness.lights()) == count + 1  # answered at once, not at the next refresh
    again = harness.lights()[-1]
    assert again.pattern is LightPattern.STEADY and again.until == final_call + timedelta(hours=1)
    assert harness.activity(ActivityKind.ALERT_STARTED) == started  # the same alert, not a new one


def test_a_request_while_dark_is_answered_with_off(harness: Harness) -> None:
    harness.start()
    count = len(harness.lights())
    harness.bus.publish(topics.LIGHT_SET_REQUEST, LightCommandRequest())
    assert len(harness.lights()) == count + 1
    assert harness.lights()[-1].pattern is LightPattern.OFF


def test_the_button_snoozes_what_is_lit(harness: Harness) -> None:
    harness.start()
    harness.command("c-1", CreateEvent(title="Concert", start=CONCERT))
    harness.clock.set(CONCERT - timedelta(hours=3, minutes=30))
    wait_for(lambda: harness.lights()[-1].pattern is LightPattern.STEADY)
    harness.command("button-1", SnoozeActive(minutes=10))
    assert harness.result("button-1").status is CommandStatus.APPLIED
    assert harness.lights()[-1].pattern is LightPattern.OFF
    assert harness.activity(ActivityKind.ALERT_SNOOZED) == 1
    harness.clock.advance(minutes=10)
    wait_for(lambda: harness.lights()[-1].pattern is LightPattern.STEADY)


def test_on_start_the_light_is_reconciled_from_the_database(harness: Harness) -> None:
    store = Store(harness.db)
    request = CommandRequest(command_id="c-1", command=CreateEvent(title="Concert", start=CONCERT))
    CommandHandler(store, harness.config).apply(request, NOW - timedelta(days=1))
    store.close()
    harness.clock.set(CONCERT - timedelta(hours=3, minutes=59))
    harness.start()
    first = harness.lights()[0]
    assert first.pattern is LightPattern.STEADY and first.alert_ids == [2]
    assert harness.activity(ActivityKind.ALERT_STARTED) == 0  # a restart is not a new alert


def test_what_a_command_counted_is_published_even_if_the_scheduler_died_after_its_commit(
    harness: Harness,
) -> None:
    store = Store(harness.db)  # applied, committed, then killed before publishing
    request = CommandRequest(command_id="c-1", command=CreateEvent(title="Concert", start=CONCERT))
    CommandHandler(store, harness.config).apply(request, NOW)
    store.close()
    harness.start()
    added = [m for m in sent(harness.bus, topics.ACTIVITY, Activity) if m.kind is ActivityKind.EVENT_ADDED]
    assert len(added) == 1 and added[0].key is not None and added[0].detail == "command c-1"
    harness.stop()
    harness.start()  # published and forgotten: not again
    assert harness.activity(ActivityKind.EVENT_ADDED) == 1


def test_scrape_results_are_applied_once(harness: Harness) -> None:
    harness.start()
    result = ScrapeResult(
        scrape_id="s-1",
        source="kaagent.be",
        scraped_at=NOW,
        fixtures=[game("g1", CONCERT)],
        healthy=True,
        complete=False,
    )
    harness.bus.publish(topics.SCRAPE_RESULT, result)
    harness.bus.publish(topics.SCRAPE_RESULT, result)
    assert harness.activity(ActivityKind.EVENT_ADDED) == 1
    assert [m.revision for m in sent(harness.bus, topics.STATE_CHANGED, RevisionChanged)] == [1]


def test_changes_are_answered_in_pages(harness: Harness) -> None:
    harness.start()
    for index in range(3):
        harness.command(
            f"c-{index}", CreateEvent(title=f"Event {index}", start=CONCERT + timedelta(days=index))
        )
    harness.bus.publish(topics.CHANGES_REQUEST, ChangesRequest(request_id="r-1", since_revision=0, limit=2))
    page = sent(harness.bus, topics.CHANGES, ChangesResponse)[-1]
    assert (page.request_id, page.revision, page.more) == ("r-1", 2, True)
    assert [e.title for e in page.events] == ["Event 0", "Event 1"]
    assert len(page.events[0].alerts) == 2
    harness.bus.publish(topics.CHANGES_REQUEST, ChangesRequest(request_id="r-2", since_revision=2))
    rest = sent(harness.bus, topics.CHANGES, ChangesResponse)[-1]
    assert ([e.title for e in rest.events], rest.revision, rest.more) == (["Event 2"], 3, False)


def test_changes_by_another_writer_are_noticed(harness: Harness) -> None:
    harness.start()
    other = Store(harness.db)
    try:
        request = CommandRequest(
            command_id="cli-1", command=CreateEvent(title="From the CLI", start=CONCERT)
        )
        CommandHandler(other, harness.config).apply(request, NOW)
    finally:
        other.close()
    harness.clock.set(CONCERT - timedelta(hours=4) + timedelta(seconds=0.5))
    wait_for(lambda: harness.lights()[-1].pattern is LightPattern.STEADY)
    harness.clock.advance(seconds=1)
    wait_for(lambda: sent(harness.bus, topics.STATE_CHANGED, RevisionChanged))
    assert sent(harness.bus, topics.STATE_CHANGED, RevisionChanged)[-1].revision == 1


def test_events_finish_after_their_time(harness: Harness) -> None:
    harness.start()
    harness.command("c-1", CreateEvent(title="Concert", start=CONCERT, end=CONCERT + timedelta(hours=2)))
    harness.clock.set(CONCERT + timedelta(hours=2))
    wait_for(lambda: sent(harness.bus, topics.STATE_CHANGED, RevisionChanged)[-1].revision == 2)
    assert harness.service is not None
    page = harness.service.changes(ChangesRequest(since_revision=1))
    assert [e.state.value for e in page.events] == ["finished"]


def test_an_invalid_command_is_counted_answered_by_its_id_and_the_service_carries_on(
    harness: Harness,
) -> None:
    invalid: list[str] = []
    harness.bus = InMemoryBus(on_invalid=lambda topic, reason: invalid.append(reason))
    harness.start()
    harness.bus.publish_raw(topics.COMMAND, '{"command_id": "bad", "command": {"op": "snooze_alert"}}')
    assert invalid and "alert_id" in invalid[0]
    [answer] = sent(harness.bus, topics.COMMAND_RESULT, CommandResult)
    assert answer.command_id == "bad" and answer.status is CommandStatus.REJECTED
    assert answer.field is not None and answer.field.endswith("alert_id") and "alert_id" in answer.message


def test_an_invalid_command_without_a_usable_id_is_only_counted(harness: Harness) -> None:
    invalid: list[str] = []
    harness.bus = InMemoryBus(on_invalid=lambda topic, reason: invalid.append(reason))
    harness.start()
    for broken in ('{"command_id": "a b/#", "command": {}}', "[1, 2]", b"\xff", '{"command": 1}'):
        harness.bus.publish_raw(topics.COMMAND, broken)
    assert len(invalid) == 4
    assert sent(harness.bus, topics.COMMAND_RESULT, CommandResult) == []
    harness.command("good", CreateEvent(title="Concert", start=CONCERT))
    assert harness.result("good").status is CommandStatus.APPLIED


def test_stored_configuration_is_what_the_cli_plans_with(harness: Harness) -> None:
    harness.config = harness.config.model_copy(update={"refresh_minutes": 7})
    harness.start()
    store = Store(harness.db)
    try:
        stored = stored_config(store)
        assert stored is not None and stored.refresh_minutes == 7
    finally:
        store.close()
