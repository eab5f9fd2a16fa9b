"""What the Scheduler needs to know on each wake, read in one snapshot of the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ghela.core.nextup import NextUp, next_up
from ghela.scheduler.light import LightDecision, light_at, next_change_after
from ghela.scheduler.repository import Repository
from ghela.scheduler.snapshots import event_snapshot
from ghela.scheduler.store import Store

ALERT_LEAD = timedelta(days=15)
"""An alert starts at most 14 days before its event (``AlertRule.offset_minutes``), so the
event of the next alert starts within this of it."""


@dataclass(frozen=True)
class Outlook:
    at: datetime
    decision: LightDecision
    next_change: datetime | None
    """When the light decision changes next (an alert starts or stops lighting)."""
    next_alert_at: datetime | None
    """When the next alert after those lit now starts lighting."""
    next_finish: datetime | None
    """When the next live event is over (and becomes finished)."""
    revision: int
    disputed: tuple[int, ...] = ()
    """Upcoming games whose sources disagree on when they are (planned from the earliest)."""


def outlook(store: Store, now: datetime) -> Outlook:
    with store.read() as session:
        repo = Repository(session)
        lit = repo.active_alerts(now)
        next_lit = repo.next_lit_after(now)
        return Outlook(
            at=now,
            decision=light_at(lit, now),
            next_change=next_change_after(lit, next_lit, now),
            next_alert_at=next_lit,
            next_finish=repo.next_finish_after(now),
            revision=repo.revision(),
            disputed=tuple(event.id or 0 for event in repo.disputed_upcoming(now)),
        )


def next_alert(store: Store, now: datetime) -> NextUp | None:
    """What lights next (:func:`ghela.core.nextup.next_up`, the rule the cloud applies to its
    read copy), reading only the events the outlook says can hold it."""
    view = outlook(store, now)
    if view.next_alert_at is None and not view.decision.on:
        return None
    until = max(now, view.next_alert_at or now) + ALERT_LEAD
    with store.read() as session:
        repo = Repository(session)
        events = repo.upcoming(now, until, include_cancelled=False)
        alerts = repo.alerts_of_events([event.id or 0 for event in events])
        snapshots = [event_snapshot(event, alerts[event.id or 0]) for event in events]
    return next_up(snapshots, now)
