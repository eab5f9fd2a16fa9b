"""When a smaller fixture list becomes the new "last time" (pure: plain values in and out).

A scrape that finds far fewer home fixtures than the last healthy one is unhealthy, because
a broken page usually looks like that. But a source can shrink for real (the club page
switches to a new season and lists 3 games where it listed 15), and since only a healthy
scrape replaces the baseline, that drop would stay unhealthy for ever. So the Scraper counts
a :class:`Streak`: consecutive scrapes that are unhealthy *only* because they found far
fewer fixtures, all with the same set of fixture keys. The scrape that makes the streak
``needed`` long is accepted as healthy and becomes the new baseline. Any other scrape (other
keys, another problem, a healthy one) ends the streak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Streak:
    """``count`` consecutive scrapes, each unhealthy only for finding far fewer home fixtures,
    all of which found exactly ``keys``."""

    keys: frozenset[str]
    count: int


def extend(streak: Streak | None, keys: Iterable[str]) -> Streak:
    """The streak after one more scrape that is unhealthy only for finding far fewer fixtures
    (those with ``keys``): one longer if it found the same keys, else a new streak of one."""
    found = frozenset(keys)
    if streak is not None and streak.keys == found:
        return Streak(found, streak.count + 1)
    return Streak(found, 1)


def accepted_reason(streak: Streak, previous_count: int) -> str:
    """The reason a healthy result carries when it was accepted by a streak."""
    return (
        f"smaller fixture list accepted after {streak.count} agreeing scrapes: "
        f"{len(streak.keys)} home fixtures now, {previous_count} before; it is the new baseline"
    )


def waiting_reason(streak: Streak, needed: int) -> str:
    """The reason an unhealthy result carries while its streak is too short."""
    return (
        f"the same smaller fixture list in {streak.count} of the {needed} consecutive scrapes "
        "needed to accept it as the new baseline"
    )
