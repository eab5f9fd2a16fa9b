"""Scraper benchmark: the component's resident memory between crawls and the peak during one.

Run: ``.venv/bin/python bench/scraper.py [--crawls N]``. Prints figures; asserts nothing.

It starts the Scraper as the nucleus would run it (a process that has imported everything
``python -m ghela.scraper`` imports, the IPC client included) on an in-memory bus, with two
sources: the recorded 2025/26 club page served over HTTP from 127.0.0.1 (robots.txt, HTTP
cache and all) and the recorded home-games feed from a file. It asks for ``N`` scrapes and
reads, after each, the component's resident set (``VmRSS``, between crawls) and at the end
its high-water mark (``VmHWM``) and the largest crawl child's (``ru_maxrss`` of children).

Before issue 17 the component fetched in-process and held Scrapy, Twisted, lxml and
icalendar: 111.8 MB peak RSS. The target is at most 40 MiB between crawls.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "scraper" / "data"
BEFORE_MB = 111.8
TARGET_MIB = 40.0


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


class Page(BaseHTTPRequestHandler):
    body = (DATA / "kaagent-wedstrijden-2025-26.html").read_bytes()

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return


def component(crawls: int, url: str, work: Path) -> None:
    """The measured process: the Scraper's imports, its service, ``crawls`` scrapes."""
    import ghela.core.component
    import ghela.core.ipc  # noqa: F401  (with the line above: what `python -m ghela.scraper` holds)
    from ghela.core import topics
    from ghela.core.bus import InMemoryBus
    from ghela.core.clock import SystemClock
    from ghela.core.messages.scrape import ScrapeRequest
    from ghela.scraper.config import ScraperConfig, SourceConfig
    from ghela.scraper.crawler import ChildCrawl
    from ghela.scraper.service import ScraperService

    sources = [
        SourceConfig(name="club", kind="html", url=url),
        SourceConfig(name="feed", kind="ics", url=str(DATA / "kaagent-thuis-2024-25.ics")),
    ]
    config = ScraperConfig(
        sources=sources,
        backoff_seconds=0,
        state_path=str(work / "state.json"),
        http_cache_path=str(work / "cache"),
        interval_minutes=24 * 60,
    )
    bus = InMemoryBus()
    done = threading.Semaphore(0)
    bus.subscribe(topics.SCRAPE_RESULT, lambda message: done.release())
    print(f"component before the first crawl: {status_kib('VmRSS') / 1024:6.1f} MiB RSS")
    service = ScraperService(bus, config, SystemClock(), ChildCrawl(config)).start()
    for number in range(1, crawls + 1):
        for _ in sources:
            done.acquire(timeout=120)
        rss = status_kib("VmRSS") / 1024
        print(f"component after crawl {number}:         {rss:6.1f} MiB RSS (between crawls)")
        if number < crawls:
            bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest())
    service.stop()
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"component peak (VmHWM):            {status_kib('VmHWM') / 1024:6.1f} MiB")
    print(f"crawl child peak (ru_maxrss):      {child_peak:6.1f} MiB, only while a crawl runs")
    print(f"before issue 17: {BEFORE_MB} MB peak in the component", end="; ")
    print(f"target: <= {TARGET_MIB:.0f} MiB between crawls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawls", type=int, default=3)
    parser.add_argument("--inner", nargs=2, metavar=("URL", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        component(args.crawls, args.inner[0], Path(args.inner[1]))
        return
    import tempfile

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/nl/wedstrijden"
    with tempfile.TemporaryDirectory() as work:
        command = [sys.executable, __file__, "--crawls", str(args.crawls), "--inner", url, work]
        subprocess.run(command, check=True)
    httpd.shutdown()


if __name__ == "__main__":
    main()
