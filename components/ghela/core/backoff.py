"""Capped exponential backoff: how long to wait before the next try of something failing.

One rule for the whole project (IPC reconnects, restarts, AWS outboxes, metrics, fetching):
the n-th wait is ``initial * factor ** (n - 1)``, never more than ``cap``. Deterministic (no
jitter): one device retrying one endpoint cannot stampede it, and tests can predict the
schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

_MAX_EXPONENT = 64
"""Beyond this the cap has long won; bounding the exponent keeps the float finite."""


def capped_delay(attempt: int, initial: float, cap: float, factor: float = 2.0) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based)."""
    exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
    return min(cap, initial * factor**exponent)


@dataclass
class Backoff:
    """Counts failures in a row and says when to try again.

    Also a policy alone: :meth:`delay_after` answers for a count kept elsewhere (the
    supervisor counts a component's errors within the nucleus's hour).
    """

    initial: float
    cap: float
    factor: float = 2.0
    failures: int = field(default=0, init=False)

    def delay_after(self, failures: int) -> float:
        """The delay after ``failures`` failures in a row (0 when none)."""
        if failures <= 0:
            return 0.0
        return capped_delay(failures, self.initial, self.cap, self.factor)

    def delay(self) -> float:
        """The delay after the failures so far (0 when nothing has failed)."""
        return self.delay_after(self.failures)

    def next_delay(self) -> float:
        """Record one more failure; returns the seconds to wait before the next try."""
        self.failures += 1
        return self.delay()

    def failed(self, now: datetime) -> datetime:
        """Record one more failure; returns when to try again."""
        return now + timedelta(seconds=self.next_delay())

    def succeeded(self) -> None:
        self.failures = 0
