"""Fixtures for Metrics tests: a CloudWatch fake with the real class's interface, a service rig."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.awsjson import CLOUDWATCH
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.counted import Activity, ActivityKind, JobOutcome, JobStatus
from ghela.metrics.buffer import Datapoint, DatapointBuffer
from ghela.metrics.cloudwatch import CloudWatchMetrics
from ghela.metrics.counters import Counters
from ghela.metrics.pusher import Pusher
from ghela.metrics.service import MetricsService

from tests.support.awscalls import unreachable_client

DEVICE = "pi-test"


class FakeCloudWatch(CloudWatchMetrics):
    """Records each PutMetricData batch, or raises ``failure`` while it is set."""

    def __init__(self) -> None:
        super().__init__(client=unreachable_client(CLOUDWATCH), namespace="GhelamcoAlert")
        self.batches: list[list[Datapoint]] = []
        self.failure: Exception | None = None
        self.attempts: list[datetime] = []
        self.clock: FrozenClock | None = None

    def put(self, points: Sequence[Datapoint]) -> None:
        if self.clock is not None:
            self.attempts.append(self.clock.now())
        if self.failure is not None:
            raise self.failure
        self.batches.append(list(points))

    @property
    def points(self) -> list[Datapoint]:
        return [p for batch in self.batches for p in batch]


class MetricsRig:
    """A MetricsService over an InMemoryBus with a frozen clock."""

    def __init__(
        self, clock: FrozenClock, buffer_path: Path, cloudwatch: CloudWatchMetrics, *,
        interval: int = 300, retry_max: int = 300, max_buffered: int = 10_000, device: str = DEVICE,
        bus: InMemoryBus | None = None,
    ) -> None:
        self.clock = clock
        self.cloudwatch = cloudwatch
        self.bus = bus or InMemoryBus(on_invalid=self._report_invalid)
        self.buffer = DatapointBuffer(buffer_path, max_buffered)
        self.counters = Counters(self.buffer)
        self.pusher = Pusher(
            self.buffer, cloudwatch, clock,
            device=device, interval_seconds=interval, retry_max_seconds=retry_max,
        )
        self.service = MetricsService(self.bus, self.counters, self.pusher, self.buffer).start()
        self._stopped = False

    def _report_invalid(self, topic: str, reason: str) -> None:
        """What each component's bus does with an invalid message: report it as Activity."""
        self.bus.publish(
            topics.ACTIVITY,
            Activity(kind=ActivityKind.INVALID_MESSAGE, at=self.clock.now(), component="test",
                     detail=f"{topic}: {reason}"[:2000]),
        )

    def activity(self, kind: ActivityKind, count: int = 1) -> None:
        activity = Activity(kind=kind, at=self.clock.now(), component="test", count=count)
        self.bus.publish(topics.ACTIVITY, activity)

    def job(self, status: JobStatus) -> None:
        outcome = JobOutcome(job_id="j1", operation="snooze_alert", status=status, at=self.clock.now())
        self.bus.publish(topics.JOB_OUTCOME, outcome)

    def next_interval(self, predicate: Callable[[], bool], interval: int = 300) -> None:
        """Step the clock to the next boundary and wait for the pusher to reach ``predicate``."""
        self.clock.advance(seconds=interval)
        assert self.pusher.wait_until(predicate, 10.0), "the pusher did not get there"

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self.service.stop()


@pytest.fixture
def fake_cloudwatch(clock: FrozenClock) -> FakeCloudWatch:
    fake = FakeCloudWatch()
    fake.clock = clock
    return fake


@pytest.fixture
def metrics_rig(clock: FrozenClock, tmp_path: Path) -> Iterator[Callable[..., MetricsRig]]:
    made: list[MetricsRig] = []

    def make(cloudwatch: CloudWatchMetrics, **options: Any) -> MetricsRig:
        made.append(MetricsRig(clock, tmp_path / "buffer.sqlite3", cloudwatch, **options))
        return made[-1]

    yield make
    for rig in made:
        rig.stop()


def at(minutes: float) -> datetime:
    """An instant relative to the clock fixture's start (2026-11-25 12:00 UTC)."""
    return datetime(2026, 11, 25, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)

