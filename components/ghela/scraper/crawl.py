"""One crawl, in a short-lived child process: ``python -m ghela.scraper.crawl``.

It reads a :class:`~ghela.scraper.pages.CrawlJob` (JSON) on stdin, runs
:class:`~ghela.scraper.spider.FixturesSpider` with Scrapy's engine and writes a
:class:`~ghela.scraper.pages.CrawlReport` (JSON, one page per source) on stdout; Scrapy's
own log goes to stderr. Why a child: Twisted's reactor cannot be started twice in one
process, and Scrapy with Twisted costs tens of MB that the long-running Scraper should
not hold between hourly crawls (``bench/scraper.py`` measures both).

:func:`scrapy_settings` maps the Scraper's configuration onto Scrapy's settings — every
courtesy is Scrapy's own machinery:

- ``USER_AGENT``, ``DOWNLOAD_TIMEOUT``, ``DOWNLOAD_MAXSIZE`` (a larger page is cancelled);
- ``ROBOTSTXT_OBEY`` (Scrapy's RobotsTxtMiddleware with Protego; a robots.txt that cannot be
  fetched allows everything, as Scrapy decides);
- ``RETRY_TIMES`` on network faults and ``RETRY_HTTP_CODES`` (5xx, 408, 429);
- ``AUTOTHROTTLE`` from ``backoffSeconds`` up to ``backoffMaxSeconds`` between requests to one
  site, retries included;
- ``HTTPCACHE`` with the RFC 2616 policy in ``httpCachePath``: ETag / Last-Modified are sent
  back and a 304 costs no body (see :mod:`ghela.scraper.spider` and
  :mod:`ghela.scraper.middleware`).
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.crawler import CrawlerProcess

from ghela.scraper.config import ScraperConfig
from ghela.scraper.pages import CrawlJob, CrawlReport, Fetched
from ghela.scraper.spider import FixturesSpider

NO_ANSWER = "the crawl ended without an answer for this source"


def scrapy_settings(config: ScraperConfig, cache_dir: str) -> dict[str, Any]:
    return {
        "BOT_NAME": "ghela",
        "USER_AGENT": config.user_agent,
        "ROBOTSTXT_OBEY": config.respect_robots_txt,
        "DOWNLOAD_TIMEOUT": config.timeout_seconds,
        "DOWNLOAD_MAXSIZE": config.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": config.retries,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": config.backoff_seconds,
        "AUTOTHROTTLE_MAX_DELAY": config.backoff_max_seconds,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "HTTPCACHE_DIR": cache_dir,
        "HTTPCACHE_EXPIRATION_SECS": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        # The cache above the retry middleware (default: below it), so a 503 is retried
        # before the cache may cover it with the stored page; see ghela.scraper.middleware.
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": 540,
            "ghela.scraper.middleware.RecordSiteStatus": 560,
        },
        "ITEM_PIPELINES": {
            "ghela.scraper.pipelines.OnePerSource": 100,
            "ghela.scraper.pipelines.Collect": 900,
        },
    }


def crawl(job: CrawlJob) -> CrawlReport:
    """Run the crawl to its end (it blocks on Twisted's reactor); one page per source."""
    config = job.config
    sources = [source for source in config.sources if source.name in job.sources]
    process = CrawlerProcess(scrapy_settings(config, job.cache_dir))
    crawler = process.create_crawler(FixturesSpider)
    process.crawl(crawler, config=config, sources=sources, now=job.now)
    process.start()
    found = {page.source: page for page in getattr(crawler, "ghela_pages", [])}
    pages = [
        found.get(source.name) or Fetched(source=source.name, url=source.url, error=NO_ANSWER)
        for source in sources
    ]
    return CrawlReport(pages=pages)


def main() -> int:
    job = CrawlJob.model_validate_json(sys.stdin.buffer.read())
    report = crawl(job)
    sys.stdout.write(report.model_dump_json())
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
