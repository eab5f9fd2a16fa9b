"""A job document becomes the right command, and every answer becomes a readable outcome."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ghela.cloudsync.exchange import Exchange
from ghela.cloudsync.executor import JobExecutor
from ghela.cloudsync.stopsignal import StopSignal
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.errors import TransientError
from ghela.core.messages.commands import CommandResult, SnoozeAlert
from ghela.core.messages.counted import JobStatus
from ghela.core.messages.scrape import ScrapeRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cloudsync.fakes import FakeScheduler
from tests.support.clocks import JumpingClock


@pytest.fixture
def clock() -> JumpingClock:
    """Waits for the Scheduler end at their deadline at once (no real time passes)."""
    return JumpingClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


def _commands(bus: InMemoryBus, clock: FrozenClock, **options: float) -> Exchange[CommandResult]:
    exchange: Exchange[CommandResult] = Exchange(
        bus, topics.COMMAND, topics.COMMAND_RESULT, lambda r: r.command_id, clock, **options
    )
    return exchange.start()


@pytest.fixture
def setup(clock: FrozenClock) -> tuple[InMemoryBus, FakeScheduler, JobExecutor]:
    bus = InMemoryBus()
    scheduler = FakeScheduler(bus, clock)
    scheduler.change(events=[3])  # event 3 with alert 30
    return bus, scheduler, JobExecutor(bus, _commands(bus, clock), timeout=0.05, attempts=2)


def test_a_snooze_document_is_sent_as_the_command_with_the_job_id(setup: Any) -> None:
    _, scheduler, executor = setup
    outcome = executor.execute("job-1", {"operation": "snoozeAlert", "alertId": 30, "minutes": 15})
    assert outcome.status is JobStatus.SUCCEEDED
    sent = scheduler.commands[-1]
    assert (sent.command_id, sent.origin) == ("job-1", "job")
    assert sent.command == SnoozeAlert(alert_id=30, minutes=15)
    assert outcome.status_details()["result"] == "applied"


def test_the_original_shape_is_accepted(setup: Any) -> None:
    _, scheduler, executor = setup
    outcome = executor.execute("job-2", json.dumps({"operation": "snoozeAlert", "local_alert_id": 30}))
    assert outcome.status is JobStatus.SUCCEEDED
    assert scheduler.commands[-1].command == SnoozeAlert(alert_id=30)


def test_a_job_applied_twice_succeeds_twice_and_is_applied_once(setup: Any) -> None:
    _, scheduler, executor = setup
    document = {"operation": "unsnoozeAlert", "alertId": 30}
    first = executor.execute("job-3", document)
    second = executor.execute("job-3", document)
    assert (first.status, second.status) == (JobStatus.SUCCEEDED, JobStatus.SUCCEEDED)
    assert second.reason == "already applied"
    assert scheduler.applied.count("job-3") == 1


def test_a_scheduler_refusal_is_rejected_with_its_reason(setup: Any) -> None:
    _, _, executor = setup
    outcome = executor.execute("job-4", {"operation": "snoozeAlert", "alertId": 31})
    assert outcome.status is JobStatus.REJECTED
    assert outcome.reason == "alert 31 does not exist"
    assert outcome.status_details()["field"] == "alert_id"


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("{not json", "not valid JSON"),
        ({"operation": "launchRocket"}, "unknown operation 'launchRocket'"),
        ({"alertId": 3}, "no operation"),
        ({"operation": "snoozeAlert", "alertId": "thirty"}, "alert_id"),
        ({"operation": "snoozeAlert"}, "alert_id"),
        ([1, 2], "must be a JSON object"),
        (7, "must be a JSON object"),
        (None, "must be a JSON object"),
    ],
)
def test_bad_documents_are_rejected_with_a_readable_reason(setup: Any, document: Any, reason: str) -> None:
    _, scheduler, executor = setup
    outcome = executor.execute("job-bad", document)
    assert outcome.status is JobStatus.REJECTED
    assert reason in outcome.reason
    assert scheduler.commands == []


def test_no_answer_from_the_scheduler_fails_the_job_after_retrying(setup: Any, clock: JumpingClock) -> None:
    _, scheduler, executor = setup
    scheduler.answering = False
    started = clock.now()
    outcome = executor.execute("job-5", {"operation": "snoozeAlert", "alertId": 30})
    assert outcome.status is JobStatus.FAILED
    assert outcome.reason == "scheduler did not answer in 0.1 s"
    assert clock.now() - started == timedelta(seconds=0.1)  # two attempts of 0.05 s, on the clock


def test_scrape_now_asks_the_scraper(setup: Any) -> None:
    bus, _, executor = setup
    outcome = executor.execute("job-6", {"operation": "scrapeNow"})
    assert outcome.status is JobStatus.SUCCEEDED
    scrapes = [m for t, m in bus.published if t == topics.SCRAPE_REQUEST]
    assert scrapes == [ScrapeRequest(request_id="job-6")]


class FlakyBus(InMemoryBus):
    """Publishing fails (as IPC away for longer than a call waits) ``failures`` times."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def publish(self, topic: str, message: Any) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise TransientError("Greengrass IPC is not connected")
        super().publish(topic, message)


def test_ipc_away_for_a_while_delays_the_job_and_never_kills_its_thread(clock: FrozenClock) -> None:
    bus = FlakyBus(failures=0)
    scheduler = FakeScheduler(bus, clock)
    scheduler.change(events=[3])
    executor = JobExecutor(bus, _commands(bus, clock), timeout=5, attempts=1)
    bus.failures = 1
    started = clock.now()
    outcome = executor.execute("job-9", {"operation": "snoozeAlert", "alertId": 30})
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED  # sent again after the failed try
    assert clock.now() - started == timedelta(seconds=1)  # ... at the first resend
    bus.failures = 1
    scrape = executor.execute("job-10", {"operation": "scrapeNow"})
    assert scrape is not None
    assert scrape.status is JobStatus.FAILED and "could not ask the Scraper" in scrape.reason


def test_an_invalid_job_id_is_rejected(setup: Any) -> None:
    _, _, executor = setup
    outcome = executor.execute("job with spaces", {"operation": "scrapeNow"})
    assert outcome.status is JobStatus.REJECTED
    assert "not a valid command id" in outcome.reason


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
_operations = st.sampled_from(
    [
        "snoozeAlert",
        "unsnoozeAlert",
        "updateAlert",
        "addAlert",
        "createEvent",
        "updateEvent",
        "cancelEvent",
        "deleteEvent",
        "scrapeNow",
        "",
        "SnoozeAlert",
        "drop_tables",
    ]
) | st.text(max_size=300)
_fields = st.sampled_from(
    [
        "alertId",
        "eventId",
        "local_alert_id",
        "minutes",
        "title",
        "start",
        "end",
        "alert",
        "offsetMinutes",
        "pattern",
        "at",
        "durationMinutes",
        "source",
        "requestId",
        "op",
    ]
) | st.text(max_size=20)
_bad_documents = st.one_of(
    st.dictionaries(st.just("operation"), _operations, min_size=1).flatmap(
        lambda base: st.dictionaries(
            _fields, _json | st.text(min_size=2000, max_size=40_000), max_size=5
        ).map(lambda extra: {**extra, **base})
    ),
    _json,
    st.text(max_size=200),
    st.binary(max_size=200),
    st.just("[" * 50_000),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=_bad_documents)
def test_any_document_ends_in_an_outcome_with_a_reason(setup: Any, document: Any) -> None:
    _, _, executor = setup
    outcome = executor.execute("job-fuzz", document)
    assert outcome.reason
    if outcome.status is not JobStatus.SUCCEEDED:
        assert outcome.status in (JobStatus.REJECTED, JobStatus.FAILED)
    details = outcome.status_details()
    assert all(isinstance(v, str) and 0 < len(v) <= 1024 for v in details.values())


def test_a_command_is_sent_again_until_a_late_scheduler_answers(clock: FrozenClock) -> None:
    bus = InMemoryBus()
    scheduler = FakeScheduler(bus, clock)
    scheduler.change(events=[3])
    scheduler.answering = False  # still starting: not listening yet
    seen: list[str] = []

    def starts_listening(message: object) -> None:
        seen.append("command")
        scheduler.answering = True  # it hears the next one

    bus.subscribe(topics.COMMAND, starts_listening)
    outcome = JobExecutor(bus, _commands(bus, clock, first_resend=0.02), timeout=5).execute(
        "job-late", {"operation": "snoozeAlert", "alertId": 30}
    )
    assert outcome is not None and outcome.status is JobStatus.SUCCEEDED and outcome.reason == "applied"
    assert len(seen) == 2 and scheduler.applied == ["job-late"]


def test_resends_back_off_from_the_first_up_to_the_cap_until_the_timeout(clock: JumpingClock) -> None:
    bus = InMemoryBus()
    sent: list[datetime] = []
    bus.subscribe(topics.COMMAND, lambda message: sent.append(clock.now()))
    started = clock.now()
    outcome = JobExecutor(bus, _commands(bus, clock), timeout=30, attempts=1).execute(
        "job-unheard", {"operation": "snoozeAlert", "alertId": 30}
    )
    assert outcome is not None and outcome.status is JobStatus.FAILED
    assert [(at - started).total_seconds() for at in sent] == [0, 1, 3, 7, 15, 23]  # then 30: the end
    assert clock.now() - started == timedelta(seconds=30)


def test_a_stop_ends_the_wait_and_leaves_the_job_to_come_back(clock: FrozenClock) -> None:
    bus = InMemoryBus()
    stopping = StopSignal()
    bus.subscribe(topics.COMMAND, lambda message: stopping.set())  # stopped while it waits
    outcome = JobExecutor(bus, _commands(bus, clock), timeout=30).execute(
        "job-stopped", {"operation": "snoozeAlert", "alertId": 30}, stopping
    )
    assert outcome is None  # not FAILED: left IN_PROGRESS, IoT delivers it again
