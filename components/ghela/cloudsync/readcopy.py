"""Keep the DynamoDB read copy up to date with the Scheduler, from the synced revision on.

Runs as the ``sync`` worker: woken by STATE_CHANGED (and once at start), it asks the
Scheduler for CHANGES since the revision on disk, page by page while ``more``, writes each
page (see :mod:`ghela.cloudsync.writer`) and only then advances the revision on disk. A
failed write leaves the revision where it was, so the same page is written again later
(idempotent: same revision, same item), in order, without a full re-upload.

A scrape that changes nothing does not move the Scheduler's revision, so nothing is
asked and nothing is written.

The repair resync (``ghela sync resync``, or :meth:`EventSync.request_resync`) re-uploads
every event from revision 0 without the revision guard and deletes items for events the
Scheduler no longer has.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from ghela.cloudsync.aws import DynamoDb
from ghela.cloudsync.exchange import Exchange
from ghela.cloudsync.items import EVENT_PREFIX, event_id_of
from ghela.cloudsync.stopsignal import StopSignal
from ghela.cloudsync.store import RESYNC_REQUESTED, StateStore
from ghela.cloudsync.writer import EventsWriter
from ghela.core.clock import Clock
from ghela.core.errors import TransientError
from ghela.core.messages.snapshots import ChangesRequest, ChangesResponse

log = logging.getLogger(__name__)

RESYNC_CHECK = timedelta(seconds=10)
"""How often the sync worker looks for a resync asked by the CLI (a local file read)."""


class EventSync:
    def __init__(
        self,
        *,
        store: StateStore,
        changes: Exchange[ChangesResponse],
        writer: EventsWriter,
        db: DynamoDb,
        table: str,
        device: str,
        clock: Clock,
        page_size: int,
        timeout: float,
        stopping: StopSignal,
    ) -> None:
        """``table``/``device``: the read copy's table and this device's partition in it;
        ``timeout``: seconds the Scheduler has to answer one changes request."""
        self._store = store
        self._changes = changes
        self._writer = writer
        self._db = db
        self._table = table
        self._device = device
        self._clock = clock
        self._page_size = page_size
        self._timeout = timeout
        self._stopping = stopping
        self._lock = threading.Lock()
        self._behind = True
        """Set by STATE_CHANGED (and at start): a catch-up pass is wanted. Under the lock:
        the bus's thread sets it, the sync worker takes it."""

    def changed(self) -> None:
        """The Scheduler's revision moved (the caller then wakes the sync worker)."""
        with self._lock:
            self._behind = True

    def request_resync(self) -> None:
        """Mark a full resync as wanted; it survives a restart until done."""
        self._store.put(RESYNC_REQUESTED, "1")

    def work(self) -> datetime | None:
        """One catch-up pass (the sync worker's unit of work)."""
        if self._store.get(RESYNC_REQUESTED):
            self.resync()
        elif self._take_behind():
            try:
                self.catch_up()
            except BaseException:
                self.changed()  # still behind: the worker's retry catches up
                raise
        return self._clock.now() + RESYNC_CHECK

    def _take_behind(self) -> bool:
        with self._lock:
            behind, self._behind = self._behind, False
        return behind

    def catch_up(self) -> int:
        """Write everything after the synced revision; returns the new synced revision."""
        since = self._store.synced_revision
        while True:
            page = self._ask(since)
            if page.revision < since:
                log.error(
                    "the Scheduler is at revision %d, behind the synced %d (database restored?); "
                    "run `ghela sync resync` to repair the read copy",
                    page.revision,
                    since,
                )
                return since
            writes = self._writer.writes(page.events, page.deleted, page.revision, self._clock.now())
            self._writer.write(writes)
            if page.revision > since:
                self._store.synced_revision = page.revision
                log.info("synced revision %d (%d writes)", page.revision, len(writes))
            if not page.more or page.revision <= since:
                return page.revision
            since = page.revision

    def resync(self) -> int:
        """Re-upload every event from revision 0 and delete items for events now gone."""
        log.info("full resync of the read copy started")
        present: set[int] = set()
        since = 0
        while True:
            page = self._ask(since)
            present.update(e.event_id for e in page.events)
            present.difference_update(page.deleted)
            writes = self._writer.writes(page.events, page.deleted, page.revision, self._clock.now())
            self._writer.write(writes, force=True)
            if not page.more or page.revision <= since:
                break
            since = page.revision
        stored = {event_id_of(sk) for sk in self._db.query_sort_keys(self._table, self._device, EVENT_PREFIX)}
        stale = sorted(i for i in stored if i is not None and i not in present)
        self._writer.write(self._writer.writes([], stale, page.revision, self._clock.now()), force=True)
        self._store.synced_revision = page.revision
        self._store.delete(RESYNC_REQUESTED)
        log.info(
            "full resync done at revision %d: %d events, %d stale items deleted",
            page.revision,
            len(present),
            len(stale),
        )
        return page.revision

    def _ask(self, since: int) -> ChangesResponse:
        request = ChangesRequest(since_revision=since, limit=self._page_size)
        answer = self._changes.ask(request, request.request_id, self._timeout, self._stopping)
        if answer is None:
            raise TransientError(f"the Scheduler did not answer a changes request in {self._timeout:g} s")
        return answer
