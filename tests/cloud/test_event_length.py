"""When an event is over: the one rule the Scheduler and the cloud API share."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ghela.core.eventtime import DEFAULT_EVENT_MINUTES, finishes_at
from ghela.scheduler.config import SchedulerConfig
from ghela_cloud.api.eventmodels import EventView
from ghela_cloud.api.views import relevant_until

from tests.cloud.conftest import game

BRUSSELS = ZoneInfo("Europe/Brussels")
LONDON = ZoneInfo("Europe/London")
KICKOFF = datetime(2026, 12, 20, 17, 30, tzinfo=UTC)


def test_an_end_wins_then_the_length_then_the_day() -> None:
    end = KICKOFF + timedelta(hours=5)
    assert finishes_at(KICKOFF, None, end, BRUSSELS) == end
    assert finishes_at(KICKOFF, None, None, BRUSSELS) == KICKOFF + timedelta(minutes=120)
    assert finishes_at(KICKOFF, None, None, BRUSSELS, 90) == KICKOFF + timedelta(minutes=90)
    assert finishes_at(None, date(2026, 12, 20), None, BRUSSELS) == datetime(2026, 12, 20, 23, 0, tzinfo=UTC)
    assert finishes_at(None, None, None, BRUSSELS) is None


def test_the_scheduler_and_the_api_use_the_same_length() -> None:
    assert SchedulerConfig().event_minutes == DEFAULT_EVENT_MINUTES == 120
    started = EventView.model_validate({**game(), "device": "pi", "alerts": []})
    assert relevant_until(started, BRUSSELS) == KICKOFF + timedelta(minutes=DEFAULT_EVENT_MINUTES)


def test_the_api_ends_a_date_only_game_in_the_configured_zone() -> None:
    item = {**game(), "device": "pi", "start": None, "date": "2027-01-10", "alerts": []}
    undated = EventView.model_validate(item)
    assert relevant_until(undated, BRUSSELS) == datetime(2027, 1, 10, 23, 0, tzinfo=UTC)
    assert relevant_until(undated, LONDON) == datetime(2027, 1, 11, 0, 0, tzinfo=UTC)
