"""iCalendar fixture feeds, read with the ``icalendar`` library.

Each VEVENT is a row. Its SUMMARY is "Home - Away" with an optional competition tag
("KAA Gent - Club Brugge [CL]"); its DTSTART is the kick-off:

- a UTC time (``...Z``) or a time with a TZID is that instant;
- a floating time (no zone) is wall-clock time in the calendar's ``X-WR-TIMEZONE`` when
  that names a real zone, otherwise in the venue's zone;
- a date (an all-day event) means the kick-off time is not fixed yet.

An event whose LOCATION is the venue (its name or an alias, maybe followed by an address)
is a home game even when the feed lists the opponent first. Events marked
``STATUS:CANCELLED`` are left out. A broken line inside an event is logged
and makes the scrape partial (the line may have mattered); a broken DTSTART or SUMMARY
loses that row only; a feed that is not iCalendar at all is a page-level problem.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from ghela.core.clock import venue_zone
from ghela.core.errors import InvalidInput
from ghela.core.names import normalise
from ghela.core.wiretypes import to_utc
from ghela.scraper.games import Game, ParseOutcome
from ghela.scraper.teams import Club, split_title

log = logging.getLogger(__name__)


def parse_ics(
    body: bytes,
    url: str,
    *,
    zone: ZoneInfo,
    club: Club,
    venue_names: list[str],
    default_competition: str,
) -> ParseOutcome:
    """Every event of a calendar feed, read; never raises on what the feed contains."""
    outcome = ParseOutcome()
    if not body.strip():
        outcome.problems.append(f"empty feed from {url}")
        return outcome
    try:
        calendars = Calendar.from_ical(body, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        outcome.problems.append(f"feed from {url} is not a readable iCalendar file: {str(exc)[:200]}")
        return outcome
    if not calendars:
        outcome.problems.append(f"feed from {url} holds no calendar")
        return outcome
    venues = {normalise(name) for name in venue_names}
    for calendar in calendars:
        floating_zone = _calendar_zone(calendar, zone)
        for event in calendar.walk("VEVENT"):
            if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
                log.info("skipping cancelled event %s", event.get("SUMMARY"))
                continue
            outcome.rows_found += 1
            index = outcome.rows_found
            try:
                game = _game(
                    event,
                    zone,
                    floating_zone=floating_zone,
                    club=club,
                    venues=venues,
                    competition=default_competition,
                )
            except Exception as exc:  # whatever one event holds, it loses that row only
                outcome.fail_row(index, str(exc)[:300] or type(exc).__name__)
                continue
            for prop, error in event.errors:
                if prop not in ("DTSTART", "SUMMARY"):
                    outcome.fail_row(index, f"broken line ignored ({prop or 'unreadable line'}): {error}")
            outcome.games.append(game)
    return outcome


def _calendar_zone(calendar: Calendar, venue: ZoneInfo) -> ZoneInfo:
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return venue
    try:
        return venue_zone(str(name))
    except InvalidInput:
        log.warning("calendar names unknown zone %r; floating times taken as %s", str(name), venue.key)
        return venue


def _one(event: Component, name: str) -> Any:
    """The event's one ``name`` property (None if absent); a repeated one is an error."""
    value = event.get(name)
    if isinstance(value, list):
        raise ValueError(f"event has {len(value)} {name} lines where one is allowed")
    return value


def _game(
    event: Component,
    zone: ZoneInfo,
    *,
    floating_zone: ZoneInfo,
    club: Club,
    venues: set[str],
    competition: str,
) -> Game:
    summary = " ".join(str(_one(event, "SUMMARY") or "").split())
    for prop, error in event.errors:
        if prop in ("DTSTART", "SUMMARY"):
            raise ValueError(f"{summary or 'event'}: broken {prop}: {error}")
    title = split_title(summary)
    if title is None:
        raise ValueError(f"title {summary[:100]!r} does not name two teams as 'Home - Away'")
    home, away = title.home, title.away
    location = normalise(str(_one(event, "LOCATION") or ""))
    at_our_venue = any(location == venue or location.startswith(venue + "-") for venue in venues)
    if club.is_club(away) and not club.is_club(home) and location and at_our_venue:
        home, away = away, home  # a feed that lists the opponent first for a game at our venue
    start = _one(event, "DTSTART")
    if start is None:
        raise ValueError(f"{summary}: no DTSTART")
    try:
        moment = start.dt
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{summary}: unreadable DTSTART: {exc}") from None
    uid = str(_one(event, "UID") or "").strip() or None
    tag = title.competition or competition
    if isinstance(moment, datetime):
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=floating_zone)
        try:
            kickoff = to_utc(moment)
        except ValueError as exc:
            raise ValueError(f"{summary}: {moment.isoformat()}: {exc}") from None
        return Game(home, away, tag, kickoff.astimezone(zone).date(), kickoff, uid)
    if isinstance(moment, date):
        return Game(home, away, tag, moment, None, uid)
    raise ValueError(f"{summary}: DTSTART is not a date or a time")
