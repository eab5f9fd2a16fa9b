"""Capped exponential backoff: how long to wait before the next try of something failing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Backoff:
    """Doubles the delay after each failure, from ``initial`` up to ``cap`` seconds.

    Deterministic (no jitter): one device retrying one endpoint cannot stampede it, and
    tests can predict the schedule.
    """

    initial: float
    cap: float
    failures: int = field(default=0, init=False)

    def delay(self) -> float:
        """The delay after the failures so far (0 when nothing has failed)."""
        if self.failures == 0:
            return 0.0
        return min(self.cap, self.initial * 2 ** min(self.failures - 1, 32))

    def failed(self, now: datetime) -> datetime:
        """Record one more failure; returns when to try again."""
        self.failures += 1
        return now + timedelta(seconds=self.delay())

    def succeeded(self) -> None:
        self.failures = 0
