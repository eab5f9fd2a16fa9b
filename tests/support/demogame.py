"""The demo's first game as the cloud's read copy holds it, for the notification tests.

Kicked off as ``ghela up --demo`` kicks it off when started at ``up_at``
(:func:`ghela_tools.up.demo.demo_kickoffs`), its alerts planned by the Scheduler's own rule
(:func:`ghela.scheduler.planning.plan_alerts`) from its recipe's DefaultConfiguration:
an early warning ``lead`` after ``up_at``, then the final call.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ghela.core.clock import venue_zone
from ghela.core.componentnames import SCHEDULER
from ghela.core.messages.snapshots import AlertSnapshot, EventSnapshot, EventState
from ghela.scheduler.planning import plan_alerts
from ghela_tools.runtime.recipes import load_recipes
from ghela_tools.up.demo import demo_kickoffs, scheduler_config

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
TITLE = "KAA Gent - Demo FC"


def demo_first_game(up_at: datetime, revision: int) -> EventSnapshot:
    config = scheduler_config(load_recipes(RECIPES)[SCHEDULER].default_configuration)
    kickoff = demo_kickoffs(config, up_at)[0]
    planned = plan_alerts(config, venue_zone(config.zone), kickoff, None)
    return EventSnapshot(
        event_id=1,
        kind="game",
        key="demo-kaa-gent",
        title=TITLE,
        start=kickoff,
        state=EventState.SCHEDULED,
        revision=revision,
        alerts=[
            AlertSnapshot(
                alert_id=number,
                label=alert.label,
                starts_at=alert.starts_at,
                ends_at=alert.ends_at,
                pattern=alert.pattern,
                offset_minutes=alert.offset_minutes,
            )
            for number, alert in enumerate(planned, start=1)
        ],
    )
