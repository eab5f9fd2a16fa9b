"""A source's body read by the parser of its kind (HTML selectors or an iCalendar feed)."""

from __future__ import annotations

import logging
from datetime import datetime

from ghela.core.clock import venue_zone
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.games import ParseOutcome
from ghela.scraper.ics import parse_ics
from ghela.scraper.page import parse_html
from ghela.scraper.teams import Club

log = logging.getLogger(__name__)


def read_page(
    source: SourceConfig, config: ScraperConfig, body: bytes, url: str, now: datetime
) -> ParseOutcome:
    """What ``body`` lists; a parser bug costs this page, never the crawl."""
    zone = venue_zone(config.zone)
    try:
        if source.kind == "ics":
            return parse_ics(
                body,
                url,
                zone=zone,
                club=Club(config.club_name, config.club_aliases),
                venue_names=[config.venue, *config.venue_aliases],
                default_competition=source.default_competition,
            )
        return parse_html(
            body,
            url,
            source.selectors,
            zone=zone,
            reference=now.astimezone(zone).date(),
            default_competition=source.default_competition,
        )
    except Exception as exc:  # a parser bug must cost one scrape, not the component
        log.exception("parsing %s failed", url)
        return ParseOutcome(problems=[f"internal error while parsing {url}: {exc!r}"[:500]])
