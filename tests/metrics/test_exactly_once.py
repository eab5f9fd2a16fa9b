"""Counted messages through a publisher's outbox (CountedBus) reach Metrics exactly once:
kept while Metrics is down, sent again when it starts, never counted twice.

Pure logic on the in-memory bus with a frozen clock; the same rules under real processes
and kills are in tests/chaos/.
"""

from __future__ import annotations

from pathlib import Path

from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.countedbus import CountedBus
from ghela.core.countoutbox import CountOutbox
from ghela.core.messages.counted import Activity, ActivityKind, Counted, JobOutcome, JobStatus

from tests.metrics.conftest import MetricsRig
from tests.support.waiting import wait_for


def _activity(clock: FrozenClock) -> Activity:
    return Activity(kind=ActivityKind.EVENT_ADDED, at=clock.now(), component="Scheduler")


def test_what_is_published_while_metrics_is_down_is_counted_once_when_it_starts(
    clock: FrozenClock, tmp_path: Path, fake_cloudwatch
) -> None:
    bus = InMemoryBus()
    publisher = CountedBus(bus, CountOutbox(tmp_path / "outbox.sqlite3", "Scheduler"), clock).start()
    rig: MetricsRig | None = None
    try:
        for _ in range(3):
            publisher.publish(topics.ACTIVITY, _activity(clock))  # nobody listens: lost on the bus
        publisher.publish(
            topics.JOB_OUTCOME,
            JobOutcome(job_id="j1", operation="snoozeAlert", status=JobStatus.SUCCEEDED, at=clock.now()),
        )
        assert [e.seq for e in publisher.outbox.pending()] == [1, 2, 3, 4]

        rig = MetricsRig(clock, tmp_path / "buffer.sqlite3", fake_cloudwatch, bus=bus)  # asks for a resend
        wait_for(lambda: not publisher.outbox.pending(), timeout=5, what="the outbox confirmed")
        counts = rig.counters.peek()
        assert (counts["EventsAdded"], counts["JobsSucceeded"]) == (3, 1)

        for entry in [*publisher.outbox.pending()]:  # nothing left to resend, and a stray repeat
            bus.publish(entry.topic, entry.message)
        publisher.publish(topics.ACTIVITY, _activity(clock))
        assert rig.counters.peek()["EventsAdded"] == 4
        assert publisher.outbox.acked == 5 and not publisher.outbox.pending()
    finally:
        if rig is not None:
            rig.stop()
        publisher.close()


def test_a_repeat_of_a_counted_message_is_not_counted_again(
    clock: FrozenClock, tmp_path: Path, fake_cloudwatch
) -> None:
    bus = InMemoryBus()
    rig = MetricsRig(clock, tmp_path / "buffer.sqlite3", fake_cloudwatch, bus=bus)
    outbox = CountOutbox(tmp_path / "outbox.sqlite3", "Scraper")
    try:
        first = outbox.append(topics.ACTIVITY, _activity(clock))
        assert first is not None
        bus.publish(topics.ACTIVITY, first)
        bus.publish(topics.ACTIVITY, first)  # delivered twice (a resend crossed the confirmation)
        assert rig.counters.peek()["EventsAdded"] == 1
    finally:
        outbox.close()
        rig.stop()


def test_a_keyed_count_is_kept_once_however_often_it_is_published(clock: FrozenClock, tmp_path: Path) -> None:
    outbox = CountOutbox(tmp_path / "outbox.sqlite3", "Scheduler")
    try:
        keyed = _activity(clock).model_copy(update={"key": "scheduler-activity-7"})
        assert outbox.append(topics.ACTIVITY, keyed) is not None
        outbox.confirmed(1)  # sent and confirmed, then the Scheduler was killed and publishes it again
        assert outbox.append(topics.ACTIVITY, keyed) is None
        assert outbox.pending() == []
    finally:
        outbox.close()


def test_the_outbox_keeps_its_numbers_and_name_across_a_restart(clock: FrozenClock, tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = CountOutbox(path, "CloudSync")
    sender = outbox.sender
    outbox.append(topics.ACTIVITY, _activity(clock))
    outbox.append(topics.ACTIVITY, _activity(clock))
    assert outbox.confirmed(1) and not outbox.confirmed(1)
    outbox.close()

    again = CountOutbox(path, "CloudSync")  # as after a kill
    try:
        assert again.sender == sender and again.acked == 1
        assert [e.seq for e in again.pending()] == [2]
        third = again.append(topics.ACTIVITY, _activity(clock))
        assert third is not None and third.seq == 3
        assert again.pending()[0].message.acked == 1  # tells a Metrics that lost its store
    finally:
        again.close()


def test_a_damaged_outbox_is_set_aside_and_a_new_sender_starts(clock: FrozenClock, tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    outbox = CountOutbox(path, "Metrics")
    try:
        first = outbox.append(topics.ACTIVITY, _activity(clock))
        assert first is not None and first.seq == 1
        assert list(tmp_path.glob("outbox.sqlite3.damaged-*"))
    finally:
        outbox.close()


def test_a_counted_bus_resends_only_once_started_and_stops_quietly_if_never_started(
    clock: FrozenClock, tmp_path: Path
) -> None:
    left = CountOutbox(tmp_path / "outbox.sqlite3", "Scheduler")
    left.append(topics.ACTIVITY, _activity(clock))  # an earlier life's unconfirmed count
    left.close()
    bus = InMemoryBus()
    assembled = CountedBus(bus, CountOutbox(tmp_path / "outbox.sqlite3", "Scheduler"), clock)
    bus.publish(topics.COUNTED, Counted())  # a starting Metrics asks: nobody is listening yet
    assert bus.published == [(topics.COUNTED, Counted())]
    assembled.close()  # never started: nothing to stop

    again = InMemoryBus()
    started = CountedBus(again, CountOutbox(tmp_path / "outbox.sqlite3", "Scheduler"), clock).start()
    try:
        resent = lambda: any(topic == topics.ACTIVITY for topic, _ in again.published)  # noqa: E731
        wait_for(resent, timeout=5, what="the resend")
    finally:
        started.close()
