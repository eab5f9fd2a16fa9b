"""What a parser read from a source, and the home fixtures made from it.

A parser (HTML or ICS) turns a page into a :class:`ParseOutcome`: how many rows it found,
each row it could read as a :class:`Game` (home and away games alike, so the source's date
window and the health verdict see the whole page), and a reason for each row it could not.
:func:`home_fixtures` then keeps the club's home games as typed :class:`Fixture` messages
with stable keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ghela.core.messages.scrape import Fixture
from ghela.core.wiretypes import in_range, to_utc
from ghela.scraper.dutch import When, season_label
from ghela.scraper.teams import Club, fixture_key, source_key

log = logging.getLogger(__name__)

MAX_REASONS = 20
"""Row errors beyond this many are counted, not listed (a result carries at most 100 reasons)."""


@dataclass(frozen=True)
class Game:
    """One game as a source lists it: local date always, UTC kick-off when fixed."""

    home: str
    away: str
    competition: str
    day: date
    kickoff: datetime | None = None
    source_id: str | None = None

    def __post_init__(self) -> None:
        """The models' range of years, checked per row: one absurd date loses that row only."""
        try:
            in_range(self.day)
            if self.kickoff is not None:
                to_utc(self.kickoff)
        except ValueError as exc:
            raise ValueError(f"{self.home} - {self.away}: {self.kickoff or self.day}: {exc}") from None

    @property
    def season(self) -> str:
        return season_label(self.day)


@dataclass
class ParseOutcome:
    """Rows found on a page, the games read from them, and why the others were not read."""

    rows_found: int = 0
    games: list[Game] = field(default_factory=list)
    row_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Page-level faults (nothing matched, not a calendar, broken lines)."""

    def fail_row(self, index: int, reason: str) -> None:
        log.warning("row %d not parsed: %s", index, reason)
        self.row_errors.append(f"row {index}: {reason}")


def game_from_when(
    home: str, away: str, competition: str, when: When, *, zone: ZoneInfo, source_id: str | None = None
) -> Game:
    """A game from a local date and (maybe) local kick-off time in the venue's zone."""
    kickoff = None
    if when.kickoff is not None:
        kickoff = local_instant(when.day, when.kickoff, zone)
    return Game(home, away, competition, when.day, kickoff, source_id)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant.

    A time that does not exist (inside a DST spring-forward gap) comes out one hour later
    in wall-clock terms, never dropped; an ambiguous one takes its first occurrence. A day
    outside 2000–2100 is a ValueError (converting it could overflow).
    """
    return to_utc(datetime.combine(in_range(day), at, tzinfo=zone))


def home_fixtures(
    outcome: ParseOutcome, club: Club, venue: str, source_url: str, *, use_source_ids: bool
) -> list[Fixture]:
    """The club's home games as fixtures, keyed stably and in date order.

    Two games with the same key in one season (a league game and a cup game against the
    same opponent in a feed with no competition tags) get ``#2``, ``#3`` in date order.
    """
    fixtures: list[Fixture] = []
    seen: dict[str, int] = {}
    home_games = sorted(
        (g for g in outcome.games if club.is_club(g.home)),
        key=lambda g: (g.day, g.kickoff or datetime.min.replace(tzinfo=UTC)),
    )
    for game in home_games:
        if use_source_ids and game.source_id:
            key = source_key(game.source_id)
        else:
            key = fixture_key(game.competition, club.name, game.away, game.season)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        try:
            fixtures.append(
                Fixture(
                    key=key,
                    home=club.name,
                    away=game.away[:200],
                    competition=game.competition[:200],
                    season=game.season,
                    kickoff=game.kickoff,
                    date=None if game.kickoff is not None else game.day,
                    venue=venue,
                    source_url=source_url[:2000],
                )
            )
        except ValidationError as exc:  # only a name too odd for a fixture gets here
            outcome.row_errors.append(f"game {game.home} - {game.away}: {exc.errors()[0]['msg']}")
    return fixtures
