"""Queries on the Scheduler's tables within one session (one transaction).

Every query the service runs on each wake is an indexed range query, so its cost does not
grow with the number of stored events: alerts active at ``t`` are found through the index
on ``lit_from`` within the last :data:`~ghela.scheduler.config.MAX_ALERT_MINUTES`, and the
next change is the smallest ``lit_from`` after ``t`` or the earliest end of an active alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, SQLModel, col, select

from ghela.core.messages.snapshots import EventState
from ghela.scheduler.config import MAX_ALERT_MINUTES
from ghela.scheduler.tables import (
    AlertRow,
    AppliedCommand,
    EventRow,
    Meta,
    Override,
    SourceView,
    Tombstone,
    UnsentActivity,
)

REVISION_KEY = "revision"
LIVE_STATES = (EventState.SCHEDULED.value, EventState.UPDATED.value)
MAX_ALERT = timedelta(minutes=MAX_ALERT_MINUTES)
R = TypeVar("R", bound=SQLModel)


@dataclass(frozen=True)
class ChangePage:
    """Events changed and events deleted after a revision, up to ``revision``."""

    events: list[EventRow]
    deleted: list[int]
    revision: int
    more: bool


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------------ revision

    def revision(self) -> int:
        row = self.session.get(Meta, REVISION_KEY)
        return int(row.value) if row else 0

    def set_revision(self, revision: int) -> None:
        row = self.session.get(Meta, REVISION_KEY) or Meta(key=REVISION_KEY, value="0")
        row.value = str(revision)
        self.session.add(row)

    def meta(self, key: str) -> str | None:
        row = self.session.get(Meta, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        row = self.session.get(Meta, key) or Meta(key=key, value=value)
        row.value = value
        self.session.add(row)

    # ------------------------------------------------------------------ events

    def event(self, event_id: int) -> EventRow | None:
        return self.session.get(EventRow, event_id)

    def event_by_key(self, key: str) -> EventRow | None:
        return self.session.exec(select(EventRow).where(EventRow.key == key)).first()

    def games_between(self, first: date, last: date) -> list[EventRow]:
        query = select(EventRow).where(
            EventRow.kind == "game", col(EventRow.local_date) >= first, col(EventRow.local_date) <= last
        )
        return list(self.session.exec(query))

    def disputed_upcoming(self, t: datetime) -> list[EventRow]:
        """Live games not yet over whose sources disagree on when they are."""
        query = select(EventRow).where(
            col(EventRow.disputed).is_(True),
            col(EventRow.state).in_(LIVE_STATES),
            col(EventRow.finishes_at) > t,
        )
        return list(self.session.exec(query.order_by(col(EventRow.local_date), col(EventRow.id))))

    # ------------------------------------------------------------------ sources and overrides

    def view(self, source: str, key: str) -> SourceView | None:
        return self.session.get(SourceView, (source, key))

    def views_of(self, event_id: int) -> list[SourceView]:
        query = select(SourceView).where(SourceView.event_id == event_id).order_by(col(SourceView.source))
        return list(self.session.exec(query))

    def views_of_source_between(self, source: str, first: date, last: date) -> list[SourceView]:
        query = select(SourceView).where(
            SourceView.source == source,
            col(SourceView.local_date) >= first,
            col(SourceView.local_date) <= last,
        )
        return list(self.session.exec(query))

    def override(self, event_id: int, field: str) -> Override | None:
        return self.session.get(Override, (event_id, field))

    def overrides_of(self, event_id: int) -> list[Override]:
        query = select(Override).where(Override.event_id == event_id).order_by(col(Override.field))
        return list(self.session.exec(query))

    def views_and_overrides(
        self, event_ids: list[int]
    ) -> tuple[dict[int, list[SourceView]], dict[int, list[Override]]]:
        """Each event's views and overrides, for many events at once (the read copy)."""
        views: dict[int, list[SourceView]] = {event_id: [] for event_id in event_ids}
        overrides: dict[int, list[Override]] = {event_id: [] for event_id in event_ids}
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            for view in self.session.exec(
                select(SourceView).where(col(SourceView.event_id).in_(chunk)).order_by(col(SourceView.source))
            ):
                views[view.event_id].append(view)
            for row in self.session.exec(
                select(Override).where(col(Override.event_id).in_(chunk)).order_by(col(Override.field))
            ):
                overrides[row.event_id].append(row)
        return views, overrides

    def delete(self, row: SourceView | Override) -> None:
        self.session.delete(row)
        self.session.flush()

    def add(self, row: EventRow | AlertRow | SourceView | Override) -> None:
        self.session.add(row)
        self.session.flush()

    def delete_event(self, event_id: int, revision: int) -> None:
        """Delete an event (its alerts go with it, by foreign key) and leave a tombstone."""
        self.session.exec(delete(EventRow).where(col(EventRow.id) == event_id))
        self.session.add(Tombstone(event_id=event_id, revision=revision))
        self.session.flush()
        self.session.expunge_all()

    def events_to_finish(self, t: datetime) -> list[EventRow]:
        query = select(EventRow).where(col(EventRow.state).in_(LIVE_STATES), col(EventRow.finishes_at) <= t)
        return list(self.session.exec(query))

    def next_finish_after(self, t: datetime) -> datetime | None:
        query = select(func.min(EventRow.finishes_at)).where(
            col(EventRow.state).in_(LIVE_STATES), col(EventRow.finishes_at) > t
        )
        return self.session.exec(query).one()

    def upcoming(self, t: datetime, until: datetime, include_cancelled: bool) -> list[EventRow]:
        """Events not yet finished at ``t`` that start (or fall on a date) before ``until``."""
        query = select(EventRow).where(
            col(EventRow.finishes_at) > t,
            or_(
                col(EventRow.start) < until,
                and_(col(EventRow.start).is_(None), col(EventRow.local_date) <= until.date()),
            ),
        )
        if not include_cancelled:
            query = query.where(col(EventRow.state) != EventState.CANCELLED.value)
        rows = list(self.session.exec(query))
        return sorted(rows, key=lambda row: (row.local_date, row.start is not None, row.start, row.id))

    # ------------------------------------------------------------------ alerts

    def alert(self, alert_id: int) -> AlertRow | None:
        return self.session.get(AlertRow, alert_id)

    def alerts_of(self, event_id: int) -> list[AlertRow]:
        query = select(AlertRow).where(AlertRow.event_id == event_id).order_by(col(AlertRow.starts_at))
        return list(self.session.exec(query))

    def alerts_of_events(self, event_ids: list[int]) -> dict[int, list[AlertRow]]:
        found: dict[int, list[AlertRow]] = {event_id: [] for event_id in event_ids}
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            query = (
                select(AlertRow).where(col(AlertRow.event_id).in_(chunk)).order_by(col(AlertRow.starts_at))
            )
            for alert in self.session.exec(query):
                found[alert.event_id].append(alert)
        return found

    def delete_alert(self, alert: AlertRow) -> None:
        self.session.delete(alert)
        self.session.flush()

    def active_alerts(self, t: datetime) -> list[AlertRow]:
        """Alerts lit at ``t``: ``lit_from <= t < ends_at`` (an indexed, bounded range)."""
        query = (
            select(AlertRow)
            .where(
                col(AlertRow.lit_from) > t - MAX_ALERT,
                col(AlertRow.lit_from) <= t,
                col(AlertRow.ends_at) > t,
            )
            .order_by(col(AlertRow.id))
        )
        return list(self.session.exec(query))

    def next_lit_after(self, t: datetime) -> datetime | None:
        """When the next alert starts lighting after ``t`` (the index's next entry)."""
        return self.session.exec(select(func.min(AlertRow.lit_from)).where(col(AlertRow.lit_from) > t)).one()

    # ------------------------------------------------------------------ changes for the cloud

    def changes_since(self, since: int, limit: int) -> ChangePage:
        """Oldest changes first, in whole revisions (a page never splits one revision)."""
        current = self.revision()
        events = self._after(EventRow, EventRow.revision, EventRow.id, since, limit + 1)
        deleted = self._after(Tombstone, Tombstone.revision, Tombstone.event_id, since, limit + 1)
        merged = sorted(
            [(row.revision, 0, row.id or 0, row) for row in events]
            + [(row.revision, 1, row.event_id, row) for row in deleted],
            key=lambda item: item[:3],
        )
        if len(merged) <= limit:
            return ChangePage(
                events=[row for *_, row in merged if isinstance(row, EventRow)],
                deleted=[row.event_id for *_, row in merged if isinstance(row, Tombstone)],
                revision=current,
                more=False,
            )
        last = merged[limit - 1][0]
        if merged[limit][0] == last:
            # The page would split revision ``last``: stop before it, unless it is the
            # first one, which is then sent whole however large it is.
            if merged[0][0] == last:
                return self._whole_revision(last)
            last = max(item[0] for item in merged[:limit] if item[0] < last)
        kept = [item for item in merged[:limit] if item[0] <= last]
        return ChangePage(
            events=[row for *_, row in kept if isinstance(row, EventRow)],
            deleted=[row.event_id for *_, row in kept if isinstance(row, Tombstone)],
            revision=last,
            more=True,
        )

    def _after(self, table: type[R], revision: Any, key: Any, since: int, limit: int) -> list[R]:
        """Up to ``limit`` rows of ``table`` changed after revision ``since``, oldest first."""
        query = select(table).where(col(revision) > since).order_by(col(revision), col(key)).limit(limit)
        return list(self.session.exec(query))

    def _whole_revision(self, revision: int) -> ChangePage:
        events = self.session.exec(
            select(EventRow).where(EventRow.revision == revision).order_by(col(EventRow.id))
        )
        deleted = self.session.exec(select(Tombstone.event_id).where(Tombstone.revision == revision))
        return ChangePage(
            events=list(events), deleted=list(deleted), revision=revision, more=revision < self.revision()
        )

    # ------------------------------------------------------------------ idempotency

    def applied(self, command_id: str) -> AppliedCommand | None:
        return self.session.get(AppliedCommand, command_id)

    def record(self, row: AppliedCommand) -> None:
        self.session.add(row)
        self.session.flush()

    def keep_activity(self, command_id: str, kind: str, count: int, at: datetime) -> None:
        self.session.add(UnsentActivity(command_id=command_id, kind=kind, count=count, at=at))

    def unsent_activity(self) -> list[UnsentActivity]:
        return list(self.session.exec(select(UnsentActivity).order_by(col(UnsentActivity.id))))

    def forget_activity(self, ids: list[int]) -> None:
        for row_id in ids:
            row = self.session.get(UnsentActivity, row_id)
            if row is not None:
                self.session.delete(row)
