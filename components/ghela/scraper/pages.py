"""What one crawl learnt about each source, as it crosses from the crawl's child process.

The child (:mod:`ghela.scraper.crawl`) fetches and parses; the component judges. Between
them travel a :class:`CrawlJob` (the configuration and the sources to crawl) on the child's
stdin and a :class:`CrawlReport` (one :class:`Fetched` per source) on its stdout, as JSON.
Nothing here imports Scrapy or Twisted, so the long-running component never does.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ghela.core.wiretypes import UtcDatetime
from ghela.scraper.config import ScraperConfig
from ghela.scraper.games import ParseOutcome


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fetched(_Wire):
    """One source's answer in one crawl: what came back (or why nothing did) and what was read.

    ``not_modified``: the server answered 304 to the conditional request Scrapy's HTTP cache
    made, and ``outcome`` was read from the cached page. ``error`` says in a person's words
    what went wrong (the name does not resolve, a TLS failure, a timeout, HTTP 503 after the
    retries, robots.txt forbids it, the page is over the size cap).
    """

    source: str
    url: str
    status: int | None = None
    error: str | None = None
    not_modified: bool = False
    outcome: ParseOutcome = Field(default_factory=ParseOutcome)


class CrawlJob(_Wire):
    """What the child crawls: these sources of this configuration, at ``now`` (the reference
    date of dates without a year), with Scrapy's HTTP cache in ``cache_dir``."""

    config: ScraperConfig
    sources: list[str]
    now: UtcDatetime
    cache_dir: str


class CrawlReport(_Wire):
    pages: list[Fetched]


def is_http(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def as_url(location: str) -> str:
    """A source's location as a URL Scrapy can request: a plain path becomes ``file://``."""
    if is_http(location) or location.lower().startswith("file://"):
        return location
    return Path(location).expanduser().absolute().as_uri()
