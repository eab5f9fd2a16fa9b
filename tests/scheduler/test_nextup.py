"""What lights next: the one rule (``ghela.core.nextup``) on snapshots, and on a real database
through the Scheduler's outlook, with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import CancelEvent, SnoozeAlert
from ghela.core.messages.snapshots import AlertSnapshot, EventKind, EventSnapshot, EventState
from ghela.core.nextup import NONE_LINE, next_line, next_up
from ghela.core.wiretypes import LightPattern
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.outlook import next_alert, outlook
from ghela.scheduler.store import Store

from tests.scheduler.helpers import alerts, game, run, scrape

KICKOFF = datetime(2026, 12, 5, 19, 45, tzinfo=UTC)  # Sat 20:45 in Brussels
BRUSSELS = ZoneInfo("Europe/Brussels")


def alert(alert_id: int, offset_hours: int, pattern: LightPattern, **extra: object) -> AlertSnapshot:
    starts = KICKOFF + timedelta(hours=offset_hours)
    return AlertSnapshot(
        alert_id=alert_id, starts_at=starts, ends_at=starts + timedelta(hours=1), pattern=pattern, **extra
    )


def event(
    event_id: int, alert_list: list[AlertSnapshot], state: EventState = EventState.SCHEDULED
) -> EventSnapshot:
    return EventSnapshot(
        event_id=event_id,
        kind=EventKind.GAME,
        key=f"g{event_id}",
        title="KAA Gent – RSC Anderlecht",
        home="KAA Gent",
        away="RSC Anderlecht",
        start=KICKOFF,
        state=state,
        revision=1,
        alerts=alert_list,
    )


ANDERLECHT = event(1, [alert(1, -6, LightPattern.BLINK), alert(2, -4, LightPattern.STEADY)])


def test_the_line_names_the_light_the_game_and_the_parking_deadline() -> None:
    now = KICKOFF - timedelta(days=2)
    up = next_up([ANDERLECHT], now)
    assert up is not None and (up.alert_id, up.pattern) == (1, LightPattern.BLINK)
    line = next_line(up, now, BRUSSELS)
    assert line == "Next: light on Sat 14:45 — KAA Gent–RSC Anderlecht, parking empty by 17:45"


def test_the_line_is_in_the_configured_zone() -> None:
    now = KICKOFF - timedelta(days=2)
    line = next_line(next_up([ANDERLECHT], now), now, ZoneInfo("America/New_York"))
    assert line == "Next: light on Sat 08:45 — KAA Gent–RSC Anderlecht, parking empty by 11:45"


def test_a_deadline_after_midnight_names_its_day() -> None:
    ends = datetime(2026, 12, 4, 23, 15, tzinfo=UTC)  # Sat 00:15 in Brussels
    late = AlertSnapshot(
        alert_id=1, starts_at=ends - timedelta(hours=3), ends_at=ends, pattern=LightPattern.STEADY
    )
    now = ends - timedelta(days=1)
    line = next_line(next_up([event(1, [late])], now), now, BRUSSELS)
    assert line == "Next: light on Fri 21:15 — KAA Gent–RSC Anderlecht, parking empty by Sat 00:15"


def test_a_lit_alert_is_what_is_next_until_it_ends() -> None:
    during = KICKOFF - timedelta(hours=5, minutes=30)
    up = next_up([ANDERLECHT], during)
    assert up is not None and up.alert_id == 1 and up.lit(during)
    assert (
        next_line(up, during, BRUSSELS) == "Now: light on — KAA Gent–RSC Anderlecht, parking empty by 17:45"
    )
    after_first = KICKOFF - timedelta(hours=5)
    later = next_up([ANDERLECHT], after_first)
    assert later is not None and later.alert_id == 2


def test_snoozed_silenced_and_cancelled_follow_the_schedulers_rule() -> None:
    now = KICKOFF - timedelta(days=1)
    snoozed_until = KICKOFF - timedelta(hours=5, minutes=30)
    snoozed = event(1, [alert(1, -6, LightPattern.BLINK, snoozed_until=snoozed_until)])
    up = next_up([snoozed], now)
    assert up is not None and up.light_at == snoozed_until
    silenced = event(1, [alert(1, -6, LightPattern.BLINK, silenced=True), alert(2, -4, LightPattern.STEADY)])
    up = next_up([silenced], now)
    assert up is not None and up.alert_id == 2
    cancelled = ANDERLECHT.model_copy(update={"state": EventState.CANCELLED})
    assert next_up([cancelled], now) is None
    assert next_line(None, now, BRUSSELS) == NONE_LINE


def test_the_earliest_of_several_events_wins() -> None:
    later = event(7, [alert(9, 20, LightPattern.STEADY)])
    up = next_up([later, ANDERLECHT], KICKOFF - timedelta(days=1))
    assert up is not None and (up.event_id, up.alert_id) == (1, 1)


def test_the_device_answers_what_its_outlook_says(store: Store, handler: CommandHandler) -> None:
    clock = FrozenClock(KICKOFF - timedelta(days=3))
    run(handler, scrape([game("g1", KICKOFF, away="RSC Anderlecht")], clock.now()), clock)
    first, final = alerts(store, 1)
    up = next_alert(store, clock.now())
    assert up is not None and up.alert_id == first.id
    assert up.light_at == outlook(store, clock.now()).next_alert_at
    assert next_line(up, clock.now(), BRUSSELS).endswith("KAA Gent–RSC Anderlecht, parking empty by 17:45")
    run(handler, SnoozeAlert(alert_id=first.id or 0), clock)
    after_snooze = next_alert(store, clock.now())
    assert after_snooze is not None and after_snooze.alert_id == final.id
    run(handler, CancelEvent(event_id=up.event_id), clock)
    assert next_alert(store, clock.now()) is None
