"""A background loop that does one unit of work when woken or when due, with backoff.

``work()`` returns when it wants to run next (None: only when woken). A
:class:`~ghela.core.errors.TransientError` (or any unexpected error) backs off: the loop
then sleeps until the retry time, ignoring wake-ups, so an outage is retried at the
backoff's pace however often new work arrives. A :class:`~ghela.core.errors.StorageError`
(the local state file is broken) escapes the thread, which ends the process non-zero so
the nucleus restarts it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from ghela.core.backoff import Backoff
from ghela.core.clock import Clock
from ghela.core.errors import StorageError, TransientError

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self, name: str, clock: Clock, work: Callable[[], datetime | None], backoff: Backoff
    ) -> None:
        self.name = name
        self._clock = clock
        self._work = work
        self._backoff = backoff
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"cloudsync-{name}", daemon=True)
        self.idle = threading.Event()
        """Set while the loop waits with nothing failed (tests wait on it)."""
        self.backing_off = threading.Event()
        """Set while the loop waits for its retry time after a failure (tests wait on it
        before moving the clock on, so the retry time is read before the clock moves)."""

    def start(self) -> None:
        self._wake.set()
        self._thread.start()

    def wake(self) -> None:
        self.idle.clear()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                due = self._work()
            except StorageError:
                raise
            except TransientError as exc:
                retry_at = self._backoff.failed(self._clock.now())
                log.warning("%s: %s; retrying in %.1f s", self.name, exc, self._backoff.delay())
                self._back_off(retry_at)
                continue
            except Exception:
                retry_at = self._backoff.failed(self._clock.now())
                log.exception("%s failed unexpectedly; retrying in %.1f s", self.name, self._backoff.delay())
                self._back_off(retry_at)
                continue
            self._backoff.succeeded()
            if not self._wake.is_set():
                self.idle.set()
            self._clock.wait(self._wake, due)

    def _back_off(self, retry_at: datetime) -> None:
        self.backing_off.set()
        try:
            self._clock.wait(self._stop, retry_at)
        finally:
            self.backing_off.clear()
