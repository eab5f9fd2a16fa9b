"""One command's unit of work: the rules every operation shares.

A :class:`Work` lives for one transaction. It bumps the global revision at most once (the
first time something the cloud must see changes), stamps every touched event with it,
re-plans alerts when an event's time changes, keeps each alert's derived ``lit_from`` right,
and counts what happened for the Activity messages.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ghela.core.alertwindow import lit_from
from ghela.core.eventtime import finishes_at
from ghela.core.messages.counted import ActivityKind
from ghela.core.messages.snapshots import EventState
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.planning import PlannedAlert, plan_alerts
from ghela.scheduler.repository import Repository
from ghela.scheduler.tables import AlertRow, EventRow


class Work:
    def __init__(self, repo: Repository, config: SchedulerConfig, zone: ZoneInfo, now: datetime) -> None:
        self.repo = repo
        self.config = config
        self.zone = zone
        self.now = now
        self.activity: Counter[ActivityKind] = Counter()
        self._revision: int | None = None

    # ------------------------------------------------------------------ revision

    def revision(self) -> int:
        """The revision of this command's changes (bumped once, on first use)."""
        if self._revision is None:
            self._revision = self.repo.revision() + 1
            self.repo.set_revision(self._revision)
        return self._revision

    def touch(self, event: EventRow) -> None:
        """Mark ``event`` changed, so the cloud picks it up."""
        event.revision = self.revision()
        self.repo.add(event)

    # ------------------------------------------------------------------ events

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def set_time(
        self, event: EventRow, start: datetime | None, day: date | None, end: datetime | None
    ) -> None:
        """Set when an event happens, and so when it counts as finished.

        When a known time or date changes, the old one is kept as the event's previous one.
        """
        new_date = self.local_date(start) if start is not None else day
        known = event.start is not None or event.local_date is not None
        if known and (event.start, event.local_date) != (start, new_date):
            event.previous_start = event.start
            event.previous_date = event.local_date if event.start is None else None
        event.start = start
        event.local_date = self.local_date(start) if start is not None else day
        event.end = end
        over = finishes_at(start, event.local_date, end, self.zone, self.config.event_minutes)
        if over is not None:
            event.finishes_at = over

    def is_live(self, event: EventRow) -> bool:
        return event.state in (EventState.SCHEDULED.value, EventState.UPDATED.value)

    def event_row(self, kind: str, key: str, title: str, uses_plan: bool = True) -> EventRow:
        """A new event's row, complete (scheduled, stamped with this revision), not yet stored.

        SQLModel does not validate table rows when they are made, so a row built without a
        required field would only fail at the database's NOT NULL; this is the one place that
        builds them.
        """
        return EventRow(
            kind=kind,
            key=key,
            title=title,
            state=EventState.SCHEDULED.value,
            uses_plan=uses_plan,
            revision=self.revision(),
            created_at=self.now,
        )

    def new_event(self, event: EventRow) -> EventRow:
        """Store a row from :meth:`event_row` (its time set) and count it as added."""
        self.repo.add(event)
        self.activity[ActivityKind.EVENT_ADDED] += 1
        return event

    # ------------------------------------------------------------------ alerts

    def refresh_lit(self, event: EventRow, alert: AlertRow) -> None:
        # Only cancelling darkens an event's alerts; a finished event keeps its (past) alerts
        # exactly as they were, as history.
        event_lit = event.state != EventState.CANCELLED.value
        alert.lit_from = lit_from(
            alert.starts_at, alert.ends_at, alert.snoozed_until, alert.silenced, event_lit
        )
        self.repo.add(alert)

    def set_alert_time(self, event: EventRow, alert: AlertRow, starts_at: datetime, minutes: int) -> None:
        alert.starts_at = starts_at
        alert.duration_minutes = minutes
        alert.ends_at = starts_at + timedelta(minutes=minutes)
        self.refresh_lit(event, alert)

    def add_alert(
        self,
        event: EventRow,
        *,
        starts_at: datetime,
        minutes: int,
        pattern: LightPattern,
        label: str,
        offset_minutes: int | None,
        at: datetime | None = None,
        rule: str | None = None,
    ) -> AlertRow:
        alert = AlertRow(
            event_id=event.id or 0,
            rule=rule,
            label=label,
            offset_minutes=offset_minutes,
            at=at,
            duration_minutes=minutes,
            pattern=pattern.value,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            custom=rule is None,
        )
        self.refresh_lit(event, alert)
        return alert

    def replan(self, event: EventRow) -> None:
        """Bring the event's alerts in line with its time and the plan.

        Plan alerts are matched by rule and moved (their snooze or silence kept); plan
        alerts whose rule no longer applies go; alerts a person added or changed stay, and
        move with the event when they are relative to its start.
        """
        planned: list[PlannedAlert] = (
            plan_alerts(self.config, self.zone, event.start, event.local_date) if event.uses_plan else []
        )
        by_rule = {plan.rule: plan for plan in planned}
        existing = self.repo.alerts_of(event.id or 0)
        seen: set[str] = set()
        for alert in existing:
            if alert.rule is not None:
                seen.add(alert.rule)
            plan = by_rule.get(alert.rule or "")
            if alert.custom:
                self._follow_start(event, alert)
            elif plan is None:
                self.repo.delete_alert(alert)
            else:
                alert.offset_minutes = plan.offset_minutes
                alert.pattern = plan.pattern.value
                alert.label = plan.label
                self.set_alert_time(event, alert, plan.starts_at, plan.duration_minutes)
        for plan in planned:
            if plan.rule not in seen:
                self.add_alert(
                    event,
                    starts_at=plan.starts_at,
                    minutes=plan.duration_minutes,
                    pattern=plan.pattern,
                    label=plan.label,
                    offset_minutes=plan.offset_minutes,
                    rule=plan.rule,
                )

    def _follow_start(self, event: EventRow, alert: AlertRow) -> None:
        if alert.offset_minutes is not None and event.start is not None:
            starts_at = event.start + timedelta(minutes=alert.offset_minutes)
            self.set_alert_time(event, alert, starts_at, alert.duration_minutes)
        else:
            self.refresh_lit(event, alert)

    def refresh_event_alerts(self, event: EventRow) -> None:
        """Re-derive ``lit_from`` of every alert (after the event's state changed)."""
        for alert in self.repo.alerts_of(event.id or 0):
            self.refresh_lit(event, alert)
