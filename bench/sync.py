"""Benchmark of CloudSync: DynamoDB requests per scrape, and job latency through the runtime.

    .venv/bin/python bench/sync.py [--jobs 40] [--skip-runtime]

1. Requests per scrape: the real Scheduler and CloudSync in one process (an in-memory bus),
   DynamoDB on a moto server over HTTP. After an initial scrape of 60 home games, three
   scrapes change 0, 1 and 50 of them; every request CloudSync's DynamoDB client makes to
   write events is counted by a counting client (status-item writes are not event
   writes and are listed apart). Expected: 0, 1 and ceil(50/25) = 2.
2. Job latency through the local runtime (tests/support/runtime.py): the Scheduler and
   CloudSync as processes on the real IPC wire, the runtime's IoT Jobs endpoint on moto's
   control plane. ``--jobs`` jobs are created with boto3 ``iot.create_job``; for each, the
   time from its delivery to CloudSync (``start-next/accepted`` on the local IoT Core) to
   the Scheduler's COMMAND_RESULT (seen by an IPC probe) — p50 and p99 — and, for
   information, create_job → SUCCEEDED (dominated by the endpoint's control-plane poll).

Figures depend on the machine and its load; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.awscalls import CountingClient  # noqa: E402
from tests.support.moto import MotoServer, use_dummy_aws_credentials  # noqa: E402

use_dummy_aws_credentials()  # only ever moto: no real account can be touched

from ghela.cloudsync.aws import DynamoDb  # noqa: E402
from ghela.cloudsync.config import CloudSyncConfig  # noqa: E402
from ghela.cloudsync.service import CloudSyncService  # noqa: E402
from ghela.cloudsync.store import StateStore  # noqa: E402
from ghela.core import topics  # noqa: E402
from ghela.core.bus import InMemoryBus  # noqa: E402
from ghela.core.clock import SystemClock  # noqa: E402
from ghela.core.messages import Message  # noqa: E402
from ghela.core.messages.scrape import Fixture, ScrapeResult  # noqa: E402
from ghela.core.messages.snapshots import RevisionChanged  # noqa: E402
from ghela.scheduler.config import SchedulerConfig  # noqa: E402
from ghela.scheduler.service import SchedulerService  # noqa: E402
from ghela.scheduler.store import Store  # noqa: E402
from ghela_cloud.names import events_table_spec, jobs_table_spec  # noqa: E402

EVENT_WRITES = {"PutItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
THING = "bench-pi"


def _fixtures(count: int, shifted: int, base: datetime) -> list[Fixture]:
    """``count`` home games; the first ``shifted`` of them kick off an hour later."""
    return [
        Fixture(
            key=f"bench-{n}",
            home="KAA Gent",
            away=f"Opponent {n}",
            competition="Jupiler Pro League",
            season="2026-2027",
            kickoff=base + timedelta(days=7 * n, hours=1 if n < shifted else 0),
        )
        for n in range(count)
    ]


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        pause.wait(0.01)


def requests_per_scrape(server: MotoServer, work: Path) -> list[tuple[int, int, list[str]]]:
    client = server.client("dynamodb")
    events, jobs = f"bench-events-{uuid.uuid4().hex[:6]}", f"bench-jobs-{uuid.uuid4().hex[:6]}"
    client.create_table(**events_table_spec(events))
    client.create_table(**jobs_table_spec(jobs))

    bus = InMemoryBus()
    clock = SystemClock()
    revisions: list[int] = []
    bus.subscribe(topics.STATE_CHANGED, lambda m: revisions.append(_revision(m)))
    scheduler_config = SchedulerConfig(db_path=str(work / "ghela.db"))
    scheduler = SchedulerService(bus, scheduler_config, clock, Store(scheduler_config.db_path)).start()
    calls: list[str] = []
    dynamodb = CountingClient(server.url, calls)
    config = CloudSyncConfig(
        thing_name=THING,
        events_table=events,
        jobs_table=jobs,
        aws_endpoint_url=server.url,
        state_path=str(work / "cloudsync.sqlite3"),
        status_interval_seconds=3600,
    )
    store = StateStore(config.state_path)
    cloudsync = CloudSyncService(bus, config, clock, db=DynamoDb(dynamodb), store=store).start()
    base = (SystemClock().now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def scrape(shifted: int) -> list[str]:
        before_revisions, before_calls = len(revisions), len(calls)
        result = ScrapeResult(
            source="bench",
            scraped_at=clock.now(),
            fixtures=_fixtures(60, shifted, base),
            healthy=True,
            complete=True,
            rows_found=60,
            rows_parsed=60,
        )
        bus.publish(topics.SCRAPE_RESULT, result)
        if len(revisions) > before_revisions:
            _wait(
                lambda: (
                    cloudsync.store.synced_revision >= revisions[-1] and cloudsync.sync_worker.idle.is_set()
                ),
                30,
                "the sync",
            )
        else:
            time.sleep(0.5)  # nothing announced: give a wrongly woken sync time to show itself
        return calls[before_calls:]

    try:
        scrape(0)  # the initial 60 games
        results = []
        for changed, shifted in ((0, 0), (1, 1), (50, 50)):
            made = scrape(shifted)
            results.append((changed, sum(1 for c in made if c in EVENT_WRITES), made))
        return results
    finally:
        cloudsync.stop()
        scheduler.stop()


def _revision(message: Message) -> int:
    assert isinstance(message, RevisionChanged)
    return message.revision


def job_latency(server: MotoServer, work: Path, count: int) -> dict[str, list[float]] | str:
    try:
        from tests.support.runtime import CLOUD_SYNC, SCHEDULER, LocalRuntime
    except ImportError as exc:
        return f"the runtime harness is not available ({exc})"
    client = server.client("dynamodb")
    events, jobs = f"bench-events-{uuid.uuid4().hex[:6]}", f"bench-jobs-{uuid.uuid4().hex[:6]}"
    client.create_table(**events_table_spec(events))
    client.create_table(**jobs_table_spec(jobs))
    thing = f"bench-pi-{uuid.uuid4().hex[:6]}"
    iot = server.client("iot")
    arn = iot.create_thing(thingName=thing)["thingArn"]
    delivered: dict[str, float] = {}
    applied: dict[str, float] = {}
    created: dict[str, float] = {}
    overrides = {
        SCHEDULER: {"dbPath": str(work / "runtime-ghela.db")},
        CLOUD_SYNC: {"eventsTable": events, "jobsTable": jobs, "awsEndpointUrl": server.url},
    }
    with LocalRuntime(
        work / "runtime",
        components=[SCHEDULER, CLOUD_SYNC],
        thing_name=thing,
        aws_endpoint_url=server.url,
        config_overrides=overrides,
    ) as runtime:
        runtime.wait_for_state(SCHEDULER, "RUNNING")
        runtime.wait_for_state(CLOUD_SYNC, "RUNNING")

        def on_delivery(topic: str, payload: bytes) -> None:
            execution = json.loads(payload).get("execution")
            if execution:
                delivered.setdefault(execution["jobId"], time.monotonic())

        runtime.iot_core.subscribe(f"$aws/things/{thing}/jobs/start-next/accepted", on_delivery)
        probe = runtime.probe(subscribe=[topics.COMMAND_RESULT])
        probe.subscribe(topics.COMMAND_RESULT, lambda m: applied.setdefault(m.command_id, time.monotonic()))
        start = SystemClock().now() + timedelta(days=40)
        ids = [f"bench-{uuid.uuid4().hex[:12]}" for _ in range(count)]
        for n, job_id in enumerate(ids):
            document = {
                "operation": "createEvent",
                "title": f"Bench event {n}",
                "start": (start + timedelta(days=n)).isoformat(),
            }
            created[job_id] = time.monotonic()
            iot.create_job(jobId=job_id, targets=[arn], document=json.dumps(document))
        _wait(
            lambda: all(
                (s := runtime.jobs.status(thing, j)) is not None and s.status == "SUCCEEDED" for j in ids
            ),
            120,
            "every job SUCCEEDED",
        )
        done = time.monotonic()
    return {
        "delivered_to_applied": [applied[j] - delivered[j] for j in ids],
        "created_to_all_succeeded": [done - created[ids[0]]],
    }


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--skip-runtime", action="store_true")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    with MotoServer() as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("DynamoDB event-write requests per scrape (60 games stored):")
        for changed, writes, made in requests_per_scrape(server, work):
            print(f"  {changed:>2} changed events -> {writes} write request(s)   all requests: {made}")
        if args.skip_runtime:
            return
        latency = job_latency(server, work, args.jobs)
        if isinstance(latency, str):
            print(f"job latency through the runtime: not measured: {latency}")
            return
        print("job latency through the local runtime (real IPC, Scheduler and CloudSync processes):")
        figures = _ms(latency["delivered_to_applied"])
        print(f"  delivered (start-next/accepted) -> Scheduler applied: {figures}")
        total = latency["created_to_all_succeeded"][0]
        print(f"  {args.jobs} jobs: first create_job -> all SUCCEEDED: {total:.2f} s")


if __name__ == "__main__":
    main()
