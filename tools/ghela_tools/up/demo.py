"""The demo games for ``ghela up --demo``: the first alert starts shortly after start-up.

Kick-offs come from the Scheduler's alert plan (its recipe's DefaultConfiguration, merged
with any override), so the earliest alert of the first game starts ``lead`` after now, as
a newcomer watching the console and the page would want; two later games show a normal
week. The feed itself is the Scraper's demo ICS feed (:mod:`ghela.scraper.demo`).
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from ghela.core.clock import venue_zone
from ghela.scheduler.config import SchedulerConfig
from ghela.scraper.demo import write_demo_feed

DEFAULT_LEAD = timedelta(seconds=120)
LATER_GAMES = ((8, time(20, 45)), (15, time(18, 15)))
"""(days from today, local kick-off time) of the games after the first."""
UNDECIDED_GAME_DAYS = 22
"""Days from today of a game whose kick-off time is not fixed yet (shown as such)."""


def demo_kickoffs(config: SchedulerConfig, now: datetime, lead: timedelta = DEFAULT_LEAD) -> list[datetime]:
    """Kick-offs; the first game's earliest alert starts within the minute before ``now + lead``."""
    if not config.alert_plan:
        first = now + lead
    else:
        earliest = min(rule.offset_minutes for rule in config.alert_plan)
        first = now + lead - timedelta(minutes=earliest)
    # A whole minute, as a fixtures list shows it; rounding down keeps a zero lead "now".
    first = datetime.fromtimestamp(math.floor(first.timestamp() / 60) * 60, tz=now.tzinfo)
    zone = venue_zone(config.zone)
    today = now.astimezone(zone).date()
    later = [datetime.combine(today + timedelta(days=days), at, tzinfo=zone) for days, at in LATER_GAMES]
    return [first, *later]


def first_alert(config: SchedulerConfig, kickoffs: list[datetime]) -> datetime | None:
    """When the first game's earliest alert starts (None without an alert plan)."""
    if not config.alert_plan or not kickoffs:
        return None
    return kickoffs[0] + timedelta(minutes=min(rule.offset_minutes for rule in config.alert_plan))


def scheduler_config(
    default_configuration: dict[str, Any], merge: dict[str, Any] | None = None
) -> SchedulerConfig:
    """The Scheduler's configuration as it will run (recipe defaults, then the override)."""
    from ghela_tools.runtime.configmerge import apply_update

    merged = apply_update(default_configuration, {"merge": merge} if merge else None)
    merged.pop("accessControl", None)
    return SchedulerConfig.model_validate(merged)


def write_demo(
    path: Path, config: SchedulerConfig, now: datetime, lead: timedelta = DEFAULT_LEAD
) -> list[datetime]:
    """Write the demo feed to ``path``; returns the kick-offs written (the undecided game
    has none)."""
    kickoffs = demo_kickoffs(config, now, lead)
    undecided = now.astimezone(venue_zone(config.zone)).date() + timedelta(days=UNDECIDED_GAME_DAYS)
    write_demo_feed(path, kickoffs, written_at=now, undecided=[undecided])
    return kickoffs
