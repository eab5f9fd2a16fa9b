"""The service stopping, as a signal that wakes every wait it is linked to.

A wait on the injected clock (:meth:`ghela.core.clock.Clock.wait`) wakes on one event. A
thread waiting for the Scheduler's answer must wake on either the answer or the stop, so
the answer's event is linked to this signal for the length of the wait: setting the signal
sets it too. No polling, and the clock decides when a deadline has passed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class StopSignal:
    """Set once, when the service stops; sets every event linked to it at that moment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._linked: list[threading.Event] = []

    def set(self) -> None:
        with self._lock:
            self._set = True
            linked = list(self._linked)
        for wake in linked:
            wake.set()

    def is_set(self) -> bool:
        with self._lock:
            return self._set

    @contextmanager
    def linked(self, wake: threading.Event) -> Iterator[None]:
        """While inside, setting this signal sets ``wake`` (at once if it is set already)."""
        with self._lock:
            self._linked.append(wake)
            already = self._set
        if already:
            wake.set()
        try:
            yield
        finally:
            with self._lock:
                self._linked.remove(wake)
