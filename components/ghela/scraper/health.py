"""The health verdict of one scrape: may the Scheduler trust it, and may it cancel?

- **healthy**: the source answered, rows were found and most of them read, and the number
  of home fixtures is not far below the last healthy scrape's. An unhealthy result may
  still carry fixtures; the Scheduler must not cancel anything because of it.
- **complete**: healthy *and* every row found was read. Only a complete result may cancel
  games it no longer lists, and only inside its window (first..last date it covers).

A scrape that is unhealthy *only* because it found far fewer fixtures extends a streak
(:mod:`ghela.scraper.baseline`); the scrape that makes the streak ``agree_scrapes`` long is
healthy after all, so a source that shrank for real gets a new baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ghela.core.messages.scrape import Fixture, ScrapeResult
from ghela.scraper.baseline import Streak, accepted_reason, extend, waiting_reason
from ghela.scraper.games import MAX_REASONS, ParseOutcome

MAX_FIXTURES = 2000
"""A result carries at most this many fixtures (the message's bound); more is a broken page."""

MIN_READ_SHARE = 0.5
"""Below this share of rows read, the page's layout has probably changed: unhealthy."""


@dataclass(frozen=True)
class FetchFacts:
    """What fetching told us, for the verdict (a failed fetch has ``error``)."""

    url: str
    http_status: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Verdict:
    """One scrape's result and the streak of agreeing smaller fixture lists after it."""

    result: ScrapeResult
    streak: Streak | None
    """None unless this scrape was unhealthy only for finding far fewer fixtures."""


def verdict(
    source: str,
    scraped_at: datetime,
    fetch: FetchFacts,
    outcome: ParseOutcome,
    fixtures: list[Fixture],
    *,
    previous_count: int | None,
    min_ratio: float,
    agree_scrapes: int,
    streak: Streak | None = None,
) -> Verdict:
    """The :class:`ScrapeResult` for one scrape, with every reason it is not healthy/complete.

    ``previous_count`` is the last healthy scrape's home fixture count (None: there was none)
    and ``streak`` the agreeing smaller lists just before this scrape.
    """
    unhealthy = _problems(fetch, outcome, fixtures)
    fixtures = fixtures[:MAX_FIXTURES]
    notes: list[str] = []
    after: Streak | None = None
    if previous_count and len(fixtures) < min_ratio * previous_count:
        fewer = f"far fewer home fixtures than last time: {len(fixtures)} now, {previous_count} before"
        if unhealthy:
            unhealthy.append(fewer)
        else:  # the only problem: accepted once enough scrapes in a row found these same keys
            after = extend(streak, (fixture.key for fixture in fixtures))
            if after.count >= agree_scrapes:
                notes.append(accepted_reason(after, previous_count))
                after = None
            else:
                unhealthy += [fewer, waiting_reason(after, agree_scrapes)]
    incomplete = list(outcome.row_errors[:MAX_REASONS])
    if len(outcome.row_errors) > MAX_REASONS:
        incomplete.append(f"and {len(outcome.row_errors) - MAX_REASONS} more rows not read")
    healthy = not unhealthy
    parsed = len(outcome.games)
    complete = healthy and not outcome.row_errors and parsed == outcome.rows_found
    days = [game.day for game in outcome.games]
    result = ScrapeResult(
        source=source,
        scraped_at=scraped_at,
        fixtures=fixtures,
        healthy=healthy,
        complete=complete,
        reasons=[reason[:2000] for reason in unhealthy + notes + incomplete][:100],
        http_status=fetch.http_status,
        rows_found=outcome.rows_found,
        rows_parsed=parsed,
        window_start=min(days) if days else None,
        window_end=max(days) if days else None,
    )
    return Verdict(result, after)


def _problems(fetch: FetchFacts, outcome: ParseOutcome, fixtures: list[Fixture]) -> list[str]:
    """Every reason the scrape is unhealthy except "far fewer than last time"."""
    unhealthy: list[str] = []
    if fetch.error is not None:
        unhealthy.append(fetch.error)
    unhealthy.extend(outcome.problems)
    parsed = len(outcome.games)
    if fetch.error is None and outcome.rows_found == 0 and not outcome.problems:
        unhealthy.append("no fixture rows found (empty page, or the page layout changed)")
    elif outcome.rows_found and parsed == 0:
        unhealthy.append(f"none of the {outcome.rows_found} rows could be read")
    elif outcome.rows_found and parsed < MIN_READ_SHARE * outcome.rows_found:
        unhealthy.append(f"only {parsed} of {outcome.rows_found} rows could be read")
    if parsed and not fixtures:
        unhealthy.append("no home games among the fixtures read")
    if len(fixtures) > MAX_FIXTURES:
        unhealthy.append(f"{len(fixtures)} home fixtures is more than any real source lists")
    return unhealthy
