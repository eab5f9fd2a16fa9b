"""Two sources and a person's correction, through the real runtime.

The Scraper (crawling with Scrapy in its child processes) reads the club page and a
calendar feed (files the test rewrites) and publishes over real IPC; the Scheduler merges
them into its SQLite file. A probe sends commands as CloudSync would and reads the events
back (ChangesRequest / ChangesResponse): one source dropping a game keeps its alerts; an
admin's kick-off survives three scrapes; "follow the source" restores the source's.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from ghela.core import topics
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, CommandResult, FollowSource, UpdateEvent
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.core.messages.snapshots import (
    ChangesRequest,
    ChangesResponse,
    EventSnapshot,
    EventState,
    OverrideField,
)
from ghela.core.wiretypes import new_id

from tests.scraper.conftest import BRUSSELS
from tests.scraper.make_data import Match, calendar_feed, season_page
from tests.support.runtime import SCHEDULER, SCRAPER, LocalRuntime

pytestmark = pytest.mark.runtime

SOURCES = ("club", "feed")


class Sources:
    """The two components, the files they read, and a probe on the bus."""

    def __init__(self, runtime: LocalRuntime, page: Path, feed: Path) -> None:
        self.runtime, self.page, self.feed = runtime, page, feed
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.bus = runtime.probe(
            publish=[topics.SCRAPE_REQUEST, topics.CHANGES_REQUEST, topics.COMMAND],
            subscribe=[topics.SCRAPE_RESULT, topics.CHANGES, topics.COMMAND_RESULT],
        )
        for topic in (topics.SCRAPE_RESULT, topics.CHANGES, topics.COMMAND_RESULT):
            self.bus.subscribe(topic, self.inbox.put)

    def scrape(self, club: list[Match], feed: list[Match]) -> dict[str, ScrapeResult]:
        """Write both sources, ask for a scrape, wait until the Scheduler applied both results."""
        self.page.write_text(season_page(club, "Kalender"), encoding="utf-8")
        self.feed.write_bytes(calendar_feed(feed))
        self._drain()
        self.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest())
        results: dict[str, ScrapeResult] = {}
        while len(results) < len(SOURCES):
            result = self._next(ScrapeResult, lambda m: True)
            results[result.source] = result
        for result in results.values():
            self.runtime.wait_for_output(SCHEDULER, f"scrape-{result.scrape_id}", timeout=20)
        return results

    def command(self, command: Any) -> CommandResult:
        request = CommandRequest(command_id=new_id(), origin="cloud", command=command)
        self._drain()
        self.bus.publish(topics.COMMAND, request)
        return self._next(CommandResult, lambda m: m.command_id == request.command_id)

    def events(self) -> dict[str, EventSnapshot]:
        request = ChangesRequest(since_revision=0, limit=1000)
        self.bus.publish(topics.CHANGES_REQUEST, request)
        response = self._next(ChangesResponse, lambda m: m.request_id == request.request_id)
        return {event.away: event for event in response.events}

    def _drain(self) -> None:
        while not self.inbox.empty():
            self.inbox.get_nowait()

    def _next(self, kind: type[Any], wanted: Any) -> Any:
        while True:
            message = self.inbox.get(timeout=30)
            if isinstance(message, kind) and wanted(message):
                return message


@pytest.fixture
def sources(tmp_path: Path) -> Iterator[Sources]:
    page, feed = tmp_path / "wedstrijden.html", tmp_path / "thuis.ics"
    page.write_text(season_page([], "Kalender"), encoding="utf-8")
    feed.write_bytes(calendar_feed([]))
    overrides: dict[str, dict[str, Any]] = {
        SCRAPER: {
            "sources": [
                {"name": "club", "kind": "html", "url": str(page)},
                {"name": "feed", "kind": "ics", "url": str(feed)},
            ],
            "intervalMinutes": 1440,
            "jitterSeconds": 0,
            "httpCachePath": str(tmp_path / "httpcache"),
        },
        SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")},
    }
    with LocalRuntime(tmp_path, components=[SCHEDULER, SCRAPER], config_overrides=overrides) as runtime:
        runtime.wait_for_output(SCHEDULER, "Scheduler started")
        runtime.wait_for_output(SCRAPER, "scraped feed")  # the start-up crawl is done
        yield Sources(runtime, page, feed)


def weeks_ahead(count: int) -> list[date]:
    today = datetime.now(UTC).astimezone(BRUSSELS).date()
    return [today + timedelta(days=7 * (n + 1)) for n in range(count)]


def test_one_source_drops_a_game_and_an_admin_override_sticks(sources: Sources) -> None:
    first, second, third = weeks_ahead(3)
    games = [
        Match(first, time(20, 45), "KAA Gent", "Club Brugge KV", "Jupiler Pro League"),
        Match(second, time(18, 30), "KAA Gent", "KRC Genk", "Jupiler Pro League"),
        Match(third, time(16, 0), "KAA Gent", "KV Mechelen", "Jupiler Pro League"),
    ]
    results = sources.scrape(games, games)
    assert all(r.healthy and r.complete and len(r.fixtures) == 3 for r in results.values())
    planned = sources.events()
    assert sorted(planned) == ["Club Brugge KV", "KRC Genk", "KV Mechelen"]  # one event per game
    assert all(
        event.alerts and [s.source for s in event.sources] == ["club", "feed"] for event in planned.values()
    )

    # The feed drops Genk (a complete, healthy scrape): the club still lists it, so it stays.
    sources.scrape(games, [games[0], games[2]])
    genk = sources.events()["KRC Genk"]
    assert genk.state == EventState.SCHEDULED and genk.alerts
    assert [s.source for s in genk.sources] == ["club"]

    # An admin moves Brugge's kick-off; three scrapes that still say 20:45 keep it.
    brugge = planned["Club Brugge KV"]
    source_kickoff = datetime.combine(first, time(20, 45), tzinfo=BRUSSELS)
    fixed = source_kickoff - timedelta(hours=2)
    changed = sources.command(UpdateEvent(event_id=brugge.event_id, start=fixed, by="admin@office"))
    assert changed.ok, changed.message
    for _ in range(3):
        sources.scrape(games, [games[0], games[2]])
        kept = sources.events()["Club Brugge KV"]
        assert kept.start == fixed
    [override] = kept.overrides
    assert (override.field, override.by) == (OverrideField.START, "admin@office")
    assert override.source_value == source_kickoff.astimezone(UTC).isoformat()
    assert sorted(a.starts_at for a in kept.alerts) == [
        fixed - timedelta(hours=6),
        fixed - timedelta(hours=4),
    ]

    # Follow the source: the source's kick-off and its alerts come back.
    followed = sources.command(FollowSource(event_id=brugge.event_id, by="admin@office"))
    assert followed.ok, followed.message
    restored = sources.events()["Club Brugge KV"]
    assert restored.start == source_kickoff and restored.overrides == []
    assert sorted(a.starts_at for a in restored.alerts) == [
        source_kickoff - timedelta(hours=6),
        source_kickoff - timedelta(hours=4),
    ]
