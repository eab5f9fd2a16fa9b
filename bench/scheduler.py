"""Benchmark of the Scheduler's store: 10,000 events with their alerts in a temp SQLite file.

Prints: time to load the events (as scrape commands), to open the file and decide the light
as a starting Scheduler does, to answer "light state now" and "next change" at 1,000 and at
10,000 events (these must stay near-flat: both are index lookups, never a scan of every
alert), and to apply 1,000 mixed commands. Figures only; nothing is asserted.

    .venv/bin/python bench/scheduler.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import (
    AddAlert,
    ApplyScrape,
    Command,
    CommandRequest,
    CreateEvent,
    SnoozeAlert,
    UnsnoozeAlert,
    UpdateEvent,
)
from ghela.core.messages.scrape import Fixture, ScrapeResult
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.outlook import outlook
from ghela.scheduler.repository import Repository
from ghela.scheduler.service import SchedulerService
from ghela.scheduler.store import Store
from sqlalchemy import text

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=5 * 365)
BATCH = 1000


def fixtures(first: int, count: int, rng: random.Random) -> list[Fixture]:
    made = []
    for number in range(first, first + count):
        kickoff = (
            NOW + timedelta(hours=8) + timedelta(minutes=rng.randrange(int(SPAN.total_seconds() // 60)))
        )
        dated_only = number % 20 == 0  # one game in twenty has no kick-off time yet
        made.append(
            Fixture(
                key=f"g{number}",
                home="KAA Gent",
                away=f"Club {number}",
                competition="JPL",
                kickoff=None if dated_only else kickoff,
                date=kickoff.date() if dated_only else None,
            )
        )
    return made


def load(handler: CommandHandler, first: int, count: int, rng: random.Random) -> float:
    started = time.perf_counter()
    for batch_start in range(first, first + count, BATCH):
        result = ScrapeResult(
            source="bench",
            scraped_at=NOW,
            fixtures=fixtures(batch_start, BATCH, rng),
            healthy=True,
            complete=False,
        )
        request = CommandRequest(command_id=f"load-{batch_start}", command=ApplyScrape(result=result))
        assert handler.apply(request, NOW).result.ok
    return time.perf_counter() - started


def per_call(action: Callable[[datetime], object], instants: list[datetime]) -> tuple[float, float]:
    """Median and 95th percentile, in microseconds."""
    times = []
    for instant in instants:
        started = time.perf_counter()
        action(instant)
        times.append((time.perf_counter() - started) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def queries(store: Store, rng: random.Random, label: str) -> None:
    instants = [NOW + timedelta(minutes=rng.randrange(int(SPAN.total_seconds() // 60))) for _ in range(300)]

    def light_now(t: datetime) -> object:
        with store.read() as session:
            return Repository(session).active_alerts(t)

    def next_change(t: datetime) -> object:
        return outlook(store, t).next_change

    lit = sum(1 for t in instants if outlook(store, t).decision.on)
    median, p95 = per_call(light_now, instants)
    print(f"  {label}: light state now     median {median:7.0f} µs   p95 {p95:7.0f} µs")
    median, p95 = per_call(next_change, instants)
    print(
        f"  {label}: next change (whole) median {median:7.0f} µs   p95 {p95:7.0f} µs"
        f"   ({lit} of {len(instants)} random instants had the light on)"
    )


def commands(
    handler: CommandHandler, store: Store, count: int, rng: random.Random, prefix: str = "bench"
) -> float:
    alert_ids = list(range(1, 2 * 10_000))  # a few ids do not exist: those are rejected
    event_ids = list(range(1, 10_001))
    requests = []
    for number in range(count):
        kind = number % 5
        command: Command
        if kind == 0:
            command = SnoozeAlert(alert_id=rng.choice(alert_ids), minutes=rng.randint(5, 60))
        elif kind == 1:
            command = UnsnoozeAlert(alert_id=rng.choice(alert_ids))
        elif kind == 2:
            command = AddAlert(
                event_id=rng.choice(event_ids),
                alert=AlertSpec(at=NOW + timedelta(days=rng.randint(1, 900))),
            )
        elif kind == 3:
            command = UpdateEvent(event_id=rng.choice(event_ids), title=f"Renamed {number}")
        else:
            command = CreateEvent(
                title=f"Concert {number}", start=NOW + timedelta(days=rng.randint(1, 900))
            )
        requests.append(CommandRequest(command_id=f"{prefix}-{number}", command=command))
    started = time.perf_counter()
    statuses: dict[str, int] = {}
    for request in requests:
        status = handler.apply(request, NOW).result.status.value
        statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - started
    print(f"  outcomes: {statuses}")
    return elapsed


def durability(path: Path, config: SchedulerConfig, rng: random.Random) -> None:
    """The cost of ``synchronous=FULL`` (an fsync of the WAL at every commit, the Scheduler's
    setting) against the ``NORMAL`` it replaced, on the same 10,000-event file."""
    print(f"synchronous (file system of {path.parent}):")
    timings = {}
    for setting in ("NORMAL", "FULL"):
        store = Store(path, synchronous=setting)
        elapsed = commands(CommandHandler(store, config), store, 300, rng, prefix=setting)
        timings[setting] = elapsed / 300 * 1e3
        print(f"  {setting:6}: {timings[setting]:.2f} ms per command (300 commands)")
        store.close()
    extra = timings["FULL"] - timings["NORMAL"]
    print(f"  FULL costs {extra:+.2f} ms per command; target: well under the 50 ms a person notices")


def main() -> int:
    rng = random.Random(2026)
    config = SchedulerConfig()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = Store(path)
        handler = CommandHandler(store, config)
        print(f"Scheduler benchmark (SQLite {path.name}, Python {sys.version.split()[0]})")

        seconds = load(handler, 0, 1_000, rng)
        print(f"load 1,000 events: {seconds:.2f} s")
        queries(store, rng, " 1,000 events")

        seconds += load(handler, 1_000, 9_000, rng)
        with store.read() as session:
            alerts = session.connection().execute(text("SELECT COUNT(*) FROM alert")).one()[0]
        print(
            f"load 10,000 events ({alerts:,} alerts): {seconds:.2f} s in total "
            f"({seconds / 10_000 * 1e3:.2f} ms per event), file {path.stat().st_size / 1e6:.1f} MB"
        )
        queries(store, rng, "10,000 events")

        with store.read() as session:
            plan = session.connection().execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT * FROM alert"
                    " WHERE lit_from > :a AND lit_from <= :b AND ends_at > :b"
                ).bindparams(a="2027-01-01", b="2027-01-08")
            ).all()
        print(f"  query plan of 'light state now': {'; '.join(row[-1] for row in plan)}")

        started = time.perf_counter()
        service = SchedulerService(InMemoryBus(), config, FrozenClock(NOW), Store(path)).start()
        print(
            f"open the 10,000-event file and publish the first light command (service start): "
            f"{(time.perf_counter() - started) * 1e3:.0f} ms"
        )
        service.stop()

        elapsed = commands(handler, store, 1_000, rng)
        print(f"apply 1,000 commands: {elapsed:.2f} s ({elapsed:.2f} ms per command, one transaction each)")
        store.close()
        durability(path, config, rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
