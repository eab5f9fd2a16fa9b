"""The Scraper and the Scheduler as real processes under the local Greengrass runtime.

The Scraper reads a fixtures page (a file the test rewrites) and publishes over real IPC;
the Scheduler applies the results to its SQLite database. A test probe asks for scrapes
and reads the Scheduler's events back through ChangesRequest / ChangesResponse.
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
from ghela.core.messages.scrape import ScrapeRequest, ScrapeResult
from ghela.core.messages.snapshots import ChangesRequest, ChangesResponse, EventSnapshot, EventState

from tests.scraper.conftest import BRUSSELS
from tests.scraper.make_data import Match, dutch_date, season_page
from tests.support.runtime import SCHEDULER, SCRAPER, LocalRuntime

pytestmark = pytest.mark.runtime

OPPONENTS = ["Club Brugge KV", "RSC Anderlecht", "KRC Genk", "Standard Liège"]


def home_game(day: date, opponent: str, at: time | None = time(20, 45)) -> Match:
    return Match(day, at, "KAA Gent", opponent, "Jupiler Pro League")


def away_game(day: date, opponent: str) -> Match:
    return Match(day, time(18, 30), opponent, "KAA Gent", "Jupiler Pro League")


class System:
    """The two components, a probe on the bus, and the page the Scraper reads."""

    def __init__(self, runtime: LocalRuntime, page: Path) -> None:
        self.runtime = runtime
        self.page = page
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.bus = runtime.probe(
            publish=[topics.SCRAPE_REQUEST, topics.CHANGES_REQUEST],
            subscribe=[topics.SCRAPE_RESULT, topics.CHANGES],
        )
        self.bus.subscribe(topics.SCRAPE_RESULT, self.inbox.put)
        self.bus.subscribe(topics.CHANGES, self.inbox.put)

    def scrape(self, games: list[Match] | None = None, body: bytes | None = None) -> ScrapeResult:
        """Write the page, ask for a scrape, and wait until the Scheduler has applied it."""
        if games is not None:
            self.page.write_text(season_page(games, "Kalender"), encoding="utf-8")
        elif body is not None:
            self.page.write_bytes(body)
        while not self.inbox.empty():
            self.inbox.get_nowait()
        self.bus.publish(topics.SCRAPE_REQUEST, ScrapeRequest(source="club"))
        result = self._next(ScrapeResult, lambda m: True)
        self.runtime.wait_for_output(SCHEDULER, f"scrape-{result.scrape_id}", timeout=20)
        return result

    def events(self) -> dict[str, EventSnapshot]:
        request = ChangesRequest(since_revision=0, limit=1000)
        self.bus.publish(topics.CHANGES_REQUEST, request)
        response = self._next(ChangesResponse, lambda m: m.request_id == request.request_id)
        return {event.key: event for event in response.events}

    def _next(self, kind: type[Any], wanted: Any) -> Any:
        while True:
            message = self.inbox.get(timeout=20)
            if isinstance(message, kind) and wanted(message):
                return message


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    page = tmp_path / "wedstrijden.html"
    page.write_text(season_page([], "Kalender"), encoding="utf-8")
    overrides: dict[str, dict[str, Any]] = {
        SCRAPER: {
            "sources": [{"name": "club", "kind": "html", "url": str(page)}],
            "intervalMinutes": 1440,
            "jitterSeconds": 0,
        },
        SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")},
    }
    with LocalRuntime(tmp_path, components=[SCHEDULER, SCRAPER], config_overrides=overrides) as runtime:
        runtime.wait_for_output(SCHEDULER, "Scheduler started")
        runtime.wait_for_output(SCRAPER, "scraped club")  # the start-up scrape is done
        yield System(runtime, page)


def local_days(count: int) -> list[date]:
    today = datetime.now(UTC).astimezone(BRUSSELS).date()
    return [today + timedelta(days=7 * (n + 1)) for n in range(count)]


def test_a_rescheduled_game_moves_its_alerts(system: System) -> None:
    first, second = local_days(2)
    games = [
        home_game(first, OPPONENTS[0]),
        away_game(first + timedelta(days=3), "KV Mechelen"),
        home_game(second, OPPONENTS[1], at=None),
    ]
    result = system.scrape(games)
    assert result.healthy and result.complete and len(result.fixtures) == 2
    before = system.events()
    assert len(before) == 2
    brugge_key = next(key for key, event in before.items() if event.away == OPPONENTS[0])
    brugge = before[brugge_key]
    assert brugge.start == datetime.combine(first, time(20, 45), tzinfo=BRUSSELS)
    assert brugge.alerts

    moved = [
        home_game(first + timedelta(days=1), OPPONENTS[0], at=time(18, 0)),
        games[1],
        home_game(second, OPPONENTS[1], at=time(16, 0)),
    ]
    system.scrape(moved)
    after = system.events()
    assert after.keys() == before.keys()  # moved, not cancelled and added again
    shifted = after[brugge_key]
    assert shifted.event_id == brugge.event_id
    assert shifted.state == EventState.UPDATED
    new_start = datetime.combine(first + timedelta(days=1), time(18, 0), tzinfo=BRUSSELS)
    assert shifted.start == new_start
    assert brugge.start is not None
    assert sorted(a.starts_at - new_start for a in shifted.alerts) == sorted(
        a.starts_at - brugge.start for a in brugge.alerts
    )
    fixed = next(event for event in after.values() if event.away == OPPONENTS[1])
    assert fixed.start == datetime.combine(second, time(16, 0), tzinfo=BRUSSELS) and fixed.date is None


def test_an_unhealthy_scrape_cancels_nothing(system: System) -> None:
    days = local_days(4)
    games = [home_game(day, opponent) for day, opponent in zip(days, OPPONENTS, strict=True)]
    assert system.scrape(games).healthy
    assert len(system.events()) == 4

    garbage = system.scrape(body=bytes(range(256)) * 100)
    fewer = system.scrape(games[:1])
    assert not garbage.healthy and garbage.fixtures == []
    assert not fewer.healthy and any("far fewer" in reason for reason in fewer.reasons)
    # Partial: the third game is missing and one row cannot be read (31 February).
    kept = [games[0], games[1], games[3]]
    unreadable = days[3] + timedelta(days=1)
    page = season_page([*kept, home_game(unreadable, "KV Kortrijk")], "Kalender")
    for with_year in (True, False):
        page = page.replace(f">{dutch_date(unreadable, with_year)}<", ">ma 31 feb<")
    partial = system.scrape(body=page.encode())
    assert partial.healthy and not partial.complete and len(partial.fixtures) == 3
    events = system.events()
    assert len(events) == 4
    assert all(event.state != EventState.CANCELLED for event in events.values())

    # Only a complete, healthy scrape may cancel a game it no longer lists inside its window.
    assert system.scrape(kept).complete
    cancelled = [event.away for event in system.events().values() if event.state == EventState.CANCELLED]
    assert cancelled == [OPPONENTS[2]]
