"""The crawl's item pipelines, one job each (Scrapy's ``ITEM_PIPELINES``).

- :class:`OnePerSource` drops a second item for a source (a retry that answered twice must
  not report a source twice) and one for a source that was not asked for;
- :class:`Collect` keeps the items for the report the child writes when the crawl ends.

Both follow Scrapy 2.13+'s form: built by ``from_crawler``, methods without a spider
argument (the spider is ``crawler.spider``).
"""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from ghela.scraper.pages import Fetched


class _Pipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


class OnePerSource(_Pipeline):
    def open_spider(self) -> None:
        # scrapy types the crawler's spider as an optional base Spider; it is our FixturesSpider
        self._wanted = {source.name for source in self.crawler.spider.sources}  # type: ignore[union-attr]
        self._seen: set[str] = set()

    def process_item(self, item: Fetched) -> Fetched:
        if item.source not in self._wanted:
            raise DropItem(f"no source {item.source!r} was asked for")
        if item.source in self._seen:
            raise DropItem(f"{item.source} was already reported in this crawl")
        self._seen.add(item.source)
        return item


class Collect(_Pipeline):
    """Keeps every item, in order, as ``pages``."""

    def open_spider(self) -> None:
        self.pages: list[Fetched] = []
        # handed back to whoever runs the crawl on its Crawler (scrapy has no typed slot for it)
        self.crawler.ghela_pages = self.pages  # type: ignore[attr-defined]

    def process_item(self, item: Fetched) -> Fetched:
        self.pages.append(item)
        return item
