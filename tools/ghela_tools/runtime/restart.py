"""The nucleus's restart rules, as pure logic: backoff between tries, and when to give up.

A component that errors is restarted after a growing pause (capped; the project's one
:class:`~ghela.core.backoff.Backoff`, asked for the errors that still count). Three errors
in a row within an hour make it BROKEN (the nucleus stops trying); an hour without an
error wipes the slate.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from ghela.core.backoff import Backoff


def restart_backoff() -> Backoff:
    """The pause before a restart after n errors that still count: 1 s doubling up to 60 s."""
    return Backoff(initial=1.0, cap=60.0)


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
