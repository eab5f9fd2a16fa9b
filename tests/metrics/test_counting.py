"""Counting: which message becomes which metric, and bad messages never crash the count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.counted import Activity, ActivityKind, JobStatus
from ghela.metrics.buffer import DatapointBuffer
from ghela.metrics.counters import ACTIVITY_METRICS, METRIC_NAMES, Counters
from ghela.metrics.pusher import Pusher
from ghela.metrics.service import MetricsService

from tests.metrics.conftest import FakeCloudWatch

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_every_activity_kind_has_a_metric_named_in_the_brief() -> None:
    assert set(ACTIVITY_METRICS) == set(ActivityKind)
    assert set(ACTIVITY_METRICS.values()) <= set(METRIC_NAMES)


def test_closing_an_interval_turns_the_counts_into_datapoints_and_resets_them(tmp_path) -> None:
    buffer = DatapointBuffer(tmp_path / "buffer.sqlite3", 1000)
    counters = Counters(buffer)
    counters.add("EventsAdded", 3)
    counters.add("EventsAdded")
    assert counters.peek()["EventsAdded"] == 4
    buffer.close_interval(START, "pi", heartbeat=True, metrics=METRIC_NAMES)
    assert counters.peek() == dict.fromkeys(METRIC_NAMES, 0)
    points = {s.point.metric: s.point.value for s in buffer.oldest(100)}
    assert points["EventsAdded"] == 4 and points["Heartbeat"] == 1 and set(points) == set(METRIC_NAMES)
    with pytest.raises(KeyError, match="Bogus"):
        counters.add("Bogus")


def test_counts_are_on_disk_as_they_are_counted(tmp_path) -> None:
    path = tmp_path / "buffer.sqlite3"
    Counters(DatapointBuffer(path, 1000)).add("ScrapesOk", 2)  # never closed: as a kill leaves it
    assert Counters(DatapointBuffer(path, 1000)).peek()["ScrapesOk"] == 2


def _added(at: int, sender: str = "Scheduler-a", acked: int = 0) -> Activity:
    kind = ActivityKind.EVENT_ADDED
    return Activity(kind=kind, at=START, component="x", sender=sender, seq=at, acked=acked)


def test_a_senders_messages_count_once_each_and_only_in_order(tmp_path) -> None:
    counters = Counters(DatapointBuffer(tmp_path / "buffer.sqlite3", 1000))
    assert counters.count_activity(_added(1)) == 1
    assert counters.count_activity(_added(1)) == 1  # delivered twice: counted once
    assert counters.count_activity(_added(3)) == 1  # 2 was lost: 3 waits for the resend
    assert counters.count_activity(_added(2)) == 2
    assert counters.count_activity(_added(3)) == 3
    assert counters.count_activity(_added(1, sender="Scraper-b")) == 1  # each sender its own numbers
    assert counters.peek()["EventsAdded"] == 4


def test_a_lost_store_resumes_from_what_the_sender_saw_confirmed(tmp_path) -> None:
    counters = Counters(DatapointBuffer(tmp_path / "buffer.sqlite3", 1000))
    assert counters.count_activity(_added(41, acked=40)) == 41
    assert counters.count_activity(_added(40, acked=40)) == 41
    assert counters.peek()["EventsAdded"] == 1


@pytest.mark.parametrize(
    ("kind", "metric"),
    [
        (ActivityKind.EVENT_ADDED, "EventsAdded"),
        (ActivityKind.EVENT_UPDATED, "EventsUpdated"),
        (ActivityKind.EVENT_CANCELLED, "EventsCancelled"),
        (ActivityKind.ALERT_STARTED, "AlertsStarted"),
        (ActivityKind.ALERT_STOPPED, "AlertsStopped"),
        (ActivityKind.ALERT_SNOOZED, "AlertsSnoozed"),
        (ActivityKind.SCRAPE_OK, "ScrapesOk"),
        (ActivityKind.SCRAPE_FAILED, "ScrapesFailed"),
        (ActivityKind.INVALID_MESSAGE, "InvalidMessages"),
    ],
)
def test_activity_messages_are_counted_with_their_count(metrics_rig, fake_cloudwatch, kind, metric) -> None:
    rig = metrics_rig(fake_cloudwatch)
    rig.activity(kind)
    rig.activity(kind, count=4)
    counts = rig.counters.peek()
    assert counts[metric] == 5
    assert sum(counts.values()) == 5


def test_job_outcomes_count_rejected_as_failed(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    rig.job(JobStatus.SUCCEEDED)
    rig.job(JobStatus.FAILED)
    rig.job(JobStatus.REJECTED)
    counts = rig.counters.peek()
    assert (counts["JobsSucceeded"], counts["JobsFailed"]) == (1, 2)


def test_bad_messages_are_counted_as_invalid_and_counting_goes_on(metrics_rig, fake_cloudwatch) -> None:
    rig = metrics_rig(fake_cloudwatch)
    unknown_kind = '{"kind": "party", "at": "2026-11-25T12:00:00+00:00", "component": "x"}'
    rig.bus.publish_raw(topics.ACTIVITY, unknown_kind)
    rig.bus.publish_raw(topics.ACTIVITY, b"{not json")
    bad_status = '{"job_id": "j", "operation": "x", "status": "MAYBE", "at": "now"}'
    rig.bus.publish_raw(topics.JOB_OUTCOME, bad_status)
    rig.activity(ActivityKind.EVENT_ADDED)
    counts = rig.counters.peek()
    assert counts["InvalidMessages"] == 3
    assert counts["EventsAdded"] == 1


def test_the_constructor_only_assembles_start_asks_for_resends(
    clock: FrozenClock, tmp_path: Path, fake_cloudwatch: FakeCloudWatch
) -> None:
    bus = InMemoryBus()
    buffer = DatapointBuffer(tmp_path / "buffer.sqlite3", 100)
    pusher = Pusher(buffer, fake_cloudwatch, clock, device="pi", interval_seconds=300, retry_max_seconds=300)
    service = MetricsService(bus, Counters(buffer), pusher, buffer)
    assert bus.published == []  # nothing asked, nothing listening yet
    service.start()
    try:
        assert [topic for topic, _ in bus.published] == [topics.COUNTED]
    finally:
        service.stop()
