"""What the light should do at an instant: a pure function of the alerts.

An alert lights during ``[lit_from, ends_at)`` (``lit_from`` is its start, or the end of
its snooze; None when it never lights). Overlapping alerts combine by one rule:

    **steady beats blink** — the light is steady if any lit alert is steady, blinking if
    all lit alerts blink, off if none is lit.

A steady alert is the "final call", so it must never be weakened by an early warning that
overlaps it. The decision also names the lit alerts, so it changes whenever an alert starts
or stops lighting; the next change after ``t`` is therefore the earliest boundary after
``t``: the next ``lit_from``, or the earliest end of an alert lit now. The store finds both
through indexes (:mod:`ghela.scheduler.repository`), never by scanning every alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ghela.core.wiretypes import LightPattern


class LitWindow(Protocol):
    """What :func:`light_at` needs of an alert (an ``AlertRow`` fits)."""

    @property
    def id(self) -> int | None: ...

    @property
    def lit_from(self) -> datetime | None: ...

    @property
    def ends_at(self) -> datetime: ...

    @property
    def pattern(self) -> str: ...


@dataclass(frozen=True)
class LightDecision:
    pattern: LightPattern
    alert_ids: tuple[int, ...] = ()

    @property
    def on(self) -> bool:
        return self.pattern is not LightPattern.OFF


OFF = LightDecision(LightPattern.OFF)


def is_lit(alert: LitWindow, t: datetime) -> bool:
    return alert.lit_from is not None and alert.lit_from <= t < alert.ends_at


def light_at(alerts: Iterable[LitWindow], t: datetime) -> LightDecision:
    """The light at ``t``: off, or steady/blink by the "steady beats blink" rule."""
    lit = [alert for alert in alerts if is_lit(alert, t)]
    if not lit:
        return OFF
    steady = any(LightPattern(alert.pattern) is LightPattern.STEADY for alert in lit)
    return LightDecision(
        pattern=LightPattern.STEADY if steady else LightPattern.BLINK,
        alert_ids=tuple(sorted(alert.id or 0 for alert in lit)),
    )


def next_change_after(
    lit_now: Iterable[LitWindow], next_lit_from: datetime | None, t: datetime
) -> datetime | None:
    """The first instant after ``t`` at which :func:`light_at` answers differently.

    ``lit_now`` are the alerts lit at ``t`` and ``next_lit_from`` the earliest ``lit_from``
    after ``t`` of any alert: the store answers both with index lookups.
    """
    candidates = [alert.ends_at for alert in lit_now if is_lit(alert, t)]
    if next_lit_from is not None and next_lit_from > t:
        candidates.append(next_lit_from)
    return min(candidates, default=None)
