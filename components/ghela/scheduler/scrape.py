"""Applying a scrape result: add new games, update moved ones, cancel vanished ones — carefully.

Losing a real game's alert costs up to 500 EUR a car; a spurious alert costs a glance. So:

- every result may add and update games (even an unhealthy one: what it did parse is news);
- only a result that is both ``complete`` and ``healthy`` and names its date window may
  cancel, and only this source's games inside that window that it no longer lists;
- and not even then if it would cancel more than ``maxCancelFraction`` of those games
  (a source that suddenly lists far fewer games is broken, not a wave of cancellations);
- games already finished are history: a scrape neither adds nor changes them.
"""

from __future__ import annotations

from typing import Any

from ghela.core.messages import ActivityKind, EventKind, EventState, Fixture, ScrapeResult
from ghela.scheduler.tables import EventRow
from ghela.scheduler.work import Work


def apply_scrape(work: Work, result: ScrapeResult) -> tuple[str, dict[str, Any]]:
    """Apply ``result``; returns a summary line and what changed (event ids by kind)."""
    added: list[int] = []
    updated: list[int] = []
    listed: set[str] = set()
    for fixture in result.fixtures:
        listed.add(fixture.key)
        outcome = _apply_fixture(work, result.source, fixture)
        if outcome is not None:
            (added if outcome[0] == "added" else updated).append(outcome[1])
    cancelled, note = _cancel_vanished(work, result, listed)
    summary = f"{len(added)} added, {len(updated)} updated, {len(cancelled)} cancelled"
    if note:
        summary += f"; {note}"
    return summary, {"added": added, "updated": updated, "cancelled": cancelled}


def _timing(work: Work, fixture: Fixture) -> EventRow:
    """A throw-away row holding the fixture's time, to compare and to copy from."""
    probe = EventRow(kind=EventKind.GAME.value, key=fixture.key, title="", state="", revision=0)
    work.set_time(probe, fixture.kickoff, fixture.date, None)
    return probe


def _apply_fixture(work: Work, source: str, fixture: Fixture) -> tuple[str, int] | None:
    timing = _timing(work, fixture)
    if timing.finishes_at is not None and timing.finishes_at <= work.now:
        return None  # a game in the past: history, not news
    event = work.repo.event_by_key(fixture.key)
    if event is not None and event.kind != EventKind.GAME.value:
        return None  # the key belongs to a custom event; never let a source touch that
    if event is None:
        event = EventRow(kind=EventKind.GAME.value, key=fixture.key, state=EventState.SCHEDULED.value)
        _copy_fixture(event, source, fixture)
        work.set_time(event, fixture.kickoff, fixture.date, None)
        work.new_event(event)
        work.replan(event)
        return "added", event.id or 0
    if event.state == EventState.FINISHED.value:
        return None
    moved = event.start != fixture.kickoff or (fixture.kickoff is None and event.local_date != fixture.date)
    revived = event.state == EventState.CANCELLED.value
    details_changed = _copy_fixture(event, source, fixture)
    if not (moved or revived or details_changed):
        return None
    if moved or revived:
        event.state = EventState.UPDATED.value
        work.set_time(event, fixture.kickoff, fixture.date, event.end)
        work.touch(event)
        work.replan(event)
    else:
        work.touch(event)
    work.activity[ActivityKind.EVENT_UPDATED] += 1
    return "updated", event.id or 0


def _copy_fixture(event: EventRow, source: str, fixture: Fixture) -> bool:
    """Copy the fixture's descriptive fields; True if any of them changed."""
    values = {
        "title": f"{fixture.home} – {fixture.away}",
        "home": fixture.home,
        "away": fixture.away,
        "competition": fixture.competition,
        "season": fixture.season,
        "venue": fixture.venue,
        "source": source,
        "source_url": fixture.source_url,
    }
    changed = False
    for name, value in values.items():
        if getattr(event, name, None) != value:
            setattr(event, name, value)
            changed = True
    return changed


def _cancel_vanished(work: Work, result: ScrapeResult, listed: set[str]) -> tuple[list[int], str]:
    if not (result.complete and result.healthy):
        return [], "no cancellations: the scrape is not complete and healthy"
    if result.window_start is None or result.window_end is None:
        return [], "no cancellations: the scrape names no date window"
    today = work.local_date(work.now)
    first = max(result.window_start, today)
    stored = [
        event
        for event in work.repo.games_of_source_between(result.source, first, result.window_end)
        if work.is_live(event) and event.finishes_at is not None and event.finishes_at > work.now
    ]
    vanished = [event for event in stored if event.key not in listed]
    if len(vanished) > max(1, int(work.config.max_cancel_fraction * len(stored))):
        return [], (
            f"no cancellations: {len(vanished)} of {len(stored)} stored games are missing, "
            "which looks like a broken source"
        )
    for event in vanished:
        event.state = EventState.CANCELLED.value
        work.touch(event)
        work.refresh_event_alerts(event)
        work.activity[ActivityKind.EVENT_CANCELLED] += 1
    return [event.id or 0 for event in vanished], ""
