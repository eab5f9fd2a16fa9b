"""Club and venue are configuration: the whole scrape → plan path for another club.

Celtic FC at Celtic Park ("Parkhead"), in Europe/London, from its own recorded feed
(``celtic-fixtures-2025-26.ics``: floating local times in the calendar's zone, an away game
at Ibrox, a home game the provider lists opponent-first, a date-only game, a European night
against KAA Gent). Nothing of KAA Gent's remains in the path: the configured club's home
games are found, keyed, and planned in the configured zone.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import ApplyScrape, CommandRequest
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.crawler import ChildCrawl
from ghela.scraper.scrape import SourceScraper

from tests.scraper.conftest import DATA

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


def test_another_club_from_its_own_feed_is_scraped_and_planned(tmp_path: Path) -> None:
    feed = SourceConfig(name="celtic-feed", kind="ics", url=str(DATA / "celtic-fixtures-2025-26.ics"))
    scraper_config = ScraperConfig(
        sources=[feed],
        club_name="Celtic FC",
        club_aliases=["Celtic", "Celtic Football Club"],
        venue="Celtic Park",
        venue_aliases=["Parkhead"],
        zone="Europe/London",
        http_cache_path=str(tmp_path / "cache"),
    )
    page = ChildCrawl(scraper_config)([feed], NOW, threading.Event())["celtic-feed"]
    result = SourceScraper(feed, scraper_config).scrape(NOW, page)
    assert result.healthy and result.complete, result.reasons
    assert [(f.away, f.home, f.venue) for f in result.fixtures] == [
        ("Aberdeen", "Celtic FC", "Celtic Park"),
        ("Hearts", "Celtic FC", "Celtic Park"),  # opponent first in the feed, but at Parkhead
        ("Hibernian", "Celtic FC", "Celtic Park"),
        ("KAA Gent", "Celtic FC", "Celtic Park"),
    ]
    aberdeen, hearts, hibs, gent = result.fixtures
    assert aberdeen.key == "spfl:celtic-fc:aberdeen:2025-26"
    assert aberdeen.kickoff == datetime(2025, 11, 30, 15, 0, tzinfo=LONDON)
    assert hearts.kickoff == datetime(2025, 12, 13, 19, 30, tzinfo=LONDON)
    assert (hibs.kickoff, hibs.date) == (None, date(2025, 12, 27))
    assert gent.competition == "UEL"

    store = Store(tmp_path / "ghela.db")
    try:
        handler = CommandHandler(store, SchedulerConfig(zone="Europe/London"))
        clock = FrozenClock(NOW)
        request = CommandRequest(command_id="scrape-1", origin="scraper", command=ApplyScrape(result=result))
        applied = handler.apply(request, clock.now()).result
        assert applied.data["added"] == [1, 2, 3, 4]
        with store.read() as session:
            repo = Repository(session)
            stored = repo.event(1)
            assert (
                stored is not None
                and stored.venue == "Celtic Park"
                and stored.local_date == date(2025, 11, 30)
            )
            starts = [alert.starts_at.astimezone(LONDON) for alert in repo.alerts_of(1)]
            kickoff = datetime(2025, 11, 30, 15, 0, tzinfo=LONDON)
            assert starts == [kickoff - timedelta(hours=6), kickoff - timedelta(hours=4)]
            tbd = repo.alerts_of(3)  # Hibernian: time not known, warned at 08:30 London time
            assert [alert.starts_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") for alert in tbd] == [
                "2025-12-27 08:30"
            ]
    finally:
        store.close()
