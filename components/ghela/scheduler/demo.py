"""A demo database: a few upcoming games and a concert, relative to now.

Used by the README (and ``./dev up --demo``) so the Scheduler has something to do at once:
the first game's final call starts a few minutes from now.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ghela.core.clock import venue_zone
from ghela.core.messages.commands import ApplyScrape, CommandRequest, CreateEvent
from ghela.core.messages.scrape import Fixture, ScrapeResult
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.store import Store

HOME = "KAA Gent"
COMPETITION = "Jupiler Pro League"


def _local(now: datetime, config: SchedulerConfig, days: int, at: time) -> datetime:
    zone = venue_zone(config.zone)
    day = now.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, at, tzinfo=zone)


def demo_commands(config: SchedulerConfig, now: datetime) -> list[CommandRequest]:
    final_call = min(
        (rule.offset_minutes for rule in config.alert_plan if rule.pattern.value == "steady"), default=-240
    )
    soon = (now - timedelta(minutes=final_call - 2)).replace(second=0, microsecond=0)
    fixtures = [
        Fixture(key="demo-soon", home=HOME, away="Club Brugge", competition=COMPETITION, kickoff=soon),
        Fixture(
            key="demo-next-week",
            home=HOME,
            away="RSC Anderlecht",
            competition=COMPETITION,
            kickoff=_local(now, config, 8, time(20, 45)),
        ),
        Fixture(
            key="demo-time-unknown",
            home=HOME,
            away="Royal Antwerp FC",
            competition="Croky Cup",
            date=(now + timedelta(days=15)).astimezone(venue_zone(config.zone)).date(),
        ),
    ]
    scrape = ScrapeResult(source="demo", scraped_at=now, fixtures=fixtures, healthy=True, complete=False)
    concert = CreateEvent(title="Concert in the arena", start=_local(now, config, 20, time(20, 0)))
    return [
        CommandRequest(command_id="demo-scrape", origin="demo", command=ApplyScrape(result=scrape)),
        CommandRequest(command_id="demo-concert", origin="demo", command=concert),
    ]


def write_demo(store: Store, config: SchedulerConfig, now: datetime) -> str:
    handler = CommandHandler(store, config)
    messages = [handler.apply(request, now).result.message for request in demo_commands(config, now)]
    return "; ".join(messages)
