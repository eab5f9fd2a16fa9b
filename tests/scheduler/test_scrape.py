"""Applying scrape results: add, update (a moved game keeps its id), and careful cancels."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from ghela.core.clock import FrozenClock, venue_zone
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import AddAlert, CommandStatus, SnoozeAlert
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.outlook import outlook
from ghela.scheduler.snapshots import event_snapshot
from ghela.scheduler.store import Store

from tests.scheduler.helpers import alerts, events, game, revision, run, scrape

KICKOFF = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)
OTHER = datetime(2026, 12, 20, 12, 30, tzinfo=UTC)
FIXTURES = Path("/work/shared/fixtures/kaa_gent_home_league_kickoffs_2024-25_2025-26.csv")
BRUSSELS = venue_zone()


def test_new_games_are_added_with_their_plan(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    result = run(
        handler, scrape([game("a", KICKOFF), game("b", day=date(2026, 12, 13))], clock.now()), clock
    )
    assert result.status is CommandStatus.APPLIED
    assert result.data["added"] == [1, 2]
    a, b = events(store)
    assert (a.kind, a.title, a.state, a.start, a.local_date) == (
        "game",
        "KAA Gent – Club Brugge",
        "scheduled",
        KICKOFF,
        date(2026, 12, 6),
    )
    assert len(alerts(store, a.id)) == 2
    assert b.start is None and [x.rule for x in alerts(store, b.id)] == ["kick-off time not confirmed"]


def test_a_moved_game_is_an_update_keeping_snoozes_and_custom_alerts(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, scrape([game("a", KICKOFF)], clock.now()), clock)
    early, final = alerts(store, 1)
    run(handler, SnoozeAlert(alert_id=final.id), clock)
    custom = run(
        handler, AddAlert(event_id=1, alert=AlertSpec(offset_minutes=-1440, label="day before")), clock
    )
    moved = KICKOFF + timedelta(days=1, hours=2)
    result = run(handler, scrape([game("a", moved)], clock.now()), clock)
    assert result.data == {"added": [], "updated": [1], "cancelled": []}
    [event] = events(store)
    assert (event.id, event.state, event.start) == (1, "updated", moved)
    assert (event.previous_start, event.previous_date) == (KICKOFF, None)  # the page says "from → to"
    assert event_snapshot(event, []).previous_start == KICKOFF
    by_id = {a.id: a for a in alerts(store, 1)}
    assert set(by_id) == {early.id, final.id, custom.data["alert_id"]}
    assert by_id[early.id].starts_at == moved - timedelta(hours=6)
    assert by_id[final.id].silenced and by_id[final.id].lit_from is None
    assert by_id[custom.data["alert_id"]].starts_at == moved - timedelta(days=1)


def test_tbd_game_is_replanned_when_its_time_appears(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, scrape([game("a", day=date(2026, 12, 6))], clock.now()), clock)
    [tbd] = alerts(store, 1)
    run(handler, scrape([game("a", KICKOFF)], clock.now()), clock)
    planned = alerts(store, 1)
    assert [a.rule for a in planned] == ["early warning", "final call"]
    assert tbd.id not in {a.id for a in planned}
    [event] = events(store)
    assert (event.previous_start, event.previous_date) == (None, date(2026, 12, 6))


def test_same_scrape_again_changes_nothing(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    fixtures = [game("a", KICKOFF), game("b", OTHER)]
    run(handler, scrape(fixtures, clock.now()), clock)
    again = run(handler, scrape(fixtures, clock.now()), clock)
    assert again.status is CommandStatus.APPLIED
    assert again.data == {"added": [], "updated": [], "cancelled": []}
    assert revision(store) == 1


def test_unhealthy_or_incomplete_results_never_cancel(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, scrape([game("a", KICKOFF), game("b", OTHER)], clock.now()), clock)
    for flags in ({"healthy": False}, {"complete": False}, {"window": None}):
        result = run(handler, scrape([game("a", KICKOFF), game("c", OTHER)], clock.now(), **flags), clock)
        assert result.data["cancelled"] == [] and "no cancellations" in result.message
    assert {e.key: e.state for e in events(store)} == {"a": "scheduled", "b": "scheduled", "c": "scheduled"}


def test_complete_healthy_result_cancels_only_vanished_games_in_its_window_and_source(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    inside = [game(f"in{i}", KICKOFF + timedelta(days=i)) for i in range(4)]
    outside = game("later", datetime(2027, 3, 1, 19, 0, tzinfo=UTC))
    run(handler, scrape([*inside, outside], clock.now()), clock)
    run(handler, scrape([game("cup", OTHER)], clock.now(), source="cup-feed"), clock)
    window = (date(2026, 11, 1), date(2026, 12, 31))
    result = run(handler, scrape(inside[1:], clock.now(), window=window), clock)
    assert result.data["cancelled"] == [1]
    states = {e.key: e.state for e in events(store)}
    assert states == {
        "in0": "cancelled",
        "in1": "scheduled",
        "in2": "scheduled",
        "in3": "scheduled",
        "later": "scheduled",
        "cup": "scheduled",
    }
    assert all(a.lit_from is None for a in alerts(store, 1))


def test_a_result_missing_most_games_cancels_nothing(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    fixtures = [game(f"g{i}", KICKOFF + timedelta(days=i)) for i in range(6)]
    run(handler, scrape(fixtures, clock.now()), clock)
    result = run(handler, scrape(fixtures[:2], clock.now()), clock)
    assert result.data["cancelled"] == []
    assert "4 of 6 stored games are missing" in result.message
    assert {e.state for e in events(store)} == {"scheduled"}


def test_a_cancelled_game_listed_again_comes_back(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    fixtures = [game("a", KICKOFF), game("b", OTHER)]
    run(handler, scrape(fixtures, clock.now()), clock)
    run(handler, scrape(fixtures[1:], clock.now()), clock)
    assert events(store)[0].state == "cancelled"
    result = run(handler, scrape(fixtures, clock.now()), clock)
    assert result.data["updated"] == [1]
    assert events(store)[0].state == "updated"
    clock.set(KICKOFF - timedelta(hours=3, minutes=30))
    assert outlook(store, clock.now()).decision.on


def test_past_games_are_history(handler: CommandHandler, store: Store, clock: FrozenClock) -> None:
    past = game("old", clock.now() - timedelta(days=3))
    result = run(handler, scrape([past], clock.now()), clock)
    assert result.data["added"] == [] and events(store) == []


def test_replay_of_two_real_seasons(store: Store, config) -> None:
    """KAA Gent's 2024-26 home games (kick-offs in Brussels time, some still TBD)."""
    clock = FrozenClock(datetime(2024, 7, 1, tzinfo=UTC))
    handler = CommandHandler(store, config)
    fixtures = []
    with FIXTURES.open() as rows:
        for row in csv.DictReader(rows):
            day = date.fromisoformat(row["date"])
            key = f"jpl-{row['season']}-{row['stage']}-kaa-gent-{row['opponent']}"
            if row["kickoff_brussels"] == "TBD":
                fixtures.append(game(key, day=day, away=row["opponent"]))
            else:
                local = datetime.combine(day, time.fromisoformat(row["kickoff_brussels"]), tzinfo=BRUSSELS)
                fixtures.append(game(key, local.astimezone(UTC), away=row["opponent"]))
    result = run(handler, scrape(fixtures, clock.now()), clock)
    assert len(result.data["added"]) == len(fixtures) == 35
    by_key = {e.key: e for e in events(store)}
    genk = by_key[
        "jpl-2024-25-Matchday 12-kaa-gent-KRC Genk"
    ]  # Sunday 27 Oct 2024, the day clocks went back
    early, final = alerts(store, genk.id)
    assert genk.start is not None and final.ends_at == genk.start - timedelta(hours=3)
    assert final.starts_at.astimezone(BRUSSELS).time() == time(14, 30)
    assert early.starts_at.astimezone(BRUSSELS).time() == time(12, 30)
