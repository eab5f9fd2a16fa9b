"""``ghela scrape``: a readable report, JSON, one-line errors and exit codes."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from ghela.cli import main
from ghela.core.messages.scrape import ScrapeResult
from ghela.scraper.cli import guess_kind

from tests.scraper.conftest import DATA
from tests.scraper.make_data import Match, calendar_feed, season_page


def test_a_page_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scrape", str(DATA / "kaagent-wedstrijden-2025-26.html")]) == 0
    out = capsys.readouterr().out
    assert "healthy, complete (file; 30 of 30 rows read; dates 2025-07-27 .. 2026-03-21)" in out
    assert "home fixtures: 15" in out
    assert "za 2025-08-02 20:45         KAA Gent  RAAL La Louviére" in out
    assert "za 2026-01-17 time TBD" in out
    assert "Sint-Truidense VV" in out and "zo 2025-07-27" not in out  # the away game is not listed


def test_a_feed_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scrape", str(DATA / "kaagent-thuis-2024-25.ics"), "--json"]) == 0
    result = ScrapeResult.model_validate(json.loads(capsys.readouterr().out))
    assert result.healthy and len(result.fixtures) == 21
    assert (
        result.fixtures[0].kickoff is not None
        and result.fixtures[0].kickoff.isoformat() == "2024-08-04T17:15:00+00:00"
    )


def test_an_unhealthy_source_shows_its_reasons_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "maintenance.html"
    page.write_text("<html><body>Onderhoud</body></html>")
    assert main(["scrape", str(page)]) == 1
    out = capsys.readouterr().out
    assert "UNHEALTHY, partial" in out and "- no fixture rows found" in out


def test_a_source_that_cannot_be_read_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scrape", "/nonexistent/wedstrijden.html", "--kind", "html"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ghela: error: cannot read /nonexistent/wedstrijden.html")


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("https://fixtures.example/team/gent-home.ics?key=1", "ics"),
        ("https://calendar.example/ical/gent", "ics"),
        ("/tmp/page.html", "html"),
        ("https://www.kaagent.be/nl/wedstrijden", "html"),
    ],
)
def test_kind_is_guessed_from_the_name(location: str, kind: str) -> None:
    assert guess_kind(location) == kind


def test_selectors_from_a_configuration_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "table.html"
    page.write_text(
        "<table><tr class='g'><td>KAA Gent</td><td>Club Brugge</td><td>zo 24 nov 2024 20u45</td></tr>"
        "<tr class='g'><td>KV Kortrijk</td><td>Gent</td><td>za 30 nov 2024 18.30</td></tr></table>"
    )
    settings = tmp_path / "scraper.yaml"
    settings.write_text(
        "sources:\n"
        "- name: table\n"
        "  kind: html\n"
        f"  url: {page}\n"
        "  defaultCompetition: JPL\n"
        "  selectors:\n"
        "    row: \"//tr[@class='g']\"\n"
        "    home: td[1]\n"
        "    away: td[2]\n"
        "    datetime: td[3]\n"
        "    date: null\n"
    )
    assert main(["scrape", "table", "--config", str(settings), "--json"]) == 0
    result = ScrapeResult.model_validate(json.loads(capsys.readouterr().out))
    assert [(f.away, f.competition) for f in result.fixtures] == [("Club Brugge", "JPL")]
    copy = tmp_path / "copy.html"
    copy.write_bytes(page.read_bytes())
    assert main(["scrape", str(copy), "--config", str(settings)]) == 0  # a file read like "table"
    assert "zo 2024-11-24 20:45" in capsys.readouterr().out


def test_a_bad_configuration_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "scraper.yaml"
    settings.write_text("sources:\n- name: x\n  kind: pdf\n  url: /tmp/x\n")
    assert main(["scrape", "x", "--config", str(settings)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sources.0.kind" in err
    settings.write_text("sources: {row: [td[1]}\n")
    assert main(["scrape", "x", "--config", str(settings)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read configuration" in err
    settings.write_text("sources:\n- name: x\n  kind: ics\n  url: webcal://calendar.example/gent.ics\n")
    assert main(["scrape", "x", "--config", str(settings)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sources.0.url" in err and "webcal://" in err


@pytest.mark.parametrize("location", ["ftp://fixtures.example/gent.html", "webcal://calendar.example/gent.ics"])
def test_a_url_that_cannot_be_fetched_is_named_not_read_as_a_path(
    location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scrape", location]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"ghela: error: SOURCE {location!r}: ")


def test_an_address_whose_name_does_not_resolve_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """Offline (or a typo): the real cause, not "robots.txt does not allow"."""
    assert main(["scrape", "https://www.kaagent.invalid/nl/wedstrijden"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("ghela: error: the name www.kaagent.invalid does not resolve (DNS lookup failed)")


def test_compare_shows_the_sources_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    games = [
        Match(date(2025, 11, 23), time(18, 30), "KAA Gent", "Club Brugge KV", "JPL"),
        Match(date(2025, 11, 30), time(20, 45), "KAA Gent", "KRC Genk", "JPL"),
        Match(date(2025, 12, 7), time(16, 0), "KAA Gent", "KV Mechelen", "JPL"),
    ]
    page, feed = tmp_path / "club.html", tmp_path / "feed.ics"
    page.write_text(season_page(games, "Kalender"), encoding="utf-8")
    late = [games[0], Match(date(2025, 11, 29), time(20, 45), "KAA Gent", "Genk", "JPL")]  # a day early
    feed.write_bytes(calendar_feed(late))
    settings = tmp_path / "scraper.yaml"
    settings.write_text(
        f"sources:\n- name: club\n  kind: html\n  url: {page}\n- name: feed\n  kind: ics\n  url: {feed}\n"
    )
    assert main(["scrape", "--compare", "--config", str(settings)]) == 1  # they disagree
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["game", "club", "feed"]
    brugge, genk, mechelen = lines[1:4]
    assert "zo 2025-11-23 18:30" in brugge and brugge.count("18:30") == 2 and "DISAGREE" not in brugge
    assert "zo 2025-11-30 20:45" in genk and "za 2025-11-29 20:45" in genk and genk.endswith("DISAGREE")
    assert "– not listed" in mechelen and mechelen.endswith("missing in some")
    assert "club: healthy, complete, 3 home fixtures" in lines
    assert "feed: healthy, complete, 2 home fixtures" in lines
