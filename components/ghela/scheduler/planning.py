"""Planning alerts for an event: pure functions of the event's time and the configuration.

- A known kick-off: one alert per plan rule at ``kick-off + offset`` — a real duration
  before an aware UTC instant, so a DST change between the alert and the kick-off never
  moves it against the kick-off.
- A date without a time: the TBD rule's warning at its local time on that date's morning,
  resolved in the venue's zone (so 08:30 stays 08:30 on a DST Sunday).
- Office hours (optional): an alert that overlaps no office-hours period is skipped, or
  moved to end when the previous office-hours period ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ghela.core.messages import LightPattern
from ghela.scheduler.config import OfficeHours, OfficePolicy, SchedulerConfig

MOVE_SEARCH_DAYS = 14
"""How far back an alert may be moved to find office hours."""


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
    """A wall-clock time on a venue-zone date, as a UTC instant.

    A time that does not exist (in the spring-forward gap) resolves with the offset before
    the change, i.e. one hour later on the wall clock; a time that exists twice resolves to
    the first. Either way the answer is one deterministic instant.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


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
    fitted = [fit_office_hours(alert, config.office_hours, zone) for alert in planned]
    return [alert for alert in fitted if alert is not None]


def _periods(
    office: OfficeHours, zone: ZoneInfo, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    """Office-hours periods (UTC) on the venue-zone dates ``first`` .. ``last``."""
    periods = []
    day = first
    while day <= last:
        if day.isoweekday() in office.days:
            periods.append((local_instant(day, office.start, zone), local_instant(day, office.end, zone)))
        day += timedelta(days=1)
    return periods


def fit_office_hours(alert: PlannedAlert, office: OfficeHours, zone: ZoneInfo) -> PlannedAlert | None:
    """The alert as office hours allow it: unchanged, moved earlier, or None (skipped)."""
    start, end = alert.starts_at, alert.ends_at
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    if any(p_start < end and start < p_end for p_start, p_end in _periods(office, zone, first, last)):
        return alert
    if office.policy is OfficePolicy.SKIP:
        return None
    start_day = start.astimezone(zone).date()
    earlier = _periods(office, zone, start_day - timedelta(days=MOVE_SEARCH_DAYS), start_day)
    before = [period for period in earlier if period[1] <= start]
    if not before:
        return None
    p_start, p_end = before[-1]
    minutes = min(alert.duration_minutes, int((p_end - p_start).total_seconds() // 60))
    moved_start = p_end - timedelta(minutes=minutes)
    offset = alert.offset_minutes
    if offset is not None:
        offset -= int((start - moved_start).total_seconds() // 60)
    return PlannedAlert(
        rule=alert.rule,
        label=alert.label,
        starts_at=moved_start,
        duration_minutes=minutes,
        pattern=alert.pattern,
        offset_minutes=offset,
    )


def lit_from(
    starts_at: datetime,
    ends_at: datetime,
    snoozed_until: datetime | None,
    silenced: bool,
    event_live: bool,
) -> datetime | None:
    """From when an alert lights: its start, or the end of its snooze; None if never.

    ``event_live`` is False when the alert's event is cancelled.
    """
    if silenced or not event_live:
        return None
    if snoozed_until is None or snoozed_until <= starts_at:
        return starts_at
    if snoozed_until >= ends_at:
        return None
    return snoozed_until
