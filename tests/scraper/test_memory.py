"""What the Scraper remembers survives a restart: the last healthy result (re-published on a
304, the baseline of "far fewer than last time") and the streak of scrapes agreeing on a
smaller list; files of releases that also kept the ETag still load; a damaged file is
moved aside and the Scraper starts fresh; the file is replaced atomically; removed sources
are forgotten."""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.counted import ActivityKind
from ghela.core.messages.scrape import ScrapeRequest
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.crawler import Crawl
from ghela.scraper.memory import MemoryStore, Remembered
from ghela.scraper.scrape import SourceScraper
from ghela.scraper.service import ScraperService

from tests.scraper.pages import NOT_MODIFIED, FileCrawl, ScriptedCrawl, fetched
from tests.scraper.test_scrape import PAGE, URL, without_home_games
from tests.scraper.test_service import FEED, Running, wait_for
from tests.scraper.test_service import PAGE as PAGE_FILE

CLUB = SourceConfig(name="club", kind="html", url=URL)
MEMORY_LOG = "ghela.scraper.memory"

Start = Callable[[Crawl, list[SourceConfig]], Running]
FILES = FileCrawl(ScraperConfig())


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "work" / "scraper-state.json"


@pytest.fixture
def start(clock: FrozenClock, state: Path) -> Iterator[Start]:
    """Starts a service crawling with ``crawl`` and scraping ``sources`` (memory at ``state``) and
    returns once its start-up scrape is published; every service is stopped at the end."""
    started: list[ScraperService] = []

    def started_service(crawl: Crawl, sources: list[SourceConfig]) -> Running:
        settings = ScraperConfig(sources=sources, jitter_seconds=0, state_path=str(state))
        bus = InMemoryBus()
        service = ScraperService(bus, settings, clock, crawl, rng=random.Random(7)).start()
        started.append(service)
        running = Running(bus, service)
        wait_for(lambda: len(running.results()) == sum(source.enabled for source in sources))
        return running

    yield started_service
    for service in started:
        service.stop()


def first_life(start: Start, clock: FrozenClock) -> None:
    """A healthy scrape of the club page (15 home games), then the Pi reboots."""
    running = start(ScriptedCrawl(PAGE), [CLUB])
    (result,) = running.results()
    assert result.healthy and len(result.fixtures) == 15
    running.service.stop()
    clock.advance(hours=3)


def scrape_again(running: Running) -> None:
    count = len(running.results())
    running.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest())
    wait_for(lambda: len(running.results()) == count + 1)


def test_after_a_restart_far_fewer_than_last_time_is_unhealthy(start: Start, clock: FrozenClock) -> None:
    first_life(start, clock)
    (result,) = start(ScriptedCrawl(without_home_games(2)), [CLUB]).results()
    assert not result.healthy and not result.complete and len(result.fixtures) == 2
    assert "far fewer home fixtures than last time: 2 now, 15 before" in result.reasons


def test_after_a_restart_a_304_republishes_the_remembered_result(
    start: Start, clock: FrozenClock, state: Path
) -> None:
    first_life(start, clock)
    remembered = MemoryStore(state).load()["club"].last_good
    crawl = ScriptedCrawl(NOT_MODIFIED)
    running = start(crawl, [CLUB])
    (result,) = running.results()
    assert result.healthy and result.complete and result.http_status == 304
    assert result.fixtures == remembered.fixtures and len(result.fixtures) == 15
    assert result.scrape_id != remembered.scrape_id and result.scraped_at == clock.now()
    since = remembered.scraped_at.isoformat()
    assert f"not modified since the scrape at {since} (HTTP 304); its fixtures are repeated" in result.reasons

    # Neither an unhealthy scrape nor a 304 changes what is remembered (nor rewrites the file).
    written = state.stat().st_mtime_ns, state.read_bytes()
    crawl.pages = [b"<html></html>", NOT_MODIFIED]
    scrape_again(running)
    scrape_again(running)
    assert [r.healthy for r in running.results()] == [True, False, True]
    assert (state.stat().st_mtime_ns, state.read_bytes()) == written


def test_a_source_at_a_new_address_starts_without_a_last_time(start: Start, clock: FrozenClock) -> None:
    first_life(start, clock)
    moved = CLUB.model_copy(update={"url": "https://www.kaagent.be/en/matches"})
    (result,) = start(ScriptedCrawl(without_home_games(2)), [moved]).results()
    assert result.healthy and len(result.fixtures) == 2


def edit(change: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    """A damage that changes the saved document (still valid JSON)."""

    def damage(text: str) -> str:
        document = json.loads(text)
        change(document)
        return json.dumps(document)

    return damage


def last_good(field: str, value: object) -> Callable[[str], str]:
    return edit(lambda document: document["sources"]["club"]["last_good"].__setitem__(field, value))


def streak(keys: list[str], count: int) -> Callable[[str], str]:
    stored = {"keys": keys, "count": count}
    return edit(lambda document: document["sources"]["club"].update(shrink_streak=stored))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda text: text[: len(text) // 2], "Invalid JSON: EOF while parsing"),
        (lambda text: "", "Invalid JSON"),
        (lambda text: "[1, 2, 3]", "file: Input should be an object"),
        (lambda text: '{"version": 1, "sources": []}', "sources: Input should be an object"),
        (edit(lambda document: document.update(version=2)), "version: Input should be 1"),
        (last_good("healthy", False), "the remembered result of 'club' is not healthy"),
        (last_good("scraped_at", "2025-11-20T09:00"), "last_good.scraped_at: Input should have timezone"),
        (last_good("source", "elsewhere"), "memory of 'club' holds a result of 'elsewhere'"),
        (last_good("fixtures", [{"key": "x"}]), "sources.club.last_good.fixtures.0"),
        (streak(["a", "a"], 1), "the keys of a streak must be distinct"),
        (streak(["a"], 0), "sources.club.shrink_streak.count: Input should be greater than or equal to 1"),
        (streak([], 1), "sources.club.shrink_streak.keys: List should have at least 1 item"),
    ],
    ids=[
        "truncated",
        "empty",
        "list",
        "wrong-shape",
        "version",
        "unhealthy",
        "naive",
        "other",
        "fixture",
        "streak-keys",
        "streak-count",
        "streak-empty",
    ],
)
def test_a_damaged_file_is_moved_aside_and_the_scraper_starts_fresh(
    start: Start,
    clock: FrozenClock,
    state: Path,
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[str], str],
    reason: str,
) -> None:
    first_life(start, clock)
    damaged = damage(state.read_text(encoding="utf-8"))
    state.write_text(damaged, encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger=MEMORY_LOG):
        (result,) = start(ScriptedCrawl(without_home_games(2)), [CLUB]).results()
    assert result.healthy and len(result.fixtures) == 2  # fresh: no "last time" to fall short of
    (record,) = [r for r in caplog.records if r.name == MEMORY_LOG]
    message = record.getMessage()
    aside = state.with_name("scraper-state.json.corrupt")
    assert message.startswith(f"scraper memory {state} is not valid scraper memory: ")
    assert reason in message and f"moved aside to {aside}; starting fresh" in message
    assert aside.read_text(encoding="utf-8") == damaged
    assert len(MemoryStore(state).load()["club"].last_good.fixtures) == 2  # and saved afresh


def test_memory_that_cannot_be_read_or_written_costs_only_the_memory(
    start: Start, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "work"
    blocker.write_text("a file where the work folder should be", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger=MEMORY_LOG):
        running = start(FILES, [PAGE_FILE])
        scrape_again(running)
    assert [result.healthy for result in running.results()] == [True, True]
    messages = [r.getMessage() for r in caplog.records if r.name == MEMORY_LOG]
    assert "cannot be read" in messages[0] and "could not be moved aside" in messages[0]
    assert len(messages) == 3 and all("cannot save scraper memory" in m for m in messages[1:])
    assert blocker.read_text(encoding="utf-8") == "a file where the work folder should be"


def remembered_page(clock: FrozenClock) -> dict[str, Remembered]:
    """What a scraper of the recorded page remembers after one scrape."""
    config = ScraperConfig(sources=[PAGE_FILE])
    scraper = SourceScraper(PAGE_FILE, config)
    page = fetched(PAGE_FILE, config, Path(PAGE_FILE.url).read_bytes(), clock.now())
    assert scraper.scrape(clock.now(), page).healthy and scraper.memory is not None
    return {PAGE_FILE.name: scraper.memory}


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_a_failed_write_leaves_the_previous_file_and_no_partial_one(
    failing: str,
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore(tmp_path / "scraper-state.json")
    memory = remembered_page(clock)
    assert store.save(memory)
    before = store.path.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["scraper-state.json"]

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        if failing == "write":  # the disk fills up halfway through the document
            real_fdopen = os.fdopen

            def half_writing(descriptor: int, *args: Any, **kwargs: Any) -> Any:
                stream = real_fdopen(descriptor, *args, **kwargs)

                def write(text: str) -> None:
                    real_write(text[: len(text) // 2])
                    stream.flush()
                    disk_full()

                real_write = stream.write
                stream.write = write
                return stream

            patch.setattr(os, "fdopen", half_writing)
        else:
            patch.setattr(os, failing, disk_full)
        assert not store.save({})
    assert store.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["scraper-state.json"]
    assert f"cannot save scraper memory to {store.path} (the previous file is kept)" in caplog.text
    assert "No space left on device" in caplog.text
    assert store.load() == memory


def test_a_save_replaces_the_whole_file(clock: FrozenClock, tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "deeper" / "scraper-state.json")
    memory = remembered_page(clock)
    assert store.save(memory) and store.load() == memory
    assert store.save({}) and store.load() == {}
    assert [p.name for p in store.path.parent.iterdir()] == ["scraper-state.json"]


def test_removed_sources_are_forgotten_and_disabled_ones_kept(
    start: Start, state: Path, clock: FrozenClock
) -> None:
    def remembered_after_a_life(*sources: SourceConfig) -> list[str]:
        start(FILES, list(sources)).service.stop()
        clock.advance(hours=1)
        return sorted(json.loads(state.read_text(encoding="utf-8"))["sources"])

    assert remembered_after_a_life(PAGE_FILE, FEED) == ["feed", "page"]
    assert remembered_after_a_life(PAGE_FILE, FEED.model_copy(update={"enabled": False})) == ["feed", "page"]
    assert remembered_after_a_life(PAGE_FILE) == ["page"]
    assert [p.name for p in state.parent.iterdir()] == ["scraper-state.json"]


def test_a_missing_file_is_a_fresh_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=MEMORY_LOG):
        assert MemoryStore(tmp_path / "nowhere" / "scraper-state.json").load() == {}
    assert "no scraper memory at" in caplog.text and "starting fresh" in caplog.text
    assert not (tmp_path / "nowhere").exists()


def test_the_file_keeps_the_result(start: Start, clock: FrozenClock, state: Path) -> None:
    first_life(start, clock)
    saved = MemoryStore(state).load()["club"]
    assert (saved.url, saved.kind) == (URL, "html")
    assert saved.last_good.healthy and len(saved.last_good.fixtures) == 15
    assert ScraperConfig().state_path == "scraper-state.json"  # relative: the work folder


def test_a_streak_interrupted_by_restarts_continues(start: Start, clock: FrozenClock, state: Path) -> None:
    """A new season lists 3 home games; the Pi reboots after each of the first two scrapes."""
    first_life(start, clock)
    new_season = without_home_games(3)
    for count in (1, 2):
        running = start(ScriptedCrawl(new_season), [CLUB])
        (result,) = running.results()
        assert not result.healthy and f"in {count} of the 3 consecutive scrapes" in result.reasons[-1]
        saved = json.loads(state.read_text(encoding="utf-8"))["sources"]["club"]
        assert saved["shrink_streak"]["count"] == count and len(saved["shrink_streak"]["keys"]) == 3
        assert len(saved["last_good"]["fixtures"]) == 15
        running.service.stop()
        clock.advance(hours=1)

    running = start(ScriptedCrawl(new_season), [CLUB])
    (result,) = running.results()
    assert result.healthy and result.complete and len(result.fixtures) == 3
    assert result.reasons[0].startswith("smaller fixture list accepted after 3 agreeing scrapes")
    assert running.activities()[0].kind == ActivityKind.SCRAPE_OK
    saved = json.loads(state.read_text(encoding="utf-8"))["sources"]["club"]
    assert "shrink_streak" not in saved
    assert MemoryStore(state).load()["club"].last_good == result

    scrape_again(running)  # the new baseline: the same page is simply healthy
    assert running.results()[-1].healthy and running.results()[-1].reasons == []


def test_a_file_without_a_streak_still_loads(start: Start, clock: FrozenClock, state: Path) -> None:
    """A file with no streak (as every release before streaks wrote it) is valid memory."""
    first_life(start, clock)
    document = json.loads(state.read_text(encoding="utf-8"))
    assert set(document["sources"]["club"]) == {"url", "kind", "last_good"}
    assert MemoryStore(state).load()["club"].shrink_streak is None


def test_a_file_of_a_release_that_kept_the_etag_still_loads(
    start: Start, clock: FrozenClock, state: Path
) -> None:
    """Earlier releases kept ETag / Last-Modified here; Scrapy's HTTP cache keeps them now."""
    first_life(start, clock)
    document = json.loads(state.read_text(encoding="utf-8"))
    document["sources"]["club"] |= {"etag": '"v1"', "last_modified": "Mon, 17 Nov 2025 08:00:00 GMT"}
    state.write_text(json.dumps(document), encoding="utf-8")
    loaded = MemoryStore(state).load()["club"]
    assert len(loaded.last_good.fixtures) == 15 and state.exists()
    assert "etag" not in loaded.model_dump()


def test_the_constructor_only_assembles_the_state_file_is_read_at_start(
    clock: FrozenClock, state: Path
) -> None:
    state.parent.mkdir(parents=True)
    state.write_text("{not json", encoding="utf-8")
    bus = InMemoryBus()
    settings = ScraperConfig(sources=[CLUB], jitter_seconds=0, state_path=str(state))
    service = ScraperService(bus, settings, clock, ScriptedCrawl(PAGE), rng=random.Random(7))
    bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest())  # nobody listens yet
    assert state.read_text(encoding="utf-8") == "{not json"  # untouched: not read, not moved aside
    assert [topic for topic, _ in bus.published] == [topics.SCRAPE_REQUEST]  # no scrape ran
    service.stop()  # a service never started stops quietly
    assert state.exists() and not state.with_name("scraper-state.json.corrupt").exists()
