"""The read copy: events land in DynamoDB, batched, never older over newer, deletes too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from ghela.cloudsync.aws import DynamoDb
from ghela.cloudsync.items import event_sort_key
from ghela.cloudsync.writer import EventsWriter
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import SystemClock
from ghela.core.messages.light import LightState
from ghela.core.wiretypes import LightPattern

from tests.cloudsync.conftest import THING, Harness, ServiceMaker, Tables, counting_client
from tests.cloudsync.fakes import FakeScheduler, snapshot
from tests.support.waiting import wait_for

pytestmark = pytest.mark.moto
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def writer_for(tables: Tables) -> tuple[EventsWriter, list[str]]:
    calls: list[str] = []
    return EventsWriter(DynamoDb(counting_client(tables.endpoint_url, calls)), tables.events, THING), calls


@pytest.mark.parametrize(("changed", "requests"), [(0, 0), (1, 1), (25, 1), (26, 2), (50, 2)])
def test_requests_per_page_are_one_per_25_changes(tables: Tables, changed: int, requests: int) -> None:
    writer, calls = writer_for(tables)
    writer.write(writer.writes([snapshot(i, 7) for i in range(1, changed + 1)], [], 7, NOW))
    assert len(calls) == requests
    assert len(tables.event_items()) == changed


def test_an_event_item_has_the_shared_shape(tables: Tables) -> None:
    writer, _ = writer_for(tables)
    writer.write(writer.writes([snapshot(12, 4)], [], 4, NOW))
    item = tables.item("event#0000000012")
    assert item is not None
    assert item["revision"] == {"N": "4"}
    assert item["event_id"] == {"N": "12"}
    assert item["start"] == {"S": "2026-12-18T17:45:00+00:00"}
    assert item["synced_at"] == {"S": NOW.isoformat()}
    alert = item["alerts"]["L"][0]["M"]
    assert alert["alert_id"] == {"N": "120"} and alert["offset_minutes"] == {"N": "-180"}
    assert item["date"] == {"NULL": True}


@pytest.mark.parametrize("batch", [1, 3])
def test_an_older_revision_never_overwrites_a_newer_one(tables: Tables, batch: int) -> None:
    writer, _ = writer_for(tables)
    writer.write(writer.writes([snapshot(1, 9, "new title")], [], 9, NOW))
    stale = [snapshot(1, 5, "old title"), *(snapshot(i, 5) for i in range(2, batch + 1))]
    writer.write(writer.writes(stale, [], 5, NOW))
    items = tables.event_items()
    assert items[event_sort_key(1)]["title"] == {"S": "new title"}
    assert items[event_sort_key(1)]["revision"] == {"N": "9"}
    assert len(items) == batch  # the others in the batch were still written
    assert writer.skipped_stale == 1


def test_deletes_remove_items_but_not_newer_ones(tables: Tables) -> None:
    writer, calls = writer_for(tables)
    writer.write(writer.writes([snapshot(1, 3), snapshot(2, 3), snapshot(3, 8)], [], 8, NOW))
    calls.clear()
    writer.write(writer.writes([], [1, 2], 6, NOW))
    assert calls == ["TransactWriteItems"]
    calls.clear()
    writer.write(writer.writes([], [3, 4], 6, NOW))  # 3 is newer than the delete: kept
    assert calls == ["TransactWriteItems", "DeleteItem", "DeleteItem"]  # refused, then item by item
    assert list(tables.event_items()) == [event_sort_key(3)]


def test_changes_reach_dynamodb_and_a_change_that_moves_nothing_writes_nothing(
    tables: Tables, make_service: ServiceMaker
) -> None:
    h: Harness = make_service(tables)
    wait_for(lambda: h.scheduler.changes_requests >= 1, what="first catch-up")
    wait_for(lambda: h.service.sync_worker.idle.is_set(), what="idle")
    writes_before = _event_writes(h.calls)
    assert writes_before == 0

    def synced(revision: int) -> bool:
        return h.service.store.synced_revision == revision and h.service.sync_worker.idle.is_set()

    revision = h.scheduler.change(events=[1])
    wait_for(lambda: synced(revision), what="one change synced")
    assert _event_writes(h.calls) == 1
    revision = h.scheduler.change(events=range(10, 60))
    wait_for(lambda: synced(revision), what="fifty changes synced")
    assert _event_writes(h.calls) == 1 + 2
    revision = h.scheduler.change(deleted=[1])
    wait_for(lambda: synced(revision), what="delete synced")
    items = tables.event_items()
    assert len(items) == 50 and event_sort_key(1) not in items
    assert all(int(item["revision"]["N"]) == 2 for item in items.values())


def test_paging_catches_up_in_order_and_the_revision_only_moves_forward(
    tables: Tables, make_service: ServiceMaker
) -> None:
    bus = InMemoryBus()
    scheduler = FakeScheduler(bus, SystemClock())
    for event_id in range(1, 8):
        scheduler.change(events=[event_id])
    scheduler.change(events=[3], title="moved")
    h = make_service(tables, bus=bus, scheduler=scheduler, changesPageSize=3)
    wait_for(lambda: h.service.store.synced_revision == 8, what="catch-up over pages")
    items = tables.event_items()
    assert len(items) == 7
    assert items[event_sort_key(3)]["title"] == {"S": "moved"}
    assert scheduler.changes_requests >= 3


def test_a_full_resync_reuploads_and_deletes_items_of_events_that_are_gone(
    tables: Tables, make_service: ServiceMaker
) -> None:
    h = make_service(tables)
    revision = h.scheduler.change(events=[1, 2])
    wait_for(lambda: h.service.store.synced_revision == revision, what="sync")
    # Damage the read copy: a stray item, a missing one, a stale one.
    stray = {"device": {"S": THING}, "sk": {"S": event_sort_key(99)}, "revision": {"N": "1000"}}
    tables.client.put_item(TableName=tables.events, Item=stray)
    tables.client.delete_item(
        TableName=tables.events, Key={"device": {"S": THING}, "sk": {"S": event_sort_key(1)}}
    )
    h.service.resync()
    wait_for(
        lambda: h.service.store.get("resync_requested") is None and h.service.sync_worker.idle.is_set(),
        what="resync",
    )
    assert sorted(tables.event_items()) == [event_sort_key(1), event_sort_key(2)]


def test_the_status_item_carries_light_and_last_seen(tables: Tables, make_service: ServiceMaker) -> None:
    h = make_service(tables)
    h.bus.publish(topics.LIGHT_STATE, LightState(on=True, pattern=LightPattern.BLINK, since=NOW))
    wait_for(lambda: (tables.item("status") or {}).get("light_on") == {"BOOL": True}, what="status item")
    item: dict[str, Any] = tables.item("status") or {}
    assert item["light_pattern"] == {"S": "blink"}
    assert item["light_since"] == {"S": NOW.isoformat()}
    assert "last_seen" in item and "software_version" in item and "revision" in item


def _event_writes(calls: list[str]) -> int:
    return sum(1 for c in calls if c in ("PutItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"))
