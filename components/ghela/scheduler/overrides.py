"""A game brought in line with its sources and with the corrections people made.

:func:`settle` is the one place that decides a game's time, title, venue, state and
``disputed`` from what its sources list (:mod:`ghela.scheduler.merge`) and from its
overrides. Scrapes keep each source's view up to date underneath; an override wins over
the merged value of its field until a person follows the source again
(:func:`follow_source`), or until the sources come to say the same, when it ends by itself.

- ``cancelled``: the game stays cancelled whatever the sources list; it ends once no source
  lists the game any more (the sources agree).
- ``start`` / ``title`` / ``venue``: that value is used; it ends once the merged value of
  the sources equals it.

A game no source lists any more (each source that listed it dropped it in a complete,
healthy scrape of its dates) is cancelled.
"""

from __future__ import annotations

from datetime import datetime

from ghela.core.errors import InvalidCommand, NotFound
from ghela.core.messages.commands import FollowSource
from ghela.core.messages.counted import ActivityKind
from ghela.core.messages.snapshots import EventKind, EventState, OverrideField
from ghela.scheduler.merge import Merged, View, merge
from ghela.scheduler.tables import EventRow, Override, SourceView
from ghela.scheduler.work import Work

UNKNOWN_PERSON = "someone"
"""Who made a change when the command names nobody (an older client)."""


def view_of(row: SourceView) -> View:
    return View(row.source, row.title, row.start, row.local_date, row.venue)


def merged_of(work: Work, event: EventRow) -> Merged | None:
    views = work.repo.views_of(event.id or 0)
    return merge([view_of(v) for v in views], work.zone, event.source) if views else None


def source_value(field: str, merged: Merged | None) -> str:
    """What the sources say of ``field``, as an override's value is written."""
    if merged is None:
        return "not listed" if field != OverrideField.CANCELLED else "gone"
    match field:
        case OverrideField.CANCELLED:
            return "listed"
        case OverrideField.START:
            return merged.start.isoformat() if merged.start is not None else f"{merged.local_date} (time TBD)"
        case OverrideField.TITLE:
            return merged.title
        case _:
            return merged.venue


def set_override(work: Work, event: EventRow, field: OverrideField, value: str, by: str | None) -> None:
    if event.kind != EventKind.GAME.value:
        return
    who = by or UNKNOWN_PERSON
    row = work.repo.override(event.id or 0, field.value)
    if row is None:
        row = Override(event_id=event.id or 0, field=field.value, value=value, set_by=who, set_at=work.now)
    else:
        row.value, row.set_by, row.set_at = value, who, work.now
    work.repo.add(row)


def _agrees(row: Override, merged: Merged | None) -> bool:
    if row.field == OverrideField.CANCELLED:
        return merged is None
    if merged is None:
        return False
    if row.field == OverrideField.START:
        return merged.start is not None and merged.start == datetime.fromisoformat(row.value)
    return source_value(row.field, merged) == row.value


def settle(work: Work, event: EventRow) -> str | None:
    """Bring a game in line with its views and overrides: ``"updated"``, ``"cancelled"`` or None."""
    merged = merged_of(work, event)
    overrides = {}
    for row in work.repo.overrides_of(event.id or 0):
        if _agrees(row, merged):
            work.repo.delete(row)  # the sources came round: the correction has done its job
            work.touch(event)
        else:
            overrides[row.field] = row
    if merged is None or OverrideField.CANCELLED in overrides:
        return _cancel(work, event, disputed=False if merged is None else merged.disputed)
    start, day = merged.start, merged.local_date
    if OverrideField.START in overrides:
        start = datetime.fromisoformat(overrides[OverrideField.START].value)
        day = None
    title = overrides[OverrideField.TITLE].value if OverrideField.TITLE in overrides else merged.title
    venue = overrides[OverrideField.VENUE].value if OverrideField.VENUE in overrides else merged.venue
    moved = event.start != start or (start is None and event.local_date != day)
    revived = event.state == EventState.CANCELLED.value
    changed = (event.title, event.venue, event.disputed) != (title, venue, merged.disputed)
    if merged.disputed and not event.disputed:
        work.activity[ActivityKind.SOURCE_DISAGREEMENT] += 1
    event.title, event.venue, event.disputed = title, venue, merged.disputed
    if not (moved or revived or changed):
        return None
    if moved or revived:
        event.state = EventState.UPDATED.value
        work.set_time(event, start, day, event.end)
        work.touch(event)
        work.replan(event)
    else:
        work.touch(event)
    work.activity[ActivityKind.EVENT_UPDATED] += 1
    return "updated"


def _cancel(work: Work, event: EventRow, disputed: bool) -> str | None:
    if event.disputed != disputed:
        event.disputed = disputed
        work.touch(event)
    if not work.is_live(event):
        return None
    event.state = EventState.CANCELLED.value
    work.touch(event)
    work.refresh_event_alerts(event)
    work.activity[ActivityKind.EVENT_CANCELLED] += 1
    return "cancelled"


def follow_source(work: Work, command: FollowSource) -> tuple[str, dict[str, object]]:
    """End a game's overrides (one field, or all) and settle it on what its sources say."""
    event = work.repo.event(command.event_id)
    if event is None:
        raise NotFound(f"event {command.event_id} does not exist", field="event_id")
    if event.kind != EventKind.GAME.value:
        raise InvalidCommand(
            f"event {event.id} is a custom event: it has no source to follow", field="event_id"
        )
    if event.state == EventState.FINISHED.value:
        raise InvalidCommand(f"event {event.id} is finished", field="event_id")
    rows = [
        row
        for row in work.repo.overrides_of(event.id or 0)
        if command.field is None or row.field == command.field.value
    ]
    if not rows:
        what = f"its {command.field.value}" if command.field is not None else "anything"
        return f"event {event.id} follows its sources already ({what} not overridden)", {"event_id": event.id}
    for row in rows:
        work.repo.delete(row)
    work.touch(event)
    settle(work, event)
    fields = ", ".join(row.field for row in rows)
    return f"event {event.id} follows its sources again ({fields})", {"event_id": event.id}
