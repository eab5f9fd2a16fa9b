"""A clock for single-threaded tests of code that waits: time jumps instead of passing.

With an in-process bus the answer to a request arrives inside ``publish``, so the only
thing a wait could be waiting for is its deadline. :class:`JumpingClock` moves straight
there: a test of "asked again after 1, 2, 4 s, then gives up" takes no real time, and
the clock's reading says exactly how long the code would have waited.
"""

from __future__ import annotations

import threading
from datetime import datetime

from ghela.core.clock import FrozenClock


class JumpingClock(FrozenClock):
    """A :class:`FrozenClock` whose waits never block: one not woken yet ends at its deadline."""

    def wait(self, wake: threading.Event, until: datetime | None) -> bool:
        if wake.is_set():
            return True
        if until is None:
            raise AssertionError("a wait without a deadline would block this test for ever")
        if self.now() < until:
            self.set(until)
        return False
