"""Planning alerts for an event: pure functions of the event's time and the configuration.

- A known kick-off: one alert per plan rule at ``kick-off + offset`` — a real duration
  before an aware UTC instant, so a DST change between the alert and the kick-off never
  moves it against the kick-off.
- A date without a time: the TBD rule's warning at its local time on that date's morning,
  resolved in the venue's zone (so 08:30 stays 08:30 on a DST Sunday; a configured time
  the clocks skip becomes the instant right after the gap, see :func:`local_instant`).
- Office hours (optional): an alert that overlaps no office-hours period is skipped, or
  moved earlier into office hours; an event's moved alerts are stacked back to back before
  the close of the previous office-hours period, in their order (:func:`fit_office_hours`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ghela.core.wiretypes import LightPattern
from ghela.scheduler.config import OfficeHours, OfficePolicy, SchedulerConfig
from ghela.scheduler.localtime import lenient_instant

MOVE_SEARCH_DAYS = 14
"""How far back an alert may be moved to find office hours."""
MIN_MOVED_MINUTES = 15
"""A moved alert clipped to fit before the office opens keeps at least this many minutes
(or its whole duration, if shorter); with less room it goes to the period before."""


@dataclass(frozen=True)
class PlannedAlert:
    """An alert the plan asks for; ``rule`` is its rule's label (re-planning matches on it)."""

    rule: str
    label: str
    starts_at: datetime
    duration_minutes: int
    pattern: LightPattern
    offset_minutes: int | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A configured wall-clock time on a venue-zone date, as a UTC instant; never fails.

    A time that does not exist (in the spring-forward gap) resolves to the instant right
    after the gap (02:30 → 03:00 CEST on a spring Sunday in Brussels); a time that exists
    twice resolves to its first occurrence (02:30 CEST on an autumn Sunday).
    """
    return lenient_instant(datetime.combine(day, at), zone)


def plan_alerts(
    config: SchedulerConfig, zone: ZoneInfo, start: datetime | None, local_date: date | None
) -> list[PlannedAlert]:
    """The standard alerts of an event that starts at ``start`` (or on ``local_date``)."""
    planned: list[PlannedAlert] = []
    if start is not None:
        for rule in config.alert_plan:
            planned.append(
                PlannedAlert(
                    rule=rule.label,
                    label=rule.label,
                    starts_at=start + timedelta(minutes=rule.offset_minutes),
                    duration_minutes=rule.duration_minutes,
                    pattern=rule.pattern,
                    offset_minutes=rule.offset_minutes,
                )
            )
    elif local_date is not None and config.tbd_rule.enabled:
        tbd = config.tbd_rule
        planned.append(
            PlannedAlert(
                rule=tbd.label,
                label=tbd.label,
                starts_at=local_instant(local_date, tbd.local_time, zone),
                duration_minutes=tbd.duration_minutes,
                pattern=tbd.pattern,
                offset_minutes=None,
            )
        )
    if config.office_hours is None:
        return planned
    return fit_office_hours(planned, config.office_hours, zone)


def _periods(office: OfficeHours, zone: ZoneInfo, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Office-hours periods (UTC) on the venue-zone dates ``first`` .. ``last``, oldest first.

    A period the clock change leaves empty (both ends in the spring-forward gap) is none.
    """
    periods = []
    day = first
    while day <= last:
        if day.isoweekday() in office.days:
            opens, closes = local_instant(day, office.start, zone), local_instant(day, office.end, zone)
            if opens < closes:
                periods.append((opens, closes))
        day += timedelta(days=1)
    return periods


def in_office_hours(alert: PlannedAlert, office: OfficeHours, zone: ZoneInfo) -> bool:
    """Whether the alert overlaps an office-hours period (someone can see part of it)."""
    start, end = alert.starts_at, alert.ends_at
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    return any(opens < end and start < closes for opens, closes in _periods(office, zone, first, last))


def fit_office_hours(
    alerts: Sequence[PlannedAlert], office: OfficeHours, zone: ZoneInfo
) -> list[PlannedAlert]:
    """An event's alerts as office hours allow them, in the given order.

    An alert that overlaps office hours is kept as it is. The others are dropped (policy
    ``skip``) or moved earlier (``move``): the latest one ends when the office hours before
    it close, and each earlier one ends where the next moved one starts, so they keep their
    order and never overlap each other (see :func:`move_before`). An alert with no room in
    the :data:`MOVE_SEARCH_DAYS` before it is dropped.
    """
    outside = [index for index, alert in enumerate(alerts) if not in_office_hours(alert, office, zone)]
    fitted: dict[int, PlannedAlert | None] = dict.fromkeys(outside)
    if office.policy is OfficePolicy.MOVE:
        ceiling: datetime | None = None
        for index in sorted(outside, key=lambda i: (alerts[i].starts_at, i), reverse=True):
            alert = alerts[index]
            limit = alert.starts_at if ceiling is None else min(alert.starts_at, ceiling)
            moved = move_before(alert, limit, office, zone)
            if moved is not None:
                ceiling = moved.starts_at
            fitted[index] = moved
    kept = (fitted.get(index, alert) for index, alert in enumerate(alerts))
    return [alert for alert in kept if alert is not None]


def move_before(
    alert: PlannedAlert, limit: datetime, office: OfficeHours, zone: ZoneInfo
) -> PlannedAlert | None:
    """The alert moved to end as late as office hours allow, but no later than ``limit``.

    Going back from ``limit`` through the office-hours periods: the alert ends at
    ``min(limit, close)`` of the first period that has room for it from its opening; if
    the room is shorter than the alert, it is clipped to start at the opening, but only
    down to :data:`MIN_MOVED_MINUTES` (or its own duration, if shorter): with less room
    than that it goes to the period before. None when no period within
    :data:`MOVE_SEARCH_DAYS` has room.
    """
    limit_day = limit.astimezone(zone).date()
    periods = _periods(office, zone, limit_day - timedelta(days=MOVE_SEARCH_DAYS), limit_day)
    needed = min(alert.duration_minutes, MIN_MOVED_MINUTES)
    for opens, closes in reversed(periods):
        if opens >= limit:
            continue
        ends = min(closes, limit)
        room = int((ends - opens).total_seconds() // 60)
        if room < needed:
            continue
        minutes = min(alert.duration_minutes, room)
        starts = ends - timedelta(minutes=minutes)
        offset = alert.offset_minutes
        if offset is not None:
            offset -= int((alert.starts_at - starts).total_seconds() // 60)
        return replace(alert, starts_at=starts, duration_minutes=minutes, offset_minutes=offset)
    return None
