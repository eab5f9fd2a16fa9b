"""Deliver the outbox: each lane oldest first; one bad entry never holds up the others.

A deliverer returns when the entry reached AWS, or raises:

- :class:`~ghela.core.errors.PermanentError`: refused for good (not authorized, invalid).
  The entry becomes a dead letter once, with the reason (``ghela sync status``), and
  ``on_dead`` is told, so CloudSync can note it in the jobs table. Never retried.
- anything else (:class:`~ghela.core.errors.TransientError` above all): the entry waits for
  its own retry time, a capped backoff on its attempts (:mod:`ghela.core.backoff`), while
  the entries after it go on. Two failures in a row mean the endpoint itself is away: the
  pass ends and the lane's worker backs off as a whole, so an outage costs two tries per
  round, not one per entry.

An entry is removed only after its deliverer returned, so it is delivered once even across
an outage or a restart (its retry time is on disk too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ghela.cloudsync.store import OutboxEntry, StateStore
from ghela.cloudsync.worker import Worker
from ghela.core.backoff import Backoff, capped_delay
from ghela.core.clock import Clock
from ghela.core.errors import PermanentError, TransientError

log = logging.getLogger(__name__)

Deliverer = Callable[[dict[str, Any]], None]
FAILURES_MEANING_AWAY = 2


class Outbox:
    def __init__(
        self,
        store: StateStore,
        deliverers: dict[str, Deliverer],
        clock: Clock,
        backoff: Callable[[], Backoff],
        *,
        on_delivered: Callable[[str, dict[str, Any]], None] | None = None,
        on_dead: Callable[[str, dict[str, Any], str], None] | None = None,
    ) -> None:
        self._store = store
        self._deliverers = deliverers
        self._clock = clock
        self._on_delivered = on_delivered
        self._on_dead = on_dead
        self._entry_backoff = backoff()
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
            failures = 0
            for entry in self._store.due(lane, self._clock.now()):
                self._store.attempted(entry.seq)
                try:
                    deliver(entry.payload)
                except PermanentError as exc:
                    self._dead(entry, str(exc))
                    continue
                except Exception as exc:
                    failures += 1
                    self._retry_later(entry, exc)
                    if failures >= FAILURES_MEANING_AWAY:
                        away = f"outbox {lane}: {failures} entries failed in a row: {exc}"
                        raise TransientError(away) from exc
                    continue
                failures = 0
                self._store.delivered(entry.seq)
                log.debug("delivered outbox %s #%d", lane, entry.seq)
                if self._on_delivered is not None:
                    self._on_delivered(lane, entry.payload)
            return self._store.next_retry(lane)

        return drain

    def _retry_later(self, entry: OutboxEntry, exc: Exception) -> None:
        delay = capped_delay(entry.attempts + 1, self._entry_backoff.initial, self._entry_backoff.cap)
        at = self._clock.now() + timedelta(seconds=delay)
        where = f"outbox {entry.lane} #{entry.seq}"
        if isinstance(exc, TransientError):
            log.warning("%s not delivered, next try in %.1f s: %s", where, delay, exc)
        else:
            log.exception("%s failed unexpectedly; next try in %.1f s", where, delay)
        self._store.retry_later(entry.seq, at, f"{type(exc).__name__}: {exc}")

    def _dead(self, entry: OutboxEntry, reason: str) -> None:
        log.error("outbox %s #%d refused for good, set aside: %s", entry.lane, entry.seq, reason)
        self._store.dead_letter(entry.seq, reason, self._clock.now())
        if self._on_dead is not None:
            self._on_dead(entry.lane, entry.payload, reason)
