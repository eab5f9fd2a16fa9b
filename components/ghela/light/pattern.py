"""The pattern engine: whether the relay is on at instant t, and when that next changes.

Pure functions of time, no threads and no GPIO, so timing is tested with plain datetimes.
A :class:`Plan` comes from one LightCommand; a :class:`Sequence` is a short fixed run of
on/off steps (the button's next-alert signal) shown over the plan and then gone.

Every window is half-open, ``[start, end)``: at ``ends_at`` a plan is already off, and a
blink is on for ``[k·period, k·period + on)`` counted from its phase origin.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ghela.core.messages.light import LightCommand
from ghela.core.wiretypes import LightPattern


@dataclass(frozen=True)
class Plan:
    """What the relay does from ``since`` until ``ends_at`` (then off) for one command."""

    pattern: LightPattern
    since: datetime
    """When this pattern started (kept across re-sends of the same pattern)."""
    ends_at: datetime | None = None
    """When it goes off by itself: the command's ``until`` or the fail-safe, whichever is first."""
    on: timedelta = timedelta(milliseconds=500)
    off: timedelta = timedelta(milliseconds=500)
    command_id: str | None = None
    cut_by_max_on: bool = False
    """True when ``ends_at`` is the fail-safe's limit rather than the command's ``until``."""
    reason: str = ""

    @classmethod
    def off_since(cls, moment: datetime, reason: str, command_id: str | None = None) -> Plan:
        return cls(LightPattern.OFF, since=moment, reason=reason, command_id=command_id)

    @classmethod
    def from_command(
        cls, command: LightCommand, received: datetime, max_on: timedelta, current: Plan | None = None
    ) -> Plan:
        """The plan for ``command`` received at ``received``.

        The fail-safe counts from ``received`` (the Scheduler re-sends while the light
        should stay on), so a dead sender leaves the light on for ``max_on`` at most. A
        re-send of the pattern already showing keeps its start, so a blink keeps its rhythm.
        """
        if command.pattern is LightPattern.OFF:
            return cls.off_since(received, "command", command.command_id)
        limit = received + max_on
        cut = command.until is None or command.until > limit
        ends_at = limit if cut or command.until is None else command.until
        if ends_at <= received:
            return cls.off_since(received, "until already passed", command.command_id)
        plan = cls(
            command.pattern,
            since=received,
            ends_at=ends_at,
            on=timedelta(milliseconds=command.on_ms),
            off=timedelta(milliseconds=command.off_ms),
            command_id=command.command_id,
            cut_by_max_on=cut,
            reason="command",
        )
        if current is not None and current.same_pattern(plan) and current.is_lit_at(received):
            plan = replace(plan, since=current.since)
        return plan

    def same_pattern(self, other: Plan) -> bool:
        if self.pattern is not other.pattern:
            return False
        return self.pattern is not LightPattern.BLINK or (self.on, self.off) == (other.on, other.off)

    def is_lit_at(self, moment: datetime) -> bool:
        """True while the pattern runs (steady or blinking), whatever the relay is this instant."""
        if self.pattern is LightPattern.OFF or moment < self.since:
            return False
        return self.ends_at is None or moment < self.ends_at

    def relay_at(self, moment: datetime) -> bool:
        """Whether the relay is closed at ``moment``."""
        if not self.is_lit_at(moment):
            return False
        if self.pattern is LightPattern.STEADY:
            return True
        return (moment - self.since) % (self.on + self.off) < self.on

    def next_change(self, moment: datetime) -> datetime | None:
        """The first instant after ``moment`` at which :meth:`relay_at` may change."""
        if self.pattern is LightPattern.OFF:
            return None
        if moment < self.since:
            return self.since
        if self.ends_at is not None and moment >= self.ends_at:
            return None
        edge = self.ends_at
        if self.pattern is LightPattern.BLINK:
            period = self.on + self.off
            into = (moment - self.since) % period
            blink_edge = moment - into + (self.on if into < self.on else period)
            edge = blink_edge if edge is None else min(edge, blink_edge)
        return edge

    def expired(self, moment: datetime) -> Plan | None:
        """The off plan that follows this one at ``moment``, or None while it still runs."""
        if self.pattern is LightPattern.OFF or self.ends_at is None or moment < self.ends_at:
            return None
        reason = "maximum on-time reached" if self.cut_by_max_on else "until reached"
        return Plan.off_since(self.ends_at, reason, self.command_id)


@dataclass(frozen=True)
class Sequence:
    """A fixed run of (relay closed?, duration) steps from ``start``; afterwards it is over."""

    start: datetime
    steps: tuple[tuple[bool, timedelta], ...]

    @property
    def end(self) -> datetime:
        return self.start + sum((d for _, d in self.steps), timedelta(0))

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def relay_at(self, moment: datetime) -> bool:
        edge = self.start
        for closed, duration in self.steps:
            edge += duration
            if moment < edge:
                return closed and moment >= self.start
        return False

    def next_change(self, moment: datetime) -> datetime | None:
        if moment < self.start:
            return self.start
        edge = self.start
        for _, duration in self.steps:
            edge += duration
            if edge > moment:
                return edge
        return None
