"""Scraper benchmark: parse time of a season's page and feed, and the process's peak memory.

Run: ``.venv/bin/python bench/scraper.py [--repeat N]``. Prints figures; asserts nothing.

- page: the recorded 2025/26 fixtures page with its 30 rows listed twice (60 rows), parsed
  by the spider with the default selectors;
- feed: a 60-game home feed (TZID kick-offs, as :mod:`ghela.scraper.demo` writes it);
- capped: a page cut at the 2 MB size cap (the recorded rows, then filler), as a
  10 MB page is read;
- scrape: one full scrape of the recorded page from a file (fetch, parse, verdict).

Peak memory: tracemalloc's peak during each parse (Python allocations) and the process's
peak RSS (``ru_maxrss``, which includes the interpreter, lxml, scrapy and icalendar).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.demo import demo_feed
from ghela.scraper.fetch import Fetched, Fetcher
from ghela.scraper.http import HttpRequest, HttpResponse
from ghela.scraper.scrape import SourceScraper
from ghela.scraper.service import politeness

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "scraper" / "data"
NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


def sixty_row_page() -> bytes:
    page = (DATA / "kaagent-wedstrijden-2025-26.html").read_bytes()
    start, end = page.index(b'<h2 class="fixtures__month">'), page.index(b"</section>")
    return page[:end] + page[start:end] + page[end:]


def capped_page(cap: int) -> bytes:
    page = (DATA / "kaagent-wedstrijden-2025-26.html").read_bytes()
    filler = b"<p>" + b"x" * 1000 + b"</p>\n"
    return (page[: page.index(b"</section>")] + filler * (cap // len(filler)))[:cap]


def fetched(body: bytes) -> Fetched:
    return Fetched("bench://page", body=body, status=200)


def no_network(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"the benchmark does not use the network: {request.url}")


def scraper(kind: str, url: str) -> SourceScraper:
    source = SourceConfig(name=kind, kind=kind, url=url)
    config = ScraperConfig(sources=[source])
    return SourceScraper(source, config, Fetcher(no_network, politeness(config), lambda s: False))


def measure(name: str, work: Callable[[], int], repeat: int) -> None:
    work()  # warm up (imports, lxml, zoneinfo caches)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        count = work()
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{name:8} {count:3d} home fixtures  median {statistics.median(timings) * 1000:7.1f} ms"
        f"  min {min(timings) * 1000:7.1f} ms  traced peak {peak / 1e6:6.1f} MB"
        f"  peak RSS so far {peak_rss_mb():6.1f} MB"
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat

    print(f"after imports: peak RSS {peak_rss_mb():.1f} MB")
    page = sixty_row_page()
    feed = demo_feed([NOW + timedelta(days=3 * n, hours=2) for n in range(60)], written_at=NOW)
    capped = capped_page(ScraperConfig().max_page_bytes)
    html, ics = scraper("html", "page.html"), scraper("ics", "feed.ics")
    recorded = scraper("html", str(DATA / "kaagent-wedstrijden-2025-26.html"))

    print(
        f"page {len(page) / 1e3:.0f} kB (60 rows), feed {len(feed) / 1e3:.0f} kB (60 events), "
        f"capped page {len(capped) / 1e6:.1f} MB; {repeat} runs each"
    )
    measure("page", lambda: len(html.judge(NOW, fetched(page)).fixtures), repeat)
    measure("feed", lambda: len(ics.judge(NOW, fetched(feed)).fixtures), repeat)
    measure("capped", lambda: len(html.judge(NOW, fetched(capped)).fixtures), max(3, repeat // 4))
    measure("scrape", lambda: len(recorded.scrape(NOW).fixtures), repeat)
    print(f"process peak RSS {peak_rss_mb():.1f} MB (Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
