"""One source's crawled page judged: the verdict, and what the next scrape must remember.

:class:`SourceScraper` keeps, per source, the last healthy result (its home fixture count
is the "last time" a scrape is compared with; Scrapy's HTTP cache keeps the ETag /
Last-Modified that make the next request conditional). A 304 Not Modified re-publishes
the last healthy result's fixtures under a new scrape id and time, with ``http_status``
304 and a reason saying so: the Scheduler gets one result per scrape either way, and an
unchanged page is as trustworthy as it was. It also keeps the streak of scrapes that
agree on a smaller fixture list (:mod:`ghela.scraper.baseline`), so a source that shrank
for real gets a new baseline. The service keeps this memory in a file across restarts
(:mod:`ghela.scraper.memory`) and hands each scraper what it remembered.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from ghela.core.messages.scrape import ScrapeResult
from ghela.core.wiretypes import new_id
from ghela.scraper.baseline import Streak
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.games import ParseOutcome, home_fixtures
from ghela.scraper.health import FetchFacts, Verdict, verdict
from ghela.scraper.memory import Remembered, StoredStreak
from ghela.scraper.pages import Fetched
from ghela.scraper.teams import Club

log = logging.getLogger(__name__)


class SourceScraper:
    """Scrapes one configured source; never raises for what the source contains."""

    def __init__(
        self,
        source: SourceConfig,
        config: ScraperConfig,
        remembered: Remembered | None = None,
    ) -> None:
        self.source = source
        self._config = config
        self._club = Club(config.club_name, config.club_aliases)
        if remembered is not None and not remembered.is_of(source):
            log.info(
                "%s is now %s %s (was %s %s): its remembered last result is forgotten",
                source.name,
                source.kind,
                source.url,
                remembered.kind,
                remembered.url,
            )
            remembered = None
        self._memory = remembered

    @property
    def memory(self) -> Remembered | None:
        """What the next scrape needs from the earlier ones (None before the first healthy one).

        A new object whenever it changes, so ``is`` tells whether a scrape changed it.
        """
        return self._memory

    @property
    def previous_count(self) -> int | None:
        """Home fixtures in the last healthy result (None before the first)."""
        return len(self._memory.last_good.fixtures) if self._memory is not None else None

    def scrape(self, now: datetime, fetched: Fetched) -> ScrapeResult:
        """The result of this crawl's page, remembered for the next scrape."""
        if fetched.not_modified and self._memory is not None:
            judged = Verdict(self._unchanged(now, fetched, self._memory.last_good), streak=None)
        else:
            judged = self._verdict(now, fetched)
        self._remember(judged, fetched)
        result = judged.result
        log.info(
            "scraped %s: %s, %s, %d home fixtures, %d/%d rows%s",
            self.source.name,
            "healthy" if result.healthy else "UNHEALTHY",
            "complete" if result.complete else "partial",
            len(result.fixtures),
            result.rows_parsed,
            result.rows_found,
            f"; reasons: {'; '.join(result.reasons[:5])}" if result.reasons else "",
        )
        return result

    def judge(self, now: datetime, fetched: Fetched) -> ScrapeResult:
        """The result for what was fetched (parsed unless the fetch failed); changes nothing."""
        return self._verdict(now, fetched).result

    def _verdict(self, now: datetime, fetched: Fetched) -> Verdict:
        # home_fixtures notes odd names in row_errors: on a copy, so judging twice is alike
        outcome = (
            ParseOutcome()
            if fetched.error
            else replace(fetched.outcome, row_errors=[*fetched.outcome.row_errors])
        )
        fixtures = home_fixtures(
            outcome,
            self._club,
            self._config.venue,
            fetched.url,
            use_source_ids=self.source.kind == "html" or self.source.key_from == "uid",
        )
        facts = FetchFacts(fetched.url, fetched.status, fetched.error)
        return verdict(
            self.source.name,
            now,
            facts,
            outcome,
            fixtures,
            previous_count=self.previous_count,
            min_ratio=self._config.min_fixture_ratio,
            agree_scrapes=self._config.baseline_agree_scrapes,
            streak=self._streak,
        )

    @property
    def _streak(self) -> Streak | None:
        stored = self._memory.shrink_streak if self._memory is not None else None
        return stored.streak if stored is not None else None

    def _unchanged(self, now: datetime, fetched: Fetched, last_good: ScrapeResult) -> ScrapeResult:
        since = last_good.scraped_at.isoformat()
        note = f"not modified since the scrape at {since} (HTTP 304); its fixtures are repeated"
        return last_good.model_copy(
            update={
                "scrape_id": new_id(),
                "scraped_at": now,
                "http_status": fetched.status,
                "reasons": [*last_good.reasons, note][-100:],
            }
        )

    def _remember(self, judged: Verdict, fetched: Fetched) -> None:
        """A healthy new page becomes "last time"; otherwise only the streak may change."""
        if judged.result.healthy and not (fetched.not_modified and self._memory is not None):
            self._memory = Remembered(url=self.source.url, kind=self.source.kind, last_good=judged.result)
            return
        streak = StoredStreak.of(judged.streak)
        if self._memory is not None and self._memory.shrink_streak != streak:
            self._memory = self._memory.model_copy(update={"shrink_streak": streak})
