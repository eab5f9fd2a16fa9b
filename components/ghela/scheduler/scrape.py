"""Applying a scrape result: each source's view of its games, then every game settled.

Losing a real game's alert costs up to 500 EUR a car; a spurious alert costs a glance. So
games are planned from the **union** of the sources (:mod:`ghela.scheduler.merge`), and:

- every result updates its source's views (even an unhealthy one: what it did parse is
  news). A fixture is matched to a stored game by this source's own key, else by the same
  key, else as the same game (the same opponent within days, :func:`ghela.core.names.same_game`):
  sources key one game differently, and one may be a day late;
- only a result that is both ``complete`` and ``healthy`` and names its date window drops
  this source's views of games inside that window that it no longer lists — and not even
  then if more than ``maxCancelFraction`` of them would go (a source that suddenly lists
  far fewer games is broken, not a wave of cancellations);
- a game is cancelled only when no source lists it any more: every healthy, complete
  source agrees it is gone;
- a person's override (:mod:`ghela.scheduler.overrides`) is kept under all of this;
- games already finished are history: a scrape neither adds nor changes them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ghela.core.messages.scrape import Fixture, ScrapeResult
from ghela.core.messages.snapshots import EventKind, EventState
from ghela.core.names import MATCH_DAYS, same_game
from ghela.scheduler.overrides import settle
from ghela.scheduler.tables import EventRow, SourceView
from ghela.scheduler.work import Work


def apply_scrape(work: Work, result: ScrapeResult) -> tuple[str, dict[str, Any]]:
    """Apply ``result``; returns a summary line and what changed (event ids by kind)."""
    added: list[int] = []
    touched: dict[int, EventRow] = {}
    listed: set[str] = set()
    for fixture in result.fixtures:
        listed.add(fixture.key)
        event, new = _apply_fixture(work, result.source, fixture)
        if event is not None:
            touched[event.id or 0] = event
            if new:
                added.append(event.id or 0)
    dropped, note = _drop_vanished(work, result, listed)
    for event in dropped:
        touched.setdefault(event.id or 0, event)
    updated: list[int] = []
    cancelled: list[int] = []
    for event_id, event in touched.items():
        outcome = settle(work, event)
        if event_id in added:
            work.replan(event)
        elif outcome == "updated":
            updated.append(event_id)
        elif outcome == "cancelled":
            cancelled.append(event_id)
    disputed = [event_id for event_id, event in touched.items() if event.disputed]
    summary = f"{len(added)} added, {len(updated)} updated, {len(cancelled)} cancelled"
    if disputed:
        summary += f"; sources disagree on {len(disputed)}"
    if note:
        summary += f"; {note}"
    data: dict[str, Any] = {"added": added, "updated": updated, "cancelled": cancelled}
    if disputed:
        data["disputed"] = disputed
    return summary, data


def _day(work: Work, fixture: Fixture) -> date:
    if fixture.kickoff is not None:
        return work.local_date(fixture.kickoff)
    assert fixture.date is not None
    return fixture.date


def _timing(work: Work, fixture: Fixture) -> EventRow:
    """A throw-away row holding the fixture's time, to compare and to copy from."""
    probe = EventRow(kind=EventKind.GAME.value, key=fixture.key, title="", state="", revision=0)
    work.set_time(probe, fixture.kickoff, fixture.date, None)
    return probe


def _apply_fixture(work: Work, source: str, fixture: Fixture) -> tuple[EventRow | None, bool]:
    """The game this fixture is (None: history, or a custom event's key) and whether it is new."""
    timing = _timing(work, fixture)
    if timing.finishes_at is not None and timing.finishes_at <= work.now:
        return None, False  # a game in the past: history, not news
    event = _find(work, source, fixture)
    if event is not None and (event.kind != EventKind.GAME.value or event.state == EventState.FINISHED.value):
        return None, False  # a custom event's key, never touched by a source; or history
    new = event is None
    if event is None:
        key = fixture.key if work.repo.event_by_key(fixture.key) is None else f"{source}:{fixture.key}"[:200]
        event = work.event_row(EventKind.GAME.value, key, title="")
        _copy_details(event, source, fixture)
        work.set_time(event, fixture.kickoff, fixture.date, None)
        work.new_event(event)
    view = work.repo.view(source, fixture.key) or SourceView(
        source=source, key=fixture.key, event_id=0, title=""
    )
    view.event_id = event.id or 0
    view.title = _title(fixture)
    view.away, view.venue = fixture.away, fixture.venue
    view.start, view.local_date, view.seen_at = fixture.kickoff, _day(work, fixture), work.now
    work.repo.add(view)
    primary_listed = any(v.source == event.source for v in work.repo.views_of(event.id or 0))
    if not new and (source == event.source or not primary_listed) and _copy_details(event, source, fixture):
        work.touch(event)
    return event, new


def _title(fixture: Fixture) -> str:
    return f"{fixture.home} – {fixture.away}"


def _find(work: Work, source: str, fixture: Fixture) -> EventRow | None:
    """This source's own earlier listing, else the same key, else the same game from another source."""
    view = work.repo.view(source, fixture.key)
    if view is not None:
        return work.repo.event(view.event_id)
    same_key = work.repo.event_by_key(fixture.key)
    if same_key is not None:
        return same_key
    day = _day(work, fixture)
    window = timedelta(days=MATCH_DAYS)
    candidates = [
        event
        for event in work.repo.games_between(day - window, day + window)
        if event.state != EventState.FINISHED.value
        and event.local_date is not None
        and same_game(event.away, event.local_date, fixture.away, day)
        and source not in {v.source for v in work.repo.views_of(event.id or 0)}
    ]
    if not candidates:
        return None
    # Every candidate has a local_date (filtered above); ``or day`` only tells the type checker.
    return min(candidates, key=lambda event: (abs(((event.local_date or day) - day).days), event.id or 0))


def _copy_details(event: EventRow, source: str, fixture: Fixture) -> bool:
    """Copy the fixture's descriptive fields (from the game's primary source, or from this one
    once the primary no longer lists it); True if any changed.

    Title, venue and time are not among them: :func:`~ghela.scheduler.overrides.settle`
    decides those from every source and the overrides.
    """
    values = {
        "home": fixture.home,
        "away": fixture.away,
        "competition": fixture.competition,
        "season": fixture.season,
        "source": source,
        "source_url": fixture.source_url,
    }
    if not event.title:
        values |= {"title": _title(fixture), "venue": fixture.venue}
    changed = False
    for name, value in values.items():
        if getattr(event, name, None) != value:
            setattr(event, name, value)
            changed = True
    return changed


def _drop_vanished(work: Work, result: ScrapeResult, listed: set[str]) -> tuple[list[EventRow], str]:
    """This source's views of games it no longer lists, removed (a complete, healthy scrape only)."""
    if not (result.complete and result.healthy):
        return [], "no cancellations: the scrape is not complete and healthy"
    if result.window_start is None or result.window_end is None:
        return [], "no cancellations: the scrape names no date window"
    first = max(result.window_start, work.local_date(work.now))
    stored = []
    for view in work.repo.views_of_source_between(result.source, first, result.window_end):
        event = work.repo.event(view.event_id)
        if (
            event is not None
            and event.state != EventState.FINISHED.value
            and (event.finishes_at is None or event.finishes_at > work.now)
        ):
            stored.append((view, event))
    vanished = [(view, event) for view, event in stored if view.key not in listed]
    if len(vanished) > max(1, int(work.config.max_cancel_fraction * len(stored))):
        return [], (
            f"no cancellations: {len(vanished)} of {len(stored)} stored games are missing, "
            "which looks like a broken source"
        )
    for view, _ in vanished:
        work.repo.delete(view)
    return [event for _, event in vanished], ""
