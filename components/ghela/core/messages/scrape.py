"""What the Scraper is asked for and what one scrape of one source found.

Without ``from __future__ import annotations`` (see :mod:`ghela.core.messages`).
"""

from typing import Annotated, Self

from pydantic import Field, model_validator

from ghela.core.messages import Message
from ghela.core.wiretypes import CommandId, LongText, ShortText, UtcDatetime, VenueDate, new_id


class Fixture(Message):
    """One home game as a source lists it.

    ``key`` is stable across reschedules (competition + home + away + season, or the
    source's own id). Exactly one of ``kickoff`` (time known) or ``date`` (time not yet
    known; a date in the venue's zone) is set.
    """

    key: ShortText
    home: ShortText
    away: ShortText
    competition: ShortText
    season: Annotated[str, Field(max_length=20)] = ""
    kickoff: UtcDatetime | None = None
    date: VenueDate | None = None
    venue: Annotated[str, Field(max_length=200)] = ""
    source_url: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _one_of_kickoff_or_date(self) -> Self:
        if (self.kickoff is None) == (self.date is None):
            raise ValueError("exactly one of kickoff (time known) or date (time unknown) is required")
        return self


class ScrapeRequest(Message):
    """Ask the Scraper to scrape now (all configured sources, or one by name)."""

    request_id: CommandId = Field(default_factory=new_id)
    source: Annotated[str, Field(max_length=200)] | None = None


class ScrapeResult(Message):
    """One scrape of one source.

    Only a result that is both ``complete`` and ``healthy`` may cancel stored games that it
    no longer lists; anything else may add and update but never cancel.
    """

    scrape_id: CommandId = Field(default_factory=new_id)
    source: ShortText
    scraped_at: UtcDatetime
    fixtures: Annotated[list[Fixture], Field(max_length=2000)]
    healthy: bool
    complete: bool
    reasons: Annotated[list[LongText], Field(max_length=100)] = []
    http_status: int | None = None
    rows_found: Annotated[int, Field(ge=0)] = 0
    rows_parsed: Annotated[int, Field(ge=0)] = 0
    window_start: VenueDate | None = None
    window_end: VenueDate | None = None
    """The dates the source covers; a complete scrape cancels only games inside it."""
