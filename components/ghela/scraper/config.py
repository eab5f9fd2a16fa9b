"""The Scraper's configuration (its recipe's ``DefaultConfiguration`` mirrors these defaults).

A source is either an ``html`` page (the club's fixtures page, parsed with XPath selectors
that live here, so a site redesign is a deployment, not a release) or an ``ics`` calendar
feed. ``url`` is an ``http(s)://`` URL, a ``file://`` URL or a plain local path.

HTML selectors are XPath 1.0. ``row`` is absolute and selects one node per fixture; every
other selector is evaluated relative to that row and its text is the string value of what
it selects (all text inside, whitespace normalised). Give either ``datetime`` (one cell with
date and time) or ``date`` (and optionally ``time``).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ghela import __version__
from ghela.core.config import ComponentConfig
from ghela.scraper.xpathcheck import xpath_errors

Selector = Annotated[str, Field(min_length=1, max_length=500)]
MAX_BASELINE_AGREE_SCRAPES = 48
"""Two days of hourly scrapes: a longer wait for a smaller list to be believed helps nobody."""
READABLE_SCHEMES = ("http", "https", "file")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def check_location(url: str) -> str:
    """``url`` if the fetcher can read it; a URL of another scheme raises ValueError naming it.

    Anything without ``scheme://`` is a local path, so a typo there shows up as a missing file.
    """
    match = _SCHEME.match(url)
    if match is not None and match.group(1).lower() not in READABLE_SCHEMES:
        raise ValueError(
            f"{url!r}: {match.group(1)}:// cannot be read; use an http(s):// or file:// URL or a "
            "local path (a webcal:// feed is served at the same address over https://)"
        )
    return url


class _Section(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class HtmlSelectors(_Section):
    """Where a fixtures page keeps each field (XPath; see the module docstring)."""

    row: Selector = "//li[contains(concat(' ', normalize-space(@class), ' '), ' fixture ')]"
    home: Selector = ".//*[contains(@class, 'fixture__team--home')]"
    away: Selector = ".//*[contains(@class, 'fixture__team--away')]"
    datetime: Selector | None = None
    date: Selector | None = ".//*[contains(@class, 'fixture__date')]"
    time: Selector | None = ".//*[contains(@class, 'fixture__time')]"
    competition: Selector | None = ".//*[contains(@class, 'fixture__competition')]"
    id: Selector | None = None
    """The source's own stable id for a game (for example a match link); used as the key."""

    @model_validator(mode="after")
    def _valid_xpath(self) -> HtmlSelectors:
        if self.datetime is None and self.date is None:
            raise ValueError("selectors need either 'datetime' or 'date'")
        # The defaults are known to compile (tests/scraper/test_xpathcheck.py): only the
        # selectors a configuration sets are checked, so the defaults cost no child process.
        fields = type(self).model_fields
        chosen = {
            name: expression
            for name, expression in self
            if expression is not None and expression != fields[name].default
        }
        for name, reason in xpath_errors(chosen).items():
            raise ValueError(f"selector {name!r} is not valid XPath: {chosen[name]!r} ({reason})")
        return self


class SourceConfig(_Section):
    """One place to find fixtures."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: Literal["html", "ics"]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    enabled: bool = True
    selectors: HtmlSelectors = HtmlSelectors()
    """Used by ``html`` sources only."""
    key_from: Literal["fields", "uid"] = "fields"
    """``ics`` only: ``uid`` keys fixtures by the event's UID (only if the feed keeps UIDs
    stable when a game moves; many embed the date), ``fields`` by competition+teams+season."""
    default_competition: Annotated[str, Field(min_length=1, max_length=200)] = "Football"
    """The competition of a fixture whose source names none."""

    @field_validator("url")
    @classmethod
    def _readable_url(cls, url: str) -> str:
        return check_location(url)


DEFAULT_SOURCES = (
    SourceConfig(name="kaagent.be", kind="html", url="https://www.kaagent.be/nl/wedstrijden"),
    SourceConfig(name="fixtur.es", kind="ics", url="https://ics.fixtur.es/v2/home/kaa-gent.ics"),
)
"""The club's own page and an independent fixtures service's home-games feed: the Scheduler
plans from both, so neither a redesign of the club site nor a feed that is a day late
loses a game on its own."""


class ScraperConfig(ComponentConfig):
    """Configuration of ``com.ghelamco.alert.Scraper``."""

    sources: list[SourceConfig] = Field(default_factory=lambda: list(DEFAULT_SOURCES), max_length=20)
    interval_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 60
    jitter_seconds: Annotated[int, Field(ge=0, le=3600)] = 120
    club_name: Annotated[str, Field(min_length=1, max_length=100)] = "KAA Gent"
    club_aliases: list[str] = Field(
        default_factory=lambda: ["Gent", "AA Gent", "K.A.A. Gent", "KAA Gent"], max_length=50
    )
    venue: Annotated[str, Field(min_length=1, max_length=200)] = "Planet Group Arena"
    venue_aliases: list[str] = Field(default_factory=lambda: ["Ghelamco Arena"], max_length=50)
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 20.0
    """Scrapy's ``DOWNLOAD_TIMEOUT``."""
    retries: Annotated[int, Field(ge=0, le=10)] = 3
    """Scrapy's ``RETRY_TIMES``: network faults, 5xx, 408 and 429 are tried this many more times."""
    backoff_seconds: Annotated[float, Field(ge=0, le=600)] = 2.0
    """Scrapy's ``AUTOTHROTTLE_START_DELAY``: the first wait between two requests to one site."""
    backoff_max_seconds: Annotated[float, Field(ge=0, le=3600)] = 60.0
    """Scrapy's ``AUTOTHROTTLE_MAX_DELAY``: the longest wait AutoThrottle backs off to."""
    user_agent: Annotated[str, Field(min_length=1, max_length=300)] = (
        f"GhelamcoAlert/{__version__} (office parking warning light; checks fixtures hourly)"
    )
    respect_robots_txt: bool = True
    min_fixture_ratio: Annotated[float, Field(ge=0, le=1)] = 0.5
    """A scrape with fewer home fixtures than this share of the last healthy one is unhealthy."""
    baseline_agree_scrapes: Annotated[int, Field(ge=2, le=MAX_BASELINE_AGREE_SCRAPES)] = 3
    """When this many consecutive scrapes are unhealthy only for finding far fewer home fixtures
    (``minFixtureRatio``) and all find the same fixtures, the last of them is healthy and the
    new "last time": a source that shrank for real (a new season) is believed after a while."""
    max_page_bytes: Annotated[int, Field(ge=1024, le=50_000_000)] = 2_000_000
    http_cache_path: Annotated[str, Field(min_length=1, max_length=4096)] = "scraper-httpcache"
    """Scrapy's HTTP cache (``HTTPCACHE_DIR``, RFC 2616 policy): the last page of each source
    with its ETag / Last-Modified, so the next request is conditional; relative paths as
    ``statePath``."""
    state_path: Annotated[str, Field(min_length=1, max_length=4096)] = "scraper-state.json"
    """The file that keeps each source's last healthy result and streak
    of agreeing smaller fixture lists across restarts; a relative path is inside the
    component's work directory (its working directory under Greengrass)."""

    @model_validator(mode="after")
    def _unique_source_names(self) -> ScraperConfig:
        names = [source.name for source in self.sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique, repeated: {', '.join(duplicates)}")
        return self
