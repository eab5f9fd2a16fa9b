"""Crawled pages without a crawl, for the unit tests of judging and of the service.

:func:`fetched` is what the crawl reports for a body (read by the same
:func:`~ghela.scraper.reading.read_page` the spider uses); :class:`FileCrawl` is a
:data:`~ghela.scraper.crawler.Crawl` that reads file sources in this process. The real
crawl (Scrapy in its child process) is tested in ``test_crawl.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.pages import Fetched
from ghela.scraper.reading import read_page


def fetched(
    source: SourceConfig, config: ScraperConfig, body: bytes, now: datetime, status: int | None = 200
) -> Fetched:
    outcome = read_page(source, config, body, source.url, now)
    return Fetched(source=source.name, url=source.url, status=status, outcome=outcome)


def failed(source: SourceConfig, error: str, status: int | None = None) -> Fetched:
    return Fetched(source=source.name, url=source.url, status=status, error=error)


def not_modified(source: SourceConfig, config: ScraperConfig, body: bytes, now: datetime) -> Fetched:
    page = fetched(source, config, body, now, status=304)
    return page.model_copy(update={"not_modified": True})


class FileCrawl:
    """Reads each source's file (its ``url`` is a path); every call is kept in ``calls``."""

    def __init__(self, config: ScraperConfig) -> None:
        self.config = config
        self.calls: list[list[str]] = []

    def __call__(
        self, sources: Sequence[SourceConfig], now: datetime, stopping: threading.Event
    ) -> dict[str, Fetched]:
        self.calls.append([source.name for source in sources])
        pages = {}
        for source in sources:
            try:
                body = Path(source.url).read_bytes()
            except OSError as exc:
                pages[source.name] = failed(source, f"cannot read {source.url}: {exc.strerror}")
                continue
            pages[source.name] = fetched(source, self.config, body, now, status=None)
        return pages


NOT_MODIFIED = "304"


class ScriptedCrawl:
    """Answers every source of each crawl with the next scripted page (the last repeats): a
    body, read as the crawl reads it; :data:`NOT_MODIFIED` (the cached page, revalidated);
    or a ready :class:`Fetched`. Every crawl's sources are kept in ``calls``."""

    def __init__(self, *pages: bytes | str | Fetched, config: ScraperConfig | None = None) -> None:
        self.pages = list(pages)
        self.config = config or ScraperConfig()
        self.calls: list[list[str]] = []

    def __call__(
        self, sources: Sequence[SourceConfig], now: datetime, stopping: threading.Event
    ) -> dict[str, Fetched]:
        self.calls.append([source.name for source in sources])
        page = self.pages.pop(0) if len(self.pages) > 1 else self.pages[0]
        return {source.name: self._page(source, page, now) for source in sources}

    def _page(self, source: SourceConfig, page: bytes | str | Fetched, now: datetime) -> Fetched:
        if isinstance(page, Fetched):
            return page.model_copy(update={"source": source.name})
        if page == NOT_MODIFIED:
            return Fetched(source=source.name, url=source.url, status=304, not_modified=True)
        assert isinstance(page, bytes)
        return fetched(source, self.config, page, now)
