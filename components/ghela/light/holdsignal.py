"""The button's hold signal: how far away the next alert is, in blinks anyone can count.

After a 1 s dark pause (so the signal stands apart from whatever the light was doing):

- the next alert starts within 9 hours: **quick blinks** (0.25 s on, 0.35 s off), one per
  started hour: 1 blink = within the hour, 3 blinks = in 2 to 3 hours;
- later than that: **slow blinks** (1 s on, 1 s off), one per started day, at most 7:
  1 slow blink = within a day, 7 = a week or more;
- no alert planned (or the light was never told of one): **one long 3 s flash**.

Then a 1 s dark pause and the light goes back to its pattern.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from ghela.light.pattern import Sequence

PAUSE = timedelta(seconds=1)
QUICK_ON, QUICK_OFF = timedelta(milliseconds=250), timedelta(milliseconds=350)
SLOW_ON, SLOW_OFF = timedelta(seconds=1), timedelta(seconds=1)
LONG_FLASH = timedelta(seconds=3)
MAX_HOURS = 9
MAX_DAYS = 7


def blink_count(now: datetime, next_alert_at: datetime | None) -> tuple[str, int]:
    """("hours" | "days", n) for the signal, or ("none", 0) when no alert is known."""
    if next_alert_at is None or next_alert_at <= now:
        return "none", 0
    ahead = (next_alert_at - now).total_seconds()
    hours = math.ceil(ahead / 3600)
    if hours <= MAX_HOURS:
        return "hours", hours
    return "days", min(math.ceil(ahead / 86400), MAX_DAYS)


def next_alert_signal(now: datetime, next_alert_at: datetime | None) -> Sequence:
    """The sequence to show from ``now`` for an alert at ``next_alert_at``."""
    unit, count = blink_count(now, next_alert_at)
    steps: list[tuple[bool, timedelta]] = [(False, PAUSE)]
    if unit == "none":
        steps.append((True, LONG_FLASH))
    else:
        on, off = (QUICK_ON, QUICK_OFF) if unit == "hours" else (SLOW_ON, SLOW_OFF)
        for _ in range(count):
            steps += [(True, on), (False, off)]
    steps.append((False, PAUSE))
    return Sequence(now, tuple(steps))
