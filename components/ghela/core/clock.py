"""Time as the components see it: an injectable clock and the venue's zone.

Domain code never calls ``datetime.now()``; it is handed a :class:`Clock`. Production uses
:class:`SystemClock`; tests use :class:`FrozenClock` and step it, so no test sleeps for
real minutes. All instants are timezone-aware and normalised to UTC; the venue's zone is
used only for rules (\"on that date's morning\") and display.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from ghela.core.errors import InvalidInput

DEFAULT_ZONE = "Europe/Brussels"


def venue_zone(name: str = DEFAULT_ZONE) -> ZoneInfo:
    """The venue's zone; a clear error for a name that is not an IANA zone."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}", field="zone") from exc


def as_utc(moment: datetime, *, field: str = "time") -> datetime:
    """Normalise an aware datetime to UTC; naive datetimes are refused, never guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{field} must carry a UTC offset, got {moment.isoformat()}", field=field)
    return moment.astimezone(UTC)


class Clock(Protocol):
    """A source of the current instant and a way to wait for a later one."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...

    def wait(self, wake: threading.Event, until: datetime | None) -> bool:
        """Block until ``until`` (None: forever) or until ``wake`` is set.

        Returns True when woken by ``wake``, False when the deadline passed.
        """
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, wake: threading.Event, until: datetime | None) -> bool:
        if until is None:
            return wake.wait()
        # Re-check against the wall clock: a suspended Pi or an NTP step can make a single
        # long wait return early or late.
        while True:
            remaining = (until - self.now()).total_seconds()
            if remaining <= 0:
                return wake.is_set()
            if wake.wait(min(remaining, 60.0)):
                return True


class FrozenClock:
    """A clock that moves only when told to; waits return as soon as time has passed.

    ``wait`` does not block on the deadline: it returns False at once if the deadline has
    been reached by :meth:`advance`, otherwise it blocks until woken or until another thread
    advances time past the deadline.
    """

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)
        self._changed = threading.Condition()

    def now(self) -> datetime:
        with self._changed:
            return self._now

    def set(self, moment: datetime) -> None:
        with self._changed:
            self._now = as_utc(moment)
            self._changed.notify_all()

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move time forward by ``delta`` or by ``timedelta(**kwargs)``; returns the new now."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("a clock only moves forward")
        with self._changed:
            self._now += step
            self._changed.notify_all()
            return self._now

    def wait(self, wake: threading.Event, until: datetime | None) -> bool:
        with self._changed:
            while True:
                if wake.is_set():
                    return True
                if until is not None and self._now >= until:
                    return False
                # Short real timeout so a wake set from another thread is noticed promptly.
                self._changed.wait(0.01)


def monotonic() -> float:
    """Seconds from an arbitrary origin, for measuring durations (never for dates)."""
    return time.monotonic()


def later(moment: datetime, **kwargs: float) -> datetime:
    """``moment`` plus a duration, as a small readability helper for rule code."""
    return moment + timedelta(**kwargs)
