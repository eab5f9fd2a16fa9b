"""Builders and readers shared by the Scheduler tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import ApplyScrape, CommandRequest, CommandResult
from ghela.core.messages.scrape import Fixture, ScrapeResult
from ghela.core.wiretypes import new_id
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from ghela.scheduler.tables import AlertRow, EventRow
from sqlmodel import col, select

SOURCE = "kaagent.be"


def game(
    key: str, kickoff: datetime | None = None, day: date | None = None, away: str = "Club Brugge"
) -> Fixture:
    return Fixture(
        key=key, home="KAA Gent", away=away, competition="Jupiler Pro League", kickoff=kickoff, date=day
    )


def scrape(
    fixtures: list[Fixture],
    at: datetime,
    *,
    healthy: bool = True,
    complete: bool = True,
    window: tuple[date, date] | None = (date(2026, 1, 1), date(2027, 12, 31)),
    source: str = SOURCE,
) -> ApplyScrape:
    return ApplyScrape(
        result=ScrapeResult(
            source=source,
            scraped_at=at,
            fixtures=fixtures,
            healthy=healthy,
            complete=complete,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
        )
    )


def run(
    handler: CommandHandler, command: Any, clock: FrozenClock, command_id: str | None = None
) -> CommandResult:
    request = CommandRequest(command_id=command_id or new_id(), command=command)
    return handler.apply(request, clock.now()).result


def events(store: Store) -> list[EventRow]:
    with store.read() as session:
        return list(session.exec(select(EventRow).order_by(col(EventRow.id))))


def alerts(store: Store, event_id: int | None) -> list[AlertRow]:
    assert event_id is not None, "the event was never saved"
    with store.read() as session:
        return Repository(session).alerts_of(event_id)


def revision(store: Store) -> int:
    with store.read() as session:
        return Repository(session).revision()
