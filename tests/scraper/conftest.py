"""Shared helpers of the Scraper's tests: the recorded pages and feeds, the CSV of kick-offs."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from http.server import ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ghela.scraper.config import ScraperConfig
from ghela.scraper.teams import Club

from tests.scraper.site import Site, handler

DATA = Path(__file__).parent / "data"
BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass(frozen=True)
class HomeGame:
    """One row of the CSV: a KAA Gent home league game and its Brussels kick-off (or TBD)."""

    season: str
    day: date
    kickoff: time | None
    opponent: str
    stage: str

    @property
    def kickoff_utc(self) -> datetime | None:
        if self.kickoff is None:
            return None
        return datetime.combine(self.day, self.kickoff, tzinfo=BRUSSELS).astimezone(ZoneInfo("UTC"))


def home_games(season: str) -> list[HomeGame]:
    path = DATA / "kaa_gent_home_league_kickoffs_2024-25_2025-26.csv"
    with path.open(encoding="utf-8") as stream:
        rows = [row for row in csv.DictReader(stream) if row["season"] == season]
    return [
        HomeGame(
            row["season"],
            date.fromisoformat(row["date"]),
            None if row["kickoff_brussels"] == "TBD" else time.fromisoformat(row["kickoff_brussels"]),
            row["opponent"],
            row["stage"],
        )
        for row in rows
    ]


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def config() -> ScraperConfig:
    return ScraperConfig()


@pytest.fixture
def club(config: ScraperConfig) -> Club:
    return Club(config.club_name, config.club_aliases)


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler(served))
    served.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
