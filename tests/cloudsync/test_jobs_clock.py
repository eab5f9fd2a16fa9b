"""When the jobs thread asks IoT for the next job, on the injected clock (no moto, no real waits)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ghela.cloudsync.exchange import Exchange
from ghela.cloudsync.executor import JobExecutor
from ghela.cloudsync.jobs import ASK_RETRY, JobsClient
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.errors import TransientError
from ghela.core.messages.commands import CommandResult

from tests.support.waiting import wait_for

THING = "pi"
START_NEXT = topics.jobs_topic(THING, "start-next")


class FlakyIotBus(InMemoryBus):
    """Publishing to IoT Core fails ``failures`` times (IPC away for a moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0
        self.asked = 0

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        if topic == START_NEXT:
            self.asked += 1
        if self.failures > 0:
            self.failures -= 1
            raise TransientError("Greengrass IPC is not connected")
        super().publish_iot(topic, payload)


@pytest.fixture
def bus() -> FlakyIotBus:
    return FlakyIotBus()


@pytest.fixture
def jobs(bus: FlakyIotBus, clock: FrozenClock) -> Iterator[JobsClient]:
    commands: Exchange[CommandResult] = Exchange(
        bus, topics.COMMAND, topics.COMMAND_RESULT, lambda r: r.command_id, clock
    )
    client = JobsClient(
        bus,
        thing=THING,
        executor=JobExecutor(bus, commands.start(), timeout=1),
        clock=clock,
        enqueue=lambda *entries: None,
        held=lambda: (),
        update_timeout=1,
        recheck_seconds=600,
    )
    yield client
    client.stop()


def test_a_failed_ask_is_asked_again_after_the_retry_delay(
    bus: FlakyIotBus, jobs: JobsClient, clock: FrozenClock
) -> None:
    bus.failures = 1
    jobs.start()
    assert bus.asked == 1 and bus.published_iot == []
    clock.advance(ASK_RETRY)
    wait_for(lambda: bus.asked == 2, what="the ask retried")
    assert [t for t, _ in bus.published_iot] == [START_NEXT]


def test_without_job_traffic_it_asks_again_after_the_recheck(
    bus: FlakyIotBus, jobs: JobsClient, clock: FrozenClock
) -> None:
    jobs.start()
    assert bus.asked == 1
    clock.advance(seconds=600)
    wait_for(lambda: bus.asked == 2, what="the recheck")


def test_a_reconnect_asks_at_once(bus: FlakyIotBus, jobs: JobsClient) -> None:
    jobs.start()
    bus.reconnect()
    wait_for(lambda: bus.asked == 2, what="start-next after the reconnect")


def test_stopping_ends_the_reconnect_callback(bus: FlakyIotBus, jobs: JobsClient) -> None:
    jobs.start()
    jobs.stop()
    bus.reconnect()  # nothing listens any more
    assert bus.asked == 1
