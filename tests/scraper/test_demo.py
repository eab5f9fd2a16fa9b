"""The demo feed round-trips through the ICS parser with the right kick-offs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from ghela.core.errors import InvalidInput
from ghela.scraper.config import ScraperConfig, SourceConfig
from ghela.scraper.demo import write_demo_feed
from ghela.scraper.scrape import SourceScraper

from tests.scraper.pages import fetched


def test_demo_feed_round_trips(tmp_path: Path) -> None:
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night clocks go forward in Brussels
    kickoffs = [now + timedelta(hours=3, minutes=5), now + timedelta(minutes=20), now + timedelta(days=2)]
    path = write_demo_feed(tmp_path / "demo" / "home.ics", kickoffs, written_at=now)
    source = SourceConfig(name="demo", kind="ics", url=str(path))
    config = ScraperConfig(sources=[source])
    result = SourceScraper(source, config).scrape(now, fetched(source, config, path.read_bytes(), now))
    assert result.healthy and result.complete
    assert [f.kickoff for f in result.fixtures] == sorted(kickoffs)
    assert all(f.home == "KAA Gent" and f.competition == "Demo" for f in result.fixtures)
    assert len({f.key for f in result.fixtures}) == 3
    assert not list(path.parent.glob("*.tmp"))


def test_undecided_games_are_date_only(tmp_path: Path) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    kickoff = now + timedelta(days=1)
    path = write_demo_feed(tmp_path / "home.ics", [kickoff], written_at=now, undecided=[date(2026, 12, 17)])
    source = SourceConfig(name="demo", kind="ics", url=str(path))
    config = ScraperConfig(sources=[source])
    result = SourceScraper(source, config).scrape(now, fetched(source, config, path.read_bytes(), now))
    assert result.healthy and result.complete
    assert [(f.kickoff, f.date) for f in result.fixtures] == [(kickoff, None), (None, date(2026, 12, 17))]


def test_naive_kickoffs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="kickoff"):
        write_demo_feed(tmp_path / "home.ics", [datetime(2026, 3, 29, 20, 0)])
