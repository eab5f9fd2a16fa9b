"""The state file, the outbox order, backoff, configuration and the ``ghela sync`` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ghela.cli import main
from ghela.cloudsync.aws import DynamoDb
from ghela.cloudsync.config import CloudSyncConfig
from ghela.cloudsync.outbox import Outbox
from ghela.cloudsync.service import CloudSyncService
from ghela.cloudsync.status import StatusReporter
from ghela.cloudsync.store import StateStore
from ghela.core.backoff import Backoff
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.config import load_config
from ghela.core.errors import ConfigurationError, PermanentError, TransientError
from ghela.core.messages.light import LightState
from ghela.core.messages.scrape import ScrapeResult
from ghela.core.wiretypes import LightPattern

from tests.support.awscalls import unreachable_client
from tests.support.waiting import wait_for


def test_state_survives_reopening(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.db")
    store.synced_revision = 41
    store.enqueue(("iot", {"job_id": "a"}), ("jobs", {"job_id": "a"}))
    store.close()
    again = StateStore(tmp_path / "s.db")
    assert again.synced_revision == 41
    assert [(e.lane, e.payload["job_id"]) for e in again.pending()] == [("iot", "a"), ("jobs", "a")]


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(initial=1, cap=5)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [(backoff.failed(start) - start).total_seconds() for _ in range(5)]
    assert delays == [1, 2, 4, 5, 5]
    backoff.succeeded()
    assert backoff.delay() == 0


def test_each_lane_delivers_in_order_and_one_lane_down_does_not_hold_the_other(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = StateStore(tmp_path / "s.db")
    delivered: list[tuple[str, int]] = []
    jobs_down = True

    def deliver_jobs(entry: dict) -> None:
        if jobs_down:
            raise TransientError("DynamoDB unreachable")
        delivered.append(("jobs", entry["n"]))

    outbox = Outbox(
        store,
        {"iot": lambda e: delivered.append(("iot", e["n"])), "jobs": deliver_jobs},
        clock,
        lambda: Backoff(initial=60, cap=600),
    )
    outbox.start()
    try:
        # One put: the jobs lane's pass sees all three, so its first two fail in a row and the
        # lane backs off as a whole. (Entries put one by one could each fail alone, and the
        # lane would rightly go on with the later ones while the first waits: the module's
        # "one bad entry never holds up the others".)
        outbox.put(*(entry for n in range(3) for entry in (("iot", {"n": n}), ("jobs", {"n": n}))))
        wait_for(lambda: len(delivered) == 3, what="iot lane")
        assert delivered == [("iot", 0), ("iot", 1), ("iot", 2)]
        assert [e.payload["n"] for e in store.pending("jobs")] == [0, 1, 2]
        worker = outbox.workers["jobs"]
        wait_for(worker.backing_off.is_set, what="the jobs lane backing off after the outage")
        jobs_down = False
        clock.advance(minutes=1)  # the backoff's first retry is due
        wait_for(lambda: not store.pending(), what="jobs lane after the outage")
        assert [n for lane, n in delivered if lane == "jobs"] == [0, 1, 2]
    finally:
        outbox.stop()
        store.close()


def test_a_refused_entry_is_dead_lettered_once_and_a_failing_one_waits_without_blocking(
    tmp_path: Path, clock: FrozenClock, capsys: pytest.CaptureFixture
) -> None:
    store = StateStore(tmp_path / "s.db")
    tries: dict[str, int] = {}
    delivered: list[str] = []
    dead: list[tuple[str, str]] = []

    def deliver(entry: dict) -> None:
        job = entry["job_id"]
        tries[job] = tries.get(job, 0) + 1
        if job == "forged":
            raise PermanentError("UnauthorizedError: not a topic this device may use")
        if job == "flaky" and tries[job] == 1:
            raise TransientError("IoT did not answer")
        delivered.append(job)

    outbox = Outbox(
        store,
        {"iot": deliver},
        clock,
        lambda: Backoff(initial=5, cap=300),
        on_dead=lambda lane, entry, reason: dead.append((entry["job_id"], reason)),
    )
    outbox.start()
    try:
        outbox.put(("iot", {"job_id": "forged"}))
        outbox.put(("iot", {"job_id": "flaky"}))
        outbox.put(("iot", {"job_id": "real"}))
        wait_for(lambda: delivered == ["real"], what="the good entry past the bad ones")
        assert dead == [("forged", "UnauthorizedError: not a topic this device may use")]
        waiting = store.pending("iot")
        assert [e.payload["job_id"] for e in waiting] == ["flaky"]
        assert waiting[0].retry_at == clock.now() + timedelta(seconds=5)
        assert "did not answer" in waiting[0].last_error
        clock.advance(seconds=5)
        wait_for(lambda: delivered == ["real", "flaky"], what="the flaky entry at its retry time")
        assert tries["forged"] == 1  # set aside once, never retried
        assert [d.payload["job_id"] for d in store.dead_letters()] == ["forged"]
    finally:
        outbox.stop()
        store.close()
    assert main(["sync", "status", "--state", str(tmp_path / "s.db")]) == 0
    out = capsys.readouterr().out
    assert "dead letters: ['iot forged: refused at" in out and "UnauthorizedError" in out


def test_an_outage_costs_two_tries_per_round_not_one_per_entry(tmp_path: Path, clock: FrozenClock) -> None:
    store = StateStore(tmp_path / "s.db")
    tries: list[int] = []

    def unreachable(entry: dict) -> None:
        tries.append(entry["n"])
        raise TransientError("no network")

    outbox = Outbox(store, {"jobs": unreachable}, clock, lambda: Backoff(initial=60, cap=600))
    try:
        for n in range(10):
            store.enqueue(("jobs", {"n": n}))
        outbox.start()
        wait_for(lambda: len(tries) == 2, what="the first round")
        assert tries == [0, 1] and all(e.attempts <= 1 for e in store.pending())
    finally:
        outbox.stop()
        store.close()


def test_configuration_defaults_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(CloudSyncConfig, {})
    assert (config.events_table, config.jobs_table, config.batch_size) == ("ghela-events", "ghela-jobs", 25)
    monkeypatch.setenv("AWS_IOT_THING_NAME", "pi-from-nucleus")
    assert config.resolved_thing_name() == "pi-from-nucleus"
    monkeypatch.delenv("AWS_IOT_THING_NAME")
    with pytest.raises(ConfigurationError, match="thingName"):
        config.resolved_thing_name()
    with pytest.raises(ConfigurationError, match="batchSize"):
        load_config(CloudSyncConfig, {"batchSize": 26})
    with pytest.raises(ConfigurationError, match="retryMaxSeconds"):
        load_config(CloudSyncConfig, {"retryInitialSeconds": 10, "retryMaxSeconds": 1})


def test_sync_commands_show_state_and_ask_for_a_resync(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "state.db"
    store = StateStore(path)
    store.synced_revision = 7
    store.enqueue(("iot", {"job_id": "job-9"}))
    store.close()
    assert main(["sync", "resync", "--state", str(path)]) == 0
    assert main(["sync", "status", "--state", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"synced_revision": 7' in out and '"resync_requested": true' in out and "job-9" in out
    assert main(["sync", "status", "--state", str(tmp_path / "missing.db")]) == 1


class RecordingDb(DynamoDb):
    """Records each status-item update (attribute name → value) instead of calling AWS."""

    def __init__(self) -> None:
        super().__init__(client=unreachable_client())
        self.written: list[dict[str, Any]] = []

    def update(self, table: str, key: dict, expression: str, values: dict, names: dict) -> None:
        self.written.append({names[k]: values[":" + k[1:].replace("a", "v")] for k in names})


def status_reporter(db: RecordingDb, clock: FrozenClock) -> StatusReporter:
    return StatusReporter(
        db, "t", "pi", clock, interval=300, min_gap=5, software_version="1", revision=lambda: 3
    )


def test_the_status_item_is_throttled(clock: FrozenClock) -> None:
    db = RecordingDb()
    updates = db.written
    reporter = status_reporter(db, clock)
    assert reporter.work() == clock.now() + timedelta(seconds=300)  # first write: last seen
    reporter.light_changed(LightState(on=True, pattern=LightPattern.STEADY, since=clock.now()))
    assert reporter.work() == clock.now() + timedelta(seconds=5)  # too soon: wait for the gap
    clock.advance(seconds=5)
    reporter.work()
    assert len(updates) == 2 and updates[1]["light_on"] == {"BOOL": True}
    clock.advance(seconds=10)
    reporter.work()
    assert len(updates) == 2  # nothing changed and no beat due


def test_the_status_item_carries_each_sources_last_scrape(clock: FrozenClock) -> None:
    db = RecordingDb()
    written = db.written
    reporter = status_reporter(db, clock)
    reporter.work()
    assert "scrapes" not in written[0]  # none seen yet: the item says nothing about scrapes
    for source, healthy in (("kaagent.be", True), ("fixtur.es", False), ("kaagent.be", False)):
        reporter.scrape_seen(
            ScrapeResult(
                source=source,
                scraped_at=clock.now(),
                fixtures=[],
                healthy=healthy,
                complete=False,
                reasons=["HTTP 503 after 3 retries"] if not healthy else [],
            )
        )
    clock.advance(seconds=5)
    reporter.work()
    verdicts = json.loads(written[-1]["scrapes"]["S"])
    assert [(v["source"], v["healthy"]) for v in verdicts] == [("fixtur.es", False), ("kaagent.be", False)]
    assert verdicts[1]["reasons"] == ["HTTP 503 after 3 retries"] and verdicts[1]["fixtures"] == 0


def test_an_assembled_cloudsync_asks_nothing_and_stops_quietly(tmp_path: Path) -> None:
    """Assembling asks nothing and starts no thread; stopping one never started is safe."""
    bus = InMemoryBus()
    config = CloudSyncConfig(thing_name="pi", state_path=str(tmp_path / "s.db"))
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    db = DynamoDb(unreachable_client())
    service = CloudSyncService(bus, config, clock, db=db, store=StateStore(config.state_path))
    assert bus.published == []  # start() asks the light for its state
    service.stop()
