"""The nucleus's restart rules, as pure logic: backoff between tries, and when to give up.

A component that errors is restarted after a growing pause (capped). Three errors in a
row within an hour make it BROKEN (the nucleus stops trying); an hour without an error
wipes the slate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from ghela.core.backoff import capped_delay


@dataclass(frozen=True)
class Backoff:
    """Pause before restart number ``attempt`` (1-based): base, base*factor, ... up to cap."""

    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0

    def delay(self, attempt: int) -> float:
        return capped_delay(attempt, self.base, self.cap, self.factor)


class ErrorWindow:
    """Counts errors in a row; ``limit`` of them within ``window`` means BROKEN."""

    def __init__(self, limit: int = 3, window: timedelta = timedelta(hours=1)) -> None:
        self.limit = limit
        self.window = window
        self._errors: deque[datetime] = deque()

    def record(self, at: datetime) -> bool:
        """Record an error at ``at``; True when the component is now BROKEN."""
        self._forget_before(at)
        self._errors.append(at)
        return len(self._errors) >= self.limit

    def count(self, at: datetime) -> int:
        """Errors that still count at ``at``."""
        self._forget_before(at)
        return len(self._errors)

    def _forget_before(self, at: datetime) -> None:
        # "In a row within an hour": an hour without an error resets the count.
        if self._errors and at - self._errors[-1] >= self.window:
            self._errors.clear()
        while self._errors and at - self._errors[0] >= self.window:
            self._errors.popleft()
