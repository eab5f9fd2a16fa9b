"""The Scraper component: scrape at start-up, then every interval (with jitter) or on request.

One worker thread owns the scraping. It sleeps with ``clock.wait`` on an event, so a
:class:`ScrapeRequest` on ``SCRAPE_REQUEST`` wakes it at once. Each scrape is one crawl of
the sources due (:mod:`ghela.scraper.crawler`: Scrapy in a short-lived child process,
killed when :meth:`ScraperService.stop` is called, so a stop is prompt even while a site is
slow). It publishes, per source, one :class:`ScrapeResult` on ``SCRAPE_RESULT`` and one
:class:`Activity` (``scrape_ok`` or ``scrape_failed``) on ``ACTIVITY`` for Metrics.

What each source's scraper remembers (its last healthy result, its streak of scrapes
agreeing on a smaller fixture list) is loaded from ``statePath`` at start and saved after
every scrape that changes it, so a restart keeps "last time" and the streak. Only
configured sources are saved: a source removed from the configuration is forgotten at
the next save (a disabled one is kept).

What a source contains never ends the thread (a scrape turns every fault of the source
into an unhealthy result). A publish that fails after the IPC client's own reconnects
does: the host then exits non-zero and the nucleus restarts the component.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from datetime import datetime, timedelta

from ghela.core import topics
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock
from ghela.core.messages import Message
from ghela.core.messages.counted import Activity, ActivityKind
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.scraper.config import ScraperConfig
from ghela.scraper.crawler import ChildCrawl, Crawl
from ghela.scraper.memory import MemoryStore, Remembered
from ghela.scraper.pages import Fetched
from ghela.scraper.scrape import SourceScraper

log = logging.getLogger(__name__)

COMPONENT = "Scraper"
ALL_SOURCES = None


class ScraperService:
    """Runs the scrape loop on its own thread until :meth:`stop`."""

    def __init__(
        self,
        bus: Bus,
        config: ScraperConfig,
        clock: Clock,
        crawl: Crawl,
        *,
        rng: random.Random | None = None,
    ) -> None:
        """Assemble only: the state file is read and the request topic subscribed in :meth:`start`."""
        self._bus = bus
        self._config = config
        self._clock = clock
        self._rng = rng or random.Random()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._requests: deque[str | None] = deque()
        self._crawl = crawl
        self._store = MemoryStore(config.state_path)
        self._scrapers: dict[str, SourceScraper] = {}
        self._kept: dict[str, Remembered] = {}
        self._subscription: Subscription | None = None
        self._thread = threading.Thread(target=self._run, name="scraper", daemon=True)
        self.next_scrape_at: datetime | None = None

    def start(self) -> ScraperService:
        """Load what each source remembers, listen for requests, and start scraping."""
        remembered = self._store.load()
        config = self._config
        self._scrapers = {
            source.name: SourceScraper(source, config, remembered.get(source.name))
            for source in config.sources
            if source.enabled
        }
        disabled = {source.name for source in config.sources if not source.enabled}
        self._kept = {name: memory for name, memory in remembered.items() if name in disabled}
        self._subscription = self._bus.subscribe(topics.SCRAPE_REQUEST, self._on_request)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop scraping and wait for the thread; a second call does nothing."""
        if self._stopping.is_set():
            return
        if self._subscription is not None:
            self._subscription.close()
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def _on_request(self, message: Message) -> None:
        assert isinstance(message, ScrapeRequest)
        if message.source is not None and message.source not in self._scrapers:
            log.warning("scrape request %s names no enabled source %r", message.request_id, message.source)
            return
        self._requests.append(message.source)
        self._wake.set()

    def _run(self) -> None:
        self.next_scrape_at = self._clock.now()
        while not self._stopping.is_set():
            self._wake.clear()
            requested = set()
            while self._requests:
                requested.add(self._requests.popleft())
            if self._clock.now() >= self.next_scrape_at or ALL_SOURCES in requested:
                self._scrape(list(self._scrapers))
                self.next_scrape_at = self._next_time()
            elif requested:
                self._scrape([name for name in self._scrapers if name in requested])
            if self._stopping.is_set():
                break
            self._clock.wait(self._wake, self.next_scrape_at)

    def _next_time(self) -> datetime:
        jitter = self._rng.uniform(0, self._config.jitter_seconds)
        return self._clock.now() + timedelta(minutes=self._config.interval_minutes, seconds=jitter)

    def _scrape(self, names: list[str]) -> None:
        now = self._clock.now()
        try:
            pages = self._crawl([self._scrapers[name].source for name in names], now, self._stopping)
        except Exception as exc:  # a bug must cost one scrape, and be seen, not end the loop
            log.exception("crawling %s failed", ", ".join(names))
            pages = {}
            failure = f"internal error while crawling: {exc!r}"[:2000]
        else:
            failure = "the crawl returned nothing for this source"
        for name in names:
            if self._stopping.is_set():
                log.info("stopping: results of %s not published", ", ".join(names))
                return
            self._publish(self._judge(name, now, pages.get(name), failure))

    def _judge(self, name: str, now: datetime, page: Fetched | None, failure: str) -> ScrapeResult:
        scraper = self._scrapers[name]
        if page is None:
            page = Fetched(source=name, url=scraper.source.url, error=failure)
        before = scraper.memory
        try:
            result = scraper.scrape(now, page)
        except Exception as exc:  # a bug must cost one scrape, and be seen, not end the loop
            log.exception("judging %s failed", name)
            reason = f"internal error while scraping: {exc!r}"[:2000]
            return ScrapeResult(
                source=name, scraped_at=now, fixtures=[], healthy=False, complete=False, reasons=[reason]
            )
        if scraper.memory is not before:
            self._save_memory()
        return result

    def _save_memory(self) -> None:
        """Write what every configured source remembers (a failed write is logged, not fatal)."""
        memory = dict(self._kept)
        memory.update((name, s.memory) for name, s in self._scrapers.items() if s.memory is not None)
        self._store.save(memory)

    def _publish(self, result: ScrapeResult) -> None:
        self._bus.publish(topics.SCRAPE_RESULT, result)
        kind = ActivityKind.SCRAPE_OK if result.healthy else ActivityKind.SCRAPE_FAILED
        detail = f"{result.source}: {len(result.fixtures)} home fixtures"
        if result.reasons:
            detail += "; " + "; ".join(result.reasons[:3])
        self._bus.publish(
            topics.ACTIVITY,
            Activity(kind=kind, at=self._clock.now(), component=COMPONENT, detail=detail[:2000]),
        )


def start(bus: Bus, config: ScraperConfig, clock: Clock) -> ScraperService:
    """The ``run_component`` starter: crawls in child processes, scraping at once."""
    return ScraperService(bus, config, clock, ChildCrawl(config)).start()
