"""Deliver the outbox: each lane strictly in order, each with its own capped backoff.

An entry is removed only after its deliverer returned; a deliverer raises
:class:`~ghela.core.errors.TransientError` to have the same entry retried later (so it is
delivered once, in order, even across an outage or a restart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ghela.cloudsync.store import StateStore
from ghela.cloudsync.worker import Worker
from ghela.core.backoff import Backoff
from ghela.core.clock import Clock

log = logging.getLogger(__name__)

Deliverer = Callable[[dict[str, Any]], None]


class Outbox:
    def __init__(
        self,
        store: StateStore,
        deliverers: dict[str, Deliverer],
        clock: Clock,
        backoff: Callable[[], Backoff],
        on_delivered: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self._store = store
        self._deliverers = deliverers
        self._on_delivered = on_delivered
        self.workers = {
            lane: Worker(f"outbox-{lane}", clock, self._drainer(lane), backoff()) for lane in deliverers
        }

    def put(self, *entries: tuple[str, dict[str, Any]]) -> None:
        """Persist entries (atomically, all or none), then start delivering them."""
        for lane, _ in entries:
            if lane not in self._deliverers:
                raise ValueError(f"no outbox lane {lane!r}")
        self._store.enqueue(*entries)
        for lane in {lane for lane, _ in entries}:
            self.workers[lane].wake()

    def start(self) -> None:
        for worker in self.workers.values():
            worker.start()

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.stop()

    def _drainer(self, lane: str) -> Callable[[], datetime | None]:
        deliver = self._deliverers[lane]

        def drain() -> datetime | None:
            while (entry := self._store.head(lane)) is not None:
                self._store.attempted(entry.seq)
                deliver(entry.payload)
                self._store.delivered(entry.seq)
                log.debug("delivered outbox %s #%d", lane, entry.seq)
                if self._on_delivered is not None:
                    self._on_delivered(lane, entry.payload)
            return None

        return drain
