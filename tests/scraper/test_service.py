"""The component on an in-memory bus with a frozen clock: a scrape at start-up, then every
interval with jitter, at once on request, one result and one activity per source, a prompt stop."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.counted import Activity, ActivityKind
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.pages import Fetched
from ghela.scraper.service import ScraperService

from tests.scraper.conftest import DATA
from tests.scraper.pages import FileCrawl
from tests.support.waiting import wait_for


def config(*sources: SourceConfig, **settings: object) -> ScraperConfig:
    return ScraperConfig(sources=list(sources), jitter_seconds=60, **settings)


PAGE = SourceConfig(name="page", kind="html", url=str(DATA / "kaagent-wedstrijden-2025-26.html"))
FEED = SourceConfig(name="feed", kind="ics", url=str(DATA / "kaagent-thuis-2024-25.ics"))




class Running:
    def __init__(self, bus: InMemoryBus, service: ScraperService) -> None:
        self.bus = bus
        self.service = service

    def results(self) -> list[ScrapeResult]:
        return [m for t, m in self.bus.published if t == topics.SCRAPE_RESULT and isinstance(m, ScrapeResult)]

    def activities(self) -> list[Activity]:
        return [m for t, m in self.bus.published if t == topics.ACTIVITY and isinstance(m, Activity)]


@pytest.fixture
def run(clock: FrozenClock, tmp_path: Path) -> Iterator[Callable[[ScraperConfig], Running]]:
    started: list[ScraperService] = []

    def start(settings: ScraperConfig) -> Running:
        settings = settings.model_copy(update={"state_path": str(tmp_path / "scraper-state.json")})
        bus = InMemoryBus()
        service = ScraperService(bus, settings, clock, FileCrawl(settings), rng=random.Random(7)).start()
        started.append(service)
        return Running(bus, service)

    yield start
    for service in started:
        service.stop()


def test_scrapes_every_source_at_start_up(run: Callable[[ScraperConfig], Running]) -> None:
    running = run(config(PAGE, FEED, SourceConfig(name="off", kind="ics", url="/nope.ics", enabled=False)))
    wait_for(lambda: len(running.activities()) == 2)
    results = running.results()
    assert [r.source for r in results] == ["page", "feed"]
    assert [len(r.fixtures) for r in results] == [15, 21]
    assert all(r.healthy and r.complete for r in results)
    assert [a.kind for a in running.activities()] == [ActivityKind.SCRAPE_OK] * 2
    assert running.activities()[0].component == "Scraper"


def test_then_every_interval_with_jitter(run: Callable[[ScraperConfig], Running], clock: FrozenClock) -> None:
    running = run(config(PAGE, interval_minutes=60))
    wait_for(lambda: len(running.results()) == 1)
    due = running.service.next_scrape_at
    assert due is not None
    assert timedelta(minutes=60) <= due - clock.now() <= timedelta(minutes=61)
    clock.advance(minutes=59)
    time.sleep(0.05)
    assert len(running.results()) == 1
    clock.set(due)
    wait_for(lambda: len(running.results()) == 2)


def test_a_request_wakes_it_at_once(run: Callable[[ScraperConfig], Running]) -> None:
    running = run(config(PAGE, FEED))
    wait_for(lambda: len(running.results()) == 2)
    running.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest(source="feed"))
    wait_for(lambda: len(running.results()) == 3)
    assert running.results()[-1].source == "feed"
    running.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest())
    wait_for(lambda: len(running.results()) == 5)
    running.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest(source="unknown"))
    running.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest(source="page"))
    wait_for(lambda: len(running.results()) == 6)
    assert running.results()[-1].source == "page"


def test_a_failing_source_is_published_unhealthy_and_counted(
    run: Callable[[ScraperConfig], Running], tmp_path: Path
) -> None:
    garbage = tmp_path / "broken.ics"
    garbage.write_bytes(bytes(range(256)) * 40)
    running = run(config(SourceConfig(name="broken", kind="ics", url=str(garbage)), PAGE))
    wait_for(lambda: len(running.activities()) == 2)
    broken, page = running.results()
    assert not broken.healthy and broken.fixtures == [] and broken.reasons
    assert page.healthy
    kinds = [a.kind for a in running.activities()]
    assert kinds == [ActivityKind.SCRAPE_FAILED, ActivityKind.SCRAPE_OK]
    assert "broken" in running.activities()[0].detail


def test_stop_is_prompt_even_while_a_crawl_is_slow(clock: FrozenClock, tmp_path: Path) -> None:
    crawling = threading.Event()

    def slow(sources: object, now: object, stopping: threading.Event) -> dict[str, Fetched]:
        crawling.set()
        stopping.wait()  # as the child crawl does: killed at the stop, nothing reported
        return {}

    settings = ScraperConfig(
        sources=[SourceConfig(name="site", kind="html", url="https://www.kaagent.be/nl/wedstrijden")],
        state_path=str(tmp_path / "scraper-state.json"),
    )
    bus = InMemoryBus()
    service = ScraperService(bus, settings, clock, slow).start()
    assert crawling.wait(5)
    stopper = threading.Thread(target=service.stop)
    stopper.start()
    stopper.join(timeout=5)
    assert not stopper.is_alive()
    assert [t for t, _ in bus.published] == []  # a scrape cut short by a stop is not published


def test_one_crawl_per_scrape_for_all_sources_due(clock: FrozenClock, tmp_path: Path) -> None:
    settings = config(PAGE, FEED).model_copy(update={"state_path": str(tmp_path / "state.json")})
    crawl = FileCrawl(settings)
    bus = InMemoryBus()
    service = ScraperService(bus, settings, clock, crawl, rng=random.Random(7)).start()
    try:
        wait_for(lambda: len([t for t, _ in bus.published if t == topics.SCRAPE_RESULT]) == 2)
        assert crawl.calls == [["page", "feed"]]
    finally:
        service.stop()


def test_an_internal_error_costs_one_unhealthy_result(
    run: Callable[[ScraperConfig], Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr("ghela.scraper.scrape.verdict", broken)
    running = run(config(PAGE))
    wait_for(lambda: len(running.activities()) == 1)
    (result,) = running.results()
    assert not result.healthy and result.reasons == ["internal error while scraping: RuntimeError('a bug')"]
    assert running.activities()[0].kind == ActivityKind.SCRAPE_FAILED
