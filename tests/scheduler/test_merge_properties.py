"""Property tests of the merge of sources (Hypothesis, on a real SQLite file).

For any sequence of scrapes of two sources — each listing any subset of six games, with
kick-offs that may disagree by hours or a day, healthy or not, complete or not:

- every game in any source's latest healthy result is planned: live, with an alert that
  can light, planned no later than that source says;
- nothing is cancelled unless every healthy, complete source agrees: a cancelled game is in
  no source's latest result, and nothing is cancelled before a complete, healthy scrape;
- a person's override survives any sequence of scrapes (a cancel until every source drops
  the game, when the sources agree with it and it ends by itself).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import CancelEvent, UpdateEvent
from ghela.core.messages.scrape import Fixture
from ghela.core.messages.snapshots import EventState
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.repository import Repository
from ghela.scheduler.store import Store
from ghela.scheduler.tables import EventRow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scheduler.helpers import alerts, events, run, scrape

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OPPONENTS = ["Club Brugge", "KRC Genk", "KV Mechelen", "RSC Anderlecht", "Standard Liège", "Cercle Brugge"]
KICKOFFS = [datetime(2026, 12, 6, 17, 30, tzinfo=UTC) + timedelta(days=14 * n) for n in range(len(OPPONENTS))]
SHIFTS = [timedelta(0), timedelta(hours=2), timedelta(days=1), timedelta(days=-1)]
WINDOW = (date(2026, 12, 1), date(2027, 3, 31))
OVERRIDDEN = timedelta(minutes=7)
"""An override's kick-off is 7 minutes off the source's: no source ever says it, so it never ends."""


@dataclass(frozen=True)
class Result:
    source: str
    games: dict[int, timedelta]  # game number -> shift of its kick-off
    healthy: bool
    complete: bool


results = st.builds(
    Result,
    source=st.sampled_from(["club", "feed"]),
    games=st.dictionaries(
        st.integers(0, len(OPPONENTS) - 1), st.sampled_from(SHIFTS), max_size=len(OPPONENTS)
    ),
    healthy=st.booleans(),
    complete=st.booleans(),
)
overrides = st.one_of(
    st.none(), st.tuples(st.integers(0, 2), st.sampled_from(["start", "cancel"]), st.integers(0, 5))
)
"""(after which scrape, what, of which game) — or no override at all."""


def fixtures(result: Result) -> list[Fixture]:
    return [
        Fixture(
            key=f"{result.source}:{number}",
            home="KAA Gent",
            away=OPPONENTS[number],
            competition="JPL" if result.source == "club" else "Football",
            kickoff=KICKOFFS[number] + shift,
        )
        for number, shift in result.games.items()
    ]


def event_of(store: Store, number: int) -> EventRow | None:
    found = [e for e in events(store) if e.away == OPPONENTS[number]]
    assert len(found) <= 1, f"game {number} planned twice: {found}"
    return found[0] if found else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(results, min_size=1, max_size=6), overrides)
def test_the_merge_keeps_every_game_and_cancels_only_when_all_agree(
    sequence: list[Result], override: tuple[int, str, int] | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "ghela.db")
        try:
            check_sequence(store, sequence, override)
        finally:
            store.close()


def check_sequence(store: Store, sequence: list[Result], override: tuple[int, str, int] | None) -> None:
    handler = CommandHandler(store, SchedulerConfig())
    clock = FrozenClock(NOW)
    latest: dict[str, Result] = {}
    cancelling_seen = False
    made: tuple[int, str, datetime | None] | None = None  # (event id, what, kick-off set)
    for index, result in enumerate(sequence):
        run(
            handler,
            scrape(
                fixtures(result),
                clock.now(),
                source=result.source,
                healthy=result.healthy,
                complete=result.complete,
                window=WINDOW,
            ),
            clock,
        )
        latest[result.source] = result
        cancelling_seen |= result.healthy and result.complete
        if override is not None and override[0] == index and made is None:
            made = make_override(handler, store, clock, override)
        for source_result in latest.values():
            for number, shift in source_result.games.items():
                event = event_of(store, number)
                assert event is not None, f"game {number} of {source_result.source} is not planned"
                if made is not None and made[0] == event.id and made[1] == "cancel":
                    continue
                assert event.state in (EventState.SCHEDULED.value, EventState.UPDATED.value), event
                assert any(alert.lit_from is not None for alert in alerts(store, event.id or 0))
                if made is None or made[0] != event.id:
                    assert event.start is not None and event.start <= KICKOFFS[number] + shift
        listed = {number for r in latest.values() for number in r.games}
        for event in events(store):
            if event.state == EventState.CANCELLED.value:
                number = OPPONENTS.index(event.away)
                by_person = made is not None and made[0] == event.id and made[1] == "cancel"
                assert by_person or (cancelling_seen and number not in listed), event
        if made is not None and still_overridden(store, made[0]):
            event = next(e for e in events(store) if e.id == made[0])
            if made[1] == "cancel":
                assert event.state == EventState.CANCELLED.value
            else:
                assert event.start == made[2]
        elif made is not None:
            # Only a cancel ends by itself here (every source dropped the game: they agreed);
            # a game a source lists again after that is planned again.
            assert made[1] == "cancel"
            made = None


def still_overridden(store: Store, event_id: int) -> bool:
    with store.read() as session:
        return bool(Repository(session).overrides_of(event_id))


def make_override(
    handler: CommandHandler, store: Store, clock: FrozenClock, override: tuple[int, str, int]
) -> tuple[int, str, datetime | None] | None:
    _, what, number = override
    event = event_of(store, number)
    if event is None or event.state not in (EventState.SCHEDULED.value, EventState.UPDATED.value):
        return None
    if what == "cancel":
        run(handler, CancelEvent(event_id=event.id or 0, by="ann"), clock)
        return event.id or 0, "cancel", None
    moved = (event.start or KICKOFFS[number]) + OVERRIDDEN
    run(handler, UpdateEvent(event_id=event.id or 0, start=moved, by="ann"), clock)
    return event.id or 0, "start", moved
