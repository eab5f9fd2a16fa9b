"""The crawl: one Scrapy spider that requests every source and reads what comes back.

Scrapy's engine does what a polite bot owes a site (configured in
:mod:`ghela.scraper.crawl`): robots.txt, retries of network faults and 5xx/429, a size cap,
throttling, a timeout, the User-Agent, and conditional requests through its HTTP cache
(RFC 2616 policy). Every request says ``Cache-Control: max-age=0``, so the cache never
answers from itself: it always asks the site, sending the stored ETag / Last-Modified,
and a 304 gives back the stored page, flagged ``cached``. (``no-cache`` would not do:
Scrapy's policy then skips the validators and refetches the whole page.) When the cache
covered for a failing site (it serves the stored page for a 5xx), that is reported as the
failure it is.

``parse_page`` yields one :class:`~ghela.scraper.pages.Fetched` item per source (the page
read by :func:`~ghela.scraper.reading.read_page`); ``failed`` (the errback) yields one
saying what went wrong. The pipelines (:mod:`ghela.scraper.pipelines`) keep one per source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.failures import describe
from ghela.scraper.middleware import SITE_STATUS
from ghela.scraper.pages import Fetched, as_url, is_http
from ghela.scraper.reading import read_page

ACCEPT = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "ics": "text/calendar,text/plain;q=0.9,*/*;q=0.5",
}


class FixturesSpider(scrapy.Spider):
    name = "ghela_fixtures"

    def __init__(
        self, config: ScraperConfig, sources: list[SourceConfig], now: datetime, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.sources = sources
        self.now = now

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            yield scrapy.Request(
                as_url(source.url),
                callback=self.parse_page,
                errback=self.failed,
                cb_kwargs={"source": source},
                headers={"Accept": ACCEPT[source.kind], "Cache-Control": "max-age=0"},
                dont_filter=True,
            )

    def parse_page(self, response: Response, source: SourceConfig) -> Iterator[Fetched]:
        site_status = response.meta.get(SITE_STATUS, response.status)
        revalidated = "cached" in response.flags and site_status == 304
        if "cached" in response.flags and not revalidated:
            retried = f" (after {self.config.retries + 1} tries)" if self.config.retries else ""
            error = f"HTTP {site_status} from {response.url}{retried}"
            yield self._failure(source, response.url, error, site_status)
            return
        if len(response.body) > self.config.max_page_bytes:  # file:// has no download cap
            yield self._failure(source, response.url, self._too_large(response.url), response.status)
            return
        yield Fetched(
            source=source.name,
            url=response.url,
            status=(304 if revalidated else response.status) if is_http(response.url) else None,
            not_modified=revalidated,
            outcome=read_page(source, self.config, response.body, response.url, self.now),
        )

    def failed(self, failure: Failure) -> Iterator[Fetched]:
        request = failure.request  # type: ignore[attr-defined]  # scrapy sets it on twisted's Failure
        source: SourceConfig = request.cb_kwargs["source"]
        message, status = describe(
            failure,
            request.url,
            timeout=self.config.timeout_seconds,
            retries=self.config.retries,
            max_bytes=self.config.max_page_bytes,
        )
        yield self._failure(source, request.url, message, status)

    def _too_large(self, url: str) -> str:
        return f"page from {url} is larger than the size cap ({self.config.max_page_bytes} bytes); not read"

    def _failure(self, source: SourceConfig, url: str, message: str, status: int | None) -> Fetched:
        return Fetched(source=source.name, url=url, status=status, error=message)
