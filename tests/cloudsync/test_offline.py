"""Offline: the AWS endpoint goes away, work piles up on disk, and arrives once, in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ghela.cloudsync.items import event_sort_key
from ghela.core.bus import InMemoryBus
from ghela.core.clock import SystemClock

from tests.cloudsync.conftest import THING, ServiceMaker, Tables, create_tables
from tests.cloudsync.fakes import FakeJobsBroker, FakeScheduler
from tests.support.moto import MotoServer
from tests.support.waiting import wait_for

pytestmark = pytest.mark.moto


@pytest.fixture
def outage_server() -> Iterator[MotoServer]:
    """A moto server of this test's own, so stopping it disturbs no other test."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def outage_tables(outage_server: MotoServer) -> Tables:
    return create_tables(outage_server.client("dynamodb"), outage_server.url)


def _status(tables: Tables, job_id: str) -> Any:
    row = tables.job(job_id)
    return row and row["status"]["S"]


def _jobs(n: int) -> list[tuple[str, dict[str, Any]]]:
    alerts = [10, 30, 40]  # of events 1, 3 and 4, which outlive the outage
    return [(f"job-{i}", {"operation": "snoozeAlert", "alertId": alerts[i % 3]}) for i in range(n)]


def test_changes_and_job_results_arrive_once_and_in_order_after_an_outage(
    outage_server: MotoServer, outage_tables: Tables, make_service: ServiceMaker
) -> None:
    h = make_service(outage_tables)
    revision = h.scheduler.change(events=[1, 2, 3])
    wait_for(lambda: h.service.store.synced_revision == revision, what="first sync")

    outage_server.stop()
    h.broker.answer_updates = False
    h.scheduler.change(events=[1], title="moved once")
    h.scheduler.change(events=[1], title="moved twice")
    h.scheduler.change(events=[4], deleted=[2])
    for job_id, document in _jobs(3):
        h.broker.add(job_id, document)
    wait_for(lambda: len(h.service.store.pending()) == 2, what="job-0's results waiting in the outbox")
    wait_for(lambda: all(e.attempts >= 2 for e in h.service.store.pending()), what="retries")
    assert h.service.store.synced_revision == revision  # nothing advanced without the write
    assert h.broker.updates == []
    assert h.scheduler.applied == ["job-0"]  # the next job waits for this one's update

    outage_server.start()
    h.broker.answer_updates = True
    wait_for(
        lambda: len(h.broker.updates) == 3 and not h.service.store.pending(),
        timeout=20,
        what="everything delivered",
    )
    wait_for(lambda: h.service.store.synced_revision == h.scheduler.revision, what="caught up")

    assert [(j, s) for j, s, _ in h.broker.updates] == [(f"job-{i}", "SUCCEEDED") for i in range(3)]
    assert h.scheduler.applied == ["job-0", "job-1", "job-2"]
    assert [_status(outage_tables, j) for j, _ in _jobs(3)] == ["SUCCEEDED"] * 3
    rows = [outage_tables.job(j) for j, _ in _jobs(3)]
    finished = [row["updated_at"]["S"] for row in rows if row is not None]
    assert len(finished) == 3 and finished == sorted(finished)
    items = outage_tables.event_items()
    assert sorted(items) == [event_sort_key(i) for i in (1, 3, 4)]
    assert items[event_sort_key(1)]["title"] == {"S": "moved twice"}
    for event_id in (1, 3, 4):
        assert items[event_sort_key(event_id)]["revision"] == {
            "N": str(h.scheduler.events[event_id].revision)
        }


def test_pending_results_survive_a_restart_and_are_delivered_once(
    outage_server: MotoServer, outage_tables: Tables, make_service: ServiceMaker
) -> None:
    clock = SystemClock()
    bus = InMemoryBus()
    scheduler = FakeScheduler(bus, clock)
    broker = FakeJobsBroker(bus, THING)
    scheduler.change(events=[1])
    first = make_service(outage_tables, clock=clock, bus=bus, scheduler=scheduler, broker=broker)
    wait_for(lambda: first.service.store.synced_revision == 1, what="first sync")

    outage_server.stop()
    broker.answer_updates = False
    broker.add("job-restart", {"operation": "snoozeAlert", "alertId": 10})
    wait_for(lambda: len(first.service.store.pending()) == 2, what="results in the outbox")
    first.service.stop()

    outage_server.start()
    broker.answer_updates = True
    second = make_service(outage_tables, clock=clock, bus=bus, scheduler=scheduler, broker=broker)
    wait_for(lambda: not second.service.store.pending() and broker.updates, what="delivered after restart")
    wait_for(lambda: second.service.store.synced_revision == scheduler.revision, what="caught up")
    assert [(j, s) for j, s, _ in broker.updates] == [("job-restart", "SUCCEEDED")]
    assert scheduler.applied == ["job-restart"]
    assert _status(outage_tables, "job-restart") == "SUCCEEDED"
