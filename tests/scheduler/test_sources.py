"""Several sources cross-checked, and people's corrections that stick.

Two sources (the club page and a calendar feed) list the same games under different keys,
one a day late: games are planned from the union, the earliest kick-off wins and the game is
marked disputed; a game is cancelled only when every source that listed it drops it in a
complete, healthy scrape. A person's correction is an override with who and when that later
scrapes keep, that "follow the source" ends, and that ends by itself when the sources agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import (
    ApplyScrape,
    CancelEvent,
    CommandRequest,
    CommandStatus,
    CreateEvent,
    FollowSource,
    UpdateEvent,
)
from ghela.core.messages.counted import ActivityKind
from ghela.core.messages.scrape import Fixture
from ghela.core.messages.snapshots import ChangesRequest, EventSnapshot, EventState, OverrideField
from ghela.core.wiretypes import new_id
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.outlook import outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.service import SchedulerService
from ghela.scheduler.snapshots import event_snapshot
from ghela.scheduler.store import Store
from ghela.scheduler.tables import EventRow

from tests.scheduler.helpers import alerts, events, game, run, scrape

BRUGGE = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)
GENK = datetime(2026, 12, 13, 19, 45, tzinfo=UTC)
CLUB, FEED = "kaagent.be", "fixtur.es"
BRUSSELS = ZoneInfo("Europe/Brussels")


def club(*fixtures: Fixture, at: datetime, healthy: bool = True, complete: bool = True) -> ApplyScrape:
    return scrape(list(fixtures), at, source=CLUB, healthy=healthy, complete=complete)


def feed(*fixtures: Fixture, at: datetime, healthy: bool = True, complete: bool = True) -> ApplyScrape:
    return scrape(list(fixtures), at, source=FEED, healthy=healthy, complete=complete)


def by_away(store: Store) -> dict[str, EventRow]:
    return {event.away: event for event in events(store)}


def snapshot(store: Store, event_id: int | None) -> EventSnapshot:
    assert event_id is not None, "the event was never saved"
    with store.read() as session:
        repo = Repository(session)
        event = repo.event(event_id)
        assert event is not None
        views, overrides = repo.views_and_overrides([event_id])
        return event_snapshot(event, repo.alerts_of(event_id), views[event_id], overrides[event_id], BRUSSELS)


def test_the_union_of_sources_is_planned_and_a_disagreement_from_the_earliest(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(
        handler,
        club(game("club:brugge", BRUGGE), game("club:genk", GENK, away="KRC Genk"), at=clock.now()),
        clock,
    )
    late = BRUGGE + timedelta(days=1)  # the feed is a day late
    applied = handler.apply(
        CommandRequest(
            command_id=new_id(),
            command=feed(
                game("feed:brugge", late, away="Club Brugge KV"),
                game("feed:mechelen", GENK + timedelta(days=7), away="KV Mechelen"),
                at=clock.now(),
            ),
        ),
        clock.now(),
    )
    games = by_away(store)
    assert sorted(games) == ["Club Brugge", "KRC Genk", "KV Mechelen"]  # matched, not doubled
    brugge = games["Club Brugge"]
    assert brugge.start == BRUGGE and brugge.disputed
    assert applied.activity[ActivityKind.SOURCE_DISAGREEMENT] == 1
    assert applied.result.data["disputed"] == [brugge.id]
    assert "sources disagree on 1" in applied.result.message
    said = snapshot(store, brugge.id)
    assert said.disputed and [(s.source, s.start) for s in said.sources] == [(FEED, late), (CLUB, BRUGGE)]
    assert outlook(store, clock.now()).disputed == (brugge.id,)
    # The club moves it to the feed's day too: they agree, it moves, no longer disputed.
    run(
        handler,
        club(game("club:brugge", late), game("club:genk", GENK, away="KRC Genk"), at=clock.now()),
        clock,
    )
    brugge = by_away(store)["Club Brugge"]
    assert brugge.start == late and not brugge.disputed
    assert outlook(store, clock.now()).disputed == ()


def test_a_game_one_source_drops_keeps_its_alerts_until_every_source_drops_it(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    genk = game("club:genk", GENK, away="KRC Genk")
    run(handler, club(game("club:brugge", BRUGGE), genk, at=clock.now()), clock)
    run(handler, feed(game("feed:brugge", BRUGGE), at=clock.now()), clock)
    brugge_id = by_away(store)["Club Brugge"].id
    result = run(handler, club(genk, at=clock.now()), clock)  # complete, healthy, without Brugge
    assert result.data["cancelled"] == []
    assert by_away(store)["Club Brugge"].state == EventState.SCHEDULED.value
    assert alerts(store, brugge_id)
    run(handler, feed(game("feed:genk", GENK, away="KRC Genk"), at=clock.now(), healthy=False), clock)
    assert (
        by_away(store)["Club Brugge"].state == EventState.SCHEDULED.value
    )  # an unhealthy feed drops nothing
    result = run(handler, feed(game("feed:genk", GENK, away="KRC Genk"), at=clock.now()), clock)
    assert result.data["cancelled"] == [brugge_id]  # now every source agrees it is gone
    assert all(alert.lit_from is None for alert in alerts(store, brugge_id))


def test_an_admin_override_of_the_kickoff_survives_scrapes_and_ends_when_the_source_agrees(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
    brugge_id = events(store)[0].id
    fixed = BRUGGE + timedelta(hours=2)
    result = run(handler, UpdateEvent(event_id=brugge_id, start=fixed, by="ann@office"), clock)
    assert result.status is CommandStatus.APPLIED and "by ann@office" in result.message
    for _ in range(3):
        clock.advance(hours=1)
        run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
        assert events(store)[0].start == fixed
    [override] = snapshot(store, brugge_id).overrides
    assert (override.field, override.value, override.by) == (
        OverrideField.START,
        fixed.isoformat(),
        "ann@office",
    )
    assert override.source_value == BRUGGE.isoformat()
    run(handler, club(game("club:brugge", fixed), at=clock.now()), clock)  # the club now says the same
    assert snapshot(store, brugge_id).overrides == [] and events(store)[0].start == fixed


def test_a_cancelled_game_stays_cancelled_and_follow_the_source_restores_it(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
    brugge_id = events(store)[0].id
    run(handler, CancelEvent(event_id=brugge_id, by="bob"), clock)
    for _ in range(3):
        run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
        assert events(store)[0].state == EventState.CANCELLED.value
    [override] = snapshot(store, brugge_id).overrides
    assert (override.field, override.source_value, override.by) == (OverrideField.CANCELLED, "listed", "bob")
    result = run(handler, FollowSource(event_id=brugge_id, by="bob"), clock)
    assert (
        result.status is CommandStatus.APPLIED and "follows its sources again (cancelled)" in result.message
    )
    restored = events(store)[0]
    assert restored.state == EventState.UPDATED.value and restored.start == BRUGGE
    assert any(alert.lit_from is not None for alert in alerts(store, brugge_id))
    again = run(handler, FollowSource(event_id=brugge_id), clock)
    assert again.status is CommandStatus.APPLIED and "already" in again.message


def test_title_and_venue_overrides_and_following_one_field(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
    brugge_id = events(store)[0].id
    run(
        handler,
        UpdateEvent(event_id=brugge_id, title="Gent – Brugge (derby)", venue="Elders", by="ann"),
        clock,
    )
    run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
    stored = events(store)[0]
    assert (stored.title, stored.venue) == ("Gent – Brugge (derby)", "Elders")
    said = {o.field: o for o in snapshot(store, brugge_id).overrides}
    assert said[OverrideField.TITLE].source_value == "KAA Gent – Club Brugge"
    run(handler, FollowSource(event_id=brugge_id, field=OverrideField.TITLE), clock)
    stored = events(store)[0]
    assert (stored.title, stored.venue) == ("KAA Gent – Club Brugge", "Elders")


def test_a_cancel_override_ends_when_every_source_drops_the_game(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    other = game("club:genk", GENK, away="KRC Genk")
    run(handler, club(game("club:brugge", BRUGGE), other, at=clock.now()), clock)
    brugge_id = events(store)[0].id
    run(handler, CancelEvent(event_id=brugge_id, by="bob"), clock)
    run(handler, club(other, at=clock.now()), clock)
    assert snapshot(store, brugge_id).overrides == []
    assert events(store)[0].state == EventState.CANCELLED.value


def test_follow_the_source_is_for_games(handler: CommandHandler, clock: FrozenClock) -> None:
    made = run(handler, CreateEvent(title="Concert", start=BRUGGE), clock)
    result = run(handler, FollowSource(event_id=made.data["event_id"]), clock)
    assert result.status is CommandStatus.REJECTED and result.field == "event_id"
    assert "custom event" in result.message
    missing = run(handler, FollowSource(event_id=999), clock)
    assert missing.status is CommandStatus.REJECTED and missing.message == "event 999 does not exist"


def test_a_custom_event_change_is_no_override(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    made = run(handler, CreateEvent(title="Concert", start=BRUGGE), clock)
    run(handler, UpdateEvent(event_id=made.data["event_id"], title="Big concert", by="ann"), clock)
    assert snapshot(store, made.data["event_id"]).overrides == []


def test_the_changes_carry_sources_and_overrides(
    handler: CommandHandler, store: Store, clock: FrozenClock
) -> None:
    run(handler, club(game("club:brugge", BRUGGE), at=clock.now()), clock)
    run(handler, UpdateEvent(event_id=1, start=BRUGGE + timedelta(hours=1), by="ann"), clock)
    service = SchedulerService(InMemoryBus(), handler.config, clock, store)
    response = service.changes(ChangesRequest(since_revision=0))
    [event] = response.events
    assert [s.source for s in event.sources] == [CLUB]
    assert event.overrides[0].by == "ann" and event.overrides[0].source_value == BRUGGE.isoformat()
    assert event.start is not None and date(2026, 12, 6) == event.start.date()
