"""Write one page of changes to the events table, batched and guarded by revision.

Batching vs. conditions: BatchWriteItem cannot carry conditions, so each batch of up to
``batch_size`` (25) writes is one **TransactWriteItems** whose every put/delete carries
``attribute_not_exists(sk) OR revision <= :revision``: an older revision never replaces a
newer item, and a page of 50 changes costs 2 requests. A single change is one conditional
PutItem/DeleteItem (a transaction of one would cost twice the write units for nothing).
If a transaction is refused because one item is newer (only possible when something else
wrote it, e.g. a device restored from an older backup), that batch falls back to one
conditional write per item, and only the stale writes are skipped.

A forced write (the repair resync) drops the guard: the device's database is the truth.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ghela.cloudsync.aws import ConditionFailed, DynamoDb
from ghela.cloudsync.items import event_item, event_key, guard
from ghela.core.messages.snapshots import EventSnapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Write:
    """One item to put (``item``) or delete (``key``) at ``revision``."""

    revision: int
    item: dict[str, Any] | None = None
    key: dict[str, Any] | None = None


class EventsWriter:
    def __init__(self, db: DynamoDb, table: str, device: str, batch_size: int = 25) -> None:
        self._db = db
        self._table = table
        self._device = device
        self._batch_size = batch_size
        self.skipped_stale = 0
        """Writes skipped because a newer revision was already stored."""

    def writes(
        self, events: Iterable[EventSnapshot], deleted: Iterable[int], revision: int, now: datetime
    ) -> list[Write]:
        """One write per event (its latest snapshot wins); deleted events become deletes."""
        gone = set(deleted)
        latest: dict[int, EventSnapshot] = {}
        for event in events:
            if event.event_id in gone:
                continue
            if event.event_id not in latest or event.revision >= latest[event.event_id].revision:
                latest[event.event_id] = event
        puts = [Write(e.revision, item=event_item(self._device, e, now)) for e in latest.values()]
        deletes = [Write(revision, key=event_key(self._device, event_id)) for event_id in sorted(gone)]
        return puts + deletes

    def write(self, writes: list[Write], force: bool = False) -> None:
        """Apply ``writes`` in batches; raises TransientError if the table is unreachable."""
        for start in range(0, len(writes), self._batch_size):
            batch = writes[start : start + self._batch_size]
            try:
                if len(batch) == 1:
                    self._single(batch[0], force)
                else:
                    self._db.transact([self._transact_op(w, force) for w in batch])
            except ConditionFailed:
                log.info("a newer item is stored for part of a batch; writing it item by item")
                for write in batch:
                    try:
                        self._single(write, force)
                    except ConditionFailed:
                        self.skipped_stale += 1
                        log.warning("kept the newer item in place of revision %d", write.revision)

    def _single(self, write: Write, force: bool) -> None:
        condition = {} if force else guard(write.revision)
        if write.item is not None:
            self._db.put(self._table, write.item, **condition)
        else:
            assert write.key is not None
            self._db.delete(self._table, write.key, **condition)

    def _transact_op(self, write: Write, force: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"TableName": self._table}
        if write.item is not None:
            body["Item"] = write.item
            kind = "Put"
        else:
            body["Key"] = write.key
            kind = "Delete"
        if not force:
            g = guard(write.revision)
            body.update(
                ConditionExpression=g["condition"],
                ExpressionAttributeValues=g["values"],
                ExpressionAttributeNames=g["names"],
            )
        return {kind: body}
