"""When a smaller fixture list is believed, with plain values: the streak of scrapes that are
unhealthy only for finding far fewer fixtures, the verdict that accepts the N-th, and the
``baselineAgreeScrapes`` setting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from ghela.core.messages.scrape import Fixture
from ghela.scraper.baseline import Streak, extend
from ghela.scraper.config import ScraperConfig
from ghela.scraper.games import Game, ParseOutcome
from ghela.scraper.health import FetchFacts, Verdict, verdict
from pydantic import ValidationError

NOW = datetime(2026, 7, 20, 9, 0, tzinfo=UTC)
URL = "https://www.kaagent.be/nl/wedstrijden"
ACCEPTED = "smaller fixture list accepted after 3 agreeing scrapes: 3 home fixtures now, 15 before"
FEWER = "far fewer home fixtures than last time: 3 now, 15 before"
OK = FetchFacts(URL, 200)


def games(*days: int) -> list[Game]:
    return [Game("KAA Gent", f"Team {day}", "Jupiler Pro League", date(2026, 8, day)) for day in days]


def fixtures(*days: int) -> list[Fixture]:
    return [
        Fixture(
            key=f"jpl:kaa gent:team {day}:2026-27",
            home="KAA Gent",
            away=f"Team {day}",
            competition="Jupiler Pro League",
            date=date(2026, 8, day),
        )
        for day in days
    ]


def keys(*days: int) -> frozenset[str]:
    return frozenset(fixture.key for fixture in fixtures(*days))


def judge(
    days: tuple[int, ...],
    streak: Streak | None,
    *,
    needed: int = 3,
    fetch: FetchFacts = OK,
    unread_rows: int = 0,
) -> Verdict:
    """The verdict of a scrape finding home games on ``days`` after a healthy one of 15."""
    outcome = ParseOutcome(rows_found=len(days) + unread_rows, games=games(*days))
    for row in range(unread_rows):
        outcome.fail_row(len(days) + row, "no date")
    return verdict(
        "club",
        NOW,
        fetch,
        outcome,
        fixtures(*days),
        previous_count=15,
        min_ratio=0.5,
        agree_scrapes=needed,
        streak=streak,
    )


def test_a_streak_grows_with_the_same_keys_and_restarts_with_others() -> None:
    first = extend(None, ["a", "b"])
    assert first == Streak(frozenset({"a", "b"}), 1)
    assert extend(first, ["b", "a"]) == Streak(frozenset({"a", "b"}), 2)
    assert extend(extend(first, ["a", "b"]), ["a"]) == Streak(frozenset({"a"}), 1)
    assert extend(first, ["a", "b", "c"]) == Streak(frozenset({"a", "b", "c"}), 1)


def test_the_third_agreeing_smaller_list_is_healthy_and_complete() -> None:
    first = judge((1, 2, 3), None)
    assert not first.result.healthy and not first.result.complete
    assert first.result.reasons == [
        FEWER,
        "the same smaller fixture list in 1 of the 3 consecutive scrapes needed to accept it as the "
        "new baseline",
    ]
    assert first.streak == Streak(keys(1, 2, 3), 1)

    second = judge((1, 2, 3), first.streak)
    assert not second.result.healthy and second.streak == Streak(keys(1, 2, 3), 2)
    assert "in 2 of the 3 consecutive scrapes" in second.result.reasons[1]

    third = judge((1, 2, 3), second.streak)
    assert third.result.healthy and third.result.complete and third.streak is None
    assert third.result.reasons == [f"{ACCEPTED}; it is the new baseline"]
    assert third.result.fixtures == fixtures(1, 2, 3)


def test_other_keys_start_counting_again() -> None:
    two = judge((1, 2, 3), judge((1, 2, 3), None).streak).streak
    assert two == Streak(keys(1, 2, 3), 2)
    moved = judge((1, 2, 4), two)
    assert not moved.result.healthy and moved.streak == Streak(keys(1, 2, 4), 1)
    assert "in 1 of the 3 consecutive scrapes" in moved.result.reasons[1]


def test_accepted_with_unread_rows_is_healthy_but_not_complete() -> None:
    streak = Streak(keys(1, 2, 3), 2)
    judged = judge((1, 2, 3), streak, unread_rows=1)
    assert judged.result.healthy and not judged.result.complete and judged.streak is None
    assert judged.result.reasons[0].startswith(ACCEPTED) and "row 3: no date" in judged.result.reasons


@pytest.mark.parametrize(
    "fetch",
    [
        FetchFacts(URL, None, error="page from u is larger than the size cap (2000000 bytes); not read"),
        FetchFacts(URL, 200, error="HTTP 200 but a broken body"),
    ],
    ids=["size-cap", "fetch-error"],
)
def test_a_scrape_unhealthy_for_another_reason_never_counts_and_ends_the_streak(fetch: FetchFacts) -> None:
    streak = Streak(keys(1, 2, 3), 2)
    judged = judge((1, 2, 3), streak, fetch=fetch)
    assert not judged.result.healthy and judged.streak is None
    assert FEWER in judged.result.reasons
    assert not any("consecutive scrapes" in reason for reason in judged.result.reasons)


def test_most_rows_unread_is_another_problem() -> None:
    streak = Streak(keys(1, 2, 3), 2)
    judged = judge((1, 2, 3), streak, unread_rows=4)
    assert not judged.result.healthy and judged.streak is None
    assert "only 3 of 7 rows could be read" in judged.result.reasons


def test_a_healthy_scrape_has_no_streak() -> None:
    streak = Streak(keys(1, 2, 3), 2)
    judged = judge(tuple(range(1, 9)), streak)  # 8 of 15: not far fewer
    assert judged.result.healthy and judged.result.complete and judged.result.reasons == []
    assert judged.streak is None


def test_two_agreeing_scrapes_when_configured() -> None:
    first = judge((1, 2, 3), None, needed=2)
    assert "in 1 of the 2 consecutive scrapes" in first.result.reasons[1]
    second = judge((1, 2, 3), first.streak, needed=2)
    assert second.result.healthy and second.result.reasons[0].startswith(
        "smaller fixture list accepted after 2 agreeing scrapes"
    )


def test_the_setting_defaults_to_3_between_2_and_48() -> None:
    assert ScraperConfig().baseline_agree_scrapes == 3
    assert ScraperConfig.model_validate({"baselineAgreeScrapes": 2}).baseline_agree_scrapes == 2
    assert ScraperConfig.model_validate({"baselineAgreeScrapes": 48}).baseline_agree_scrapes == 48
    wrong_values = [(1, "greater than or equal to 2"), (49, "less than or equal to 48"), ("x", "integer")]
    for wrong, message in wrong_values:
        with pytest.raises(ValidationError, match=message) as raised:
            ScraperConfig.model_validate({"baselineAgreeScrapes": wrong})
        assert raised.value.errors()[0]["loc"] == ("baselineAgreeScrapes",)
