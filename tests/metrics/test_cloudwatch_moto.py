"""Metrics against moto's CloudWatch over HTTP: arrival, an outage and recovery, a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.counted import Activity, ActivityKind, JobOutcome, JobStatus
from ghela.metrics.config import MetricsConfig
from ghela.metrics.counters import METRIC_NAMES
from ghela.metrics.service import MetricsService, start

from tests.metrics.conftest import at
from tests.support.cloudwatch import metric_points
from tests.support.moto import MotoServer, free_port

pytestmark = pytest.mark.moto
NAMESPACE = "GhelamcoAlert"


@pytest.fixture
def moto(moto_server: MotoServer) -> Iterator[MotoServer]:
    """The session's moto server, running again after this test whatever it did."""
    moto_server.start()
    yield moto_server
    moto_server.start()


def start_metrics(
    clock: FrozenClock, buffer: Path, endpoint: str, device: str
) -> tuple[InMemoryBus, MetricsService]:
    bus = InMemoryBus()
    config = MetricsConfig(device=device, aws_endpoint_url=endpoint, buffer_path=str(buffer))
    return bus, start(bus, config, clock)


def count(bus: InMemoryBus, clock: FrozenClock, kind: ActivityKind, n: int = 1) -> None:
    bus.publish(topics.ACTIVITY, Activity(kind=kind, at=clock.now(), component="Scheduler", count=n))


def read(moto: MotoServer, device: str, metric: str, stat: str = "Sum") -> dict[datetime, float]:
    """The metric's per-period statistic as moto's CloudWatch reports it, by period start."""
    return metric_points(moto, device, metric, at(-60), at(60), period=300, stat=stat)


def test_metrics_arrive_with_names_values_dimension_and_timestamp(moto, clock, tmp_path) -> None:
    device = f"pi-{uuid.uuid4().hex[:8]}"
    bus, service = start_metrics(clock, tmp_path / "buffer.sqlite3", moto.url, device)
    try:
        count(bus, clock, ActivityKind.ALERT_STARTED)
        count(bus, clock, ActivityKind.EVENT_UPDATED, 7)
        outcome = JobOutcome(job_id="j1", operation="snooze_alert", status=JobStatus.REJECTED, at=clock.now())
        bus.publish(topics.JOB_OUTCOME, outcome)
        clock.advance(seconds=300)
        assert service.pusher.wait_until(lambda: service.pusher.sent == len(METRIC_NAMES), 20.0)
    finally:
        service.stop()
    listed = moto.client("cloudwatch").list_metrics(
        Namespace=NAMESPACE, Dimensions=[{"Name": "Device", "Value": device}]
    )["Metrics"]
    assert sorted(m["MetricName"] for m in listed) == sorted(METRIC_NAMES)
    assert all(m["Dimensions"] == [{"Name": "Device", "Value": device}] for m in listed)
    assert read(moto, device, "AlertsStarted") == {at(0): 1.0}
    assert read(moto, device, "EventsUpdated") == {at(0): 7.0}
    assert read(moto, device, "JobsFailed") == {at(0): 1.0}
    assert read(moto, device, "Heartbeat") == {at(0): 1.0}
    assert read(moto, device, "ScrapesOk") == {at(0): 0.0}


def test_an_outage_buffers_and_recovery_delivers_the_backlog_once(moto, clock, tmp_path) -> None:
    device = f"pi-{uuid.uuid4().hex[:8]}"
    bus, service = start_metrics(clock, tmp_path / "buffer.sqlite3", moto.url, device)
    pusher = service.pusher
    try:
        count(bus, clock, ActivityKind.SCRAPE_OK)
        clock.advance(seconds=300)
        assert pusher.wait_until(lambda: pusher.sent == len(METRIC_NAMES), 20.0)
        moto.stop()
        for failures, (minutes, n) in enumerate(((5, 2), (10, 3)), start=1):
            count(bus, clock, ActivityKind.SCRAPE_FAILED, n)
            clock.set(at(minutes + 5))

            def failed(times: int = failures) -> bool:
                return pusher.failures == times

            assert pusher.wait_until(failed, 20.0)
        assert len(service.buffer) == 2 * len(METRIC_NAMES)
        assert pusher.retry_at is not None
        moto.start()
        clock.set(pusher.retry_at)
        assert pusher.wait_until(lambda: len(service.buffer) == 0, 20.0)
    finally:
        service.stop()
    assert read(moto, device, "ScrapesFailed") == {at(0): 0.0, at(5): 2.0, at(10): 3.0}
    assert read(moto, device, "ScrapesOk") == {at(0): 1.0, at(5): 0.0, at(10): 0.0}
    assert read(moto, device, "Heartbeat", "SampleCount") == {at(0): 1.0, at(5): 1.0, at(10): 1.0}


def test_a_restart_loses_nothing(moto, clock, tmp_path) -> None:
    device = f"pi-{uuid.uuid4().hex[:8]}"
    buffer = tmp_path / "work" / "buffer.sqlite3"
    dead = f"http://127.0.0.1:{free_port()}"
    bus, first = start_metrics(clock, buffer, dead, device)
    count(bus, clock, ActivityKind.EVENT_ADDED, 4)
    clock.advance(seconds=300)
    assert first.pusher.wait_until(lambda: first.pusher.failures >= 1, 20.0)
    count(bus, clock, ActivityKind.ALERT_SNOOZED)
    clock.advance(seconds=30)
    first.stop()  # mid-interval: its counts go to the buffer too
    clock.advance(timedelta(minutes=2))
    _, second = start_metrics(clock, buffer, moto.url, device)
    try:
        assert second.pusher.wait_until(lambda: len(second.buffer) == 0, 20.0)
    finally:
        second.stop()
    assert read(moto, device, "EventsAdded") == {at(0): 4.0}
    assert read(moto, device, "AlertsSnoozed") == {at(0): 0.0, at(5): 1.0}
