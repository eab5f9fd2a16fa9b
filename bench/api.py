"""Benchmark of the Lambda API: cold import time of each handler module, warm latency per route.

- cold: each handler module imported in a fresh ``python`` process (what a Lambda cold start
  pays for our code and its imports before the first request), ``--runs`` times; min/median.
- warm, in-process: every recorded API Gateway event in ``tests/cloud/events/`` handed to its
  handler ``--requests`` times after a warm-up; p50/p99 per route, twice:
  ``moto``   AWS calls over HTTP to a moto server on loopback (DynamoDB, IoT, CloudWatch);
  ``memory`` the same handlers with in-memory stores, i.e. the handler's own cost
             (routing, validation, serialisation, powertools), without any AWS round trip.

Figures are printed, never asserted.

    .venv/bin/python bench/api.py [--runs 5] [--requests 200]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # one INFO line per write would dominate
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

from tests.support.moto import MotoServer, use_dummy_aws_credentials  # noqa: E402

use_dummy_aws_credentials()  # only ever moto: no real account can be touched

from ghela.core.clock import FrozenClock  # noqa: E402
from ghela_cloud.api.routing import FUNCTIONS  # noqa: E402
from ghela_cloud.api.services import Services, configure  # noqa: E402
from ghela_cloud.api.settings import Settings  # noqa: E402
from ghela_cloud.local.lambda_events import LocalLambdaContext, match_route  # noqa: E402

EVENTS = REPO / "tests" / "cloud" / "events"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEVICE = "bench-pi"


def cold_imports(runs: int) -> None:
    print(f"cold import of each handler module, fresh process, {runs} runs (ms)")
    print(f"  {'module':42} {'min':>7} {'median':>7}")
    code = (
        "import time; t = time.perf_counter(); import importlib; importlib.import_module({0!r}); "
        "print((time.perf_counter() - t) * 1000)"
    )
    for function in FUNCTIONS:
        module = function.handler.rsplit(".", 1)[0]
        times = []
        for _ in range(runs):
            argv = [sys.executable, "-c", code.format(module)]
            out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=REPO)
            times.append(float(out.stdout.strip().splitlines()[-1]))
        print(f"  {module:42} {min(times):7.1f} {statistics.median(times):7.1f}")


def seed_items() -> list[dict[str, Any]]:
    from tests.cloud.conftest import concert, game

    return [{"device": DEVICE, "sk": f"event#{i['event_id']:010d}", **i} for i in (game(), concert())]


def seed_jobs() -> list[dict[str, Any]]:
    """A realistic jobs table for one device: 5 pending, 25 finished in the last day."""
    jobs = []
    for n in range(30):
        at = NOW.replace(hour=n % 12).isoformat()
        status = "QUEUED" if n < 5 else ("SUCCEEDED" if n % 4 else "REJECTED")
        jobs.append(
            {
                "job_id": f"bench-{n:04d}",
                "device": DEVICE,
                "operation": "snoozeAlert",
                "document": '{"operation":"snoozeAlert","alertId":31}',
                "requested_by": "bench@example.com",
                "status": status,
                "reason": "" if status != "REJECTED" else "alert 31 not found",
                "created_at": at,
                "updated_at": at,
            }
        )
    return jobs


class MemoryEvents:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def list_events(self, device: str) -> list[dict[str, Any]]:
        return [dict(i) for i in self.items if i["device"] == device]

    def get_event(self, device: str, event_id: int) -> dict[str, Any] | None:
        found = (i for i in self.items if i["device"] == device and i["event_id"] == event_id)
        return next((dict(i) for i in found), None)

    def get_status(self, device: str) -> dict[str, Any] | None:
        return {"device": device, "sk": "status", "light_on": False, "last_seen": NOW.isoformat()}


class MemoryJobs:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {j["job_id"]: j for j in seed_jobs()}

    def record(self, item: dict[str, Any]) -> None:
        self.rows[item["job_id"]] = item

    def mark_failed(self, device: str, job_id: str, reason: str, at: datetime, expires_at: int) -> None:
        self.rows[job_id].update(status="FAILED", reason=reason)

    def list_for_device(self, device: str, limit: int = 500) -> list[dict[str, Any]]:
        rows = [r for r in self.rows.values() if r["device"] == device]
        return sorted(rows, key=lambda r: r["created_at"], reverse=True)[:limit]


class MemoryQueue:
    def create(self, job_id: str, thing_arn: str, document: dict[str, Any], description: str) -> None:
        json.dumps(document)


class MemoryMetrics:
    def series(
        self, device: str, metrics: tuple[str, ...], start: datetime, end: datetime, period: int
    ) -> dict[str, list[tuple[datetime, float]]]:
        return {m: [(start, 1.0), (end, 2.0)] for m in metrics}


def memory_services(settings: Settings, clock: FrozenClock) -> Services:
    services = Services(settings, clock=clock)
    # cached_property slots filled with in-memory stand-ins of the same interface
    services.__dict__.update(
        events=MemoryEvents(seed_items()), jobs=MemoryJobs(), queue=MemoryQueue(), metrics=MemoryMetrics()
    )  # fmt: skip
    return services


def moto_services(settings: Settings, clock: FrozenClock) -> tuple[Services, Callable[[], None]]:
    from boto3.dynamodb.types import TypeSerializer
    from ghela_cloud.local.aws import local_session
    from ghela_cloud.local.provision import provision
    from ghela_cloud.local.server import settings_for

    server = MotoServer()
    server.start()
    resources = provision(server.url, thing_name=DEVICE)
    serializer = TypeSerializer()
    session = local_session(resources.region)
    ddb = session.client("dynamodb", endpoint_url=server.url)
    for table, items in ((resources.events_table, seed_items()), (resources.jobs_table, seed_jobs())):
        for item in items:
            ddb.put_item(TableName=table, Item={k: serializer.serialize(v) for k, v in item.items()})
    return Services(settings_for(resources), clock=clock, session=session), server.stop


def load_handlers() -> list[tuple[str, Callable[..., dict[str, Any]], dict[str, Any], Any]]:
    """Every recorded event with its handler; reads first, so writes do not grow the jobs read."""
    cases = []
    paths = sorted(EVENTS.glob("*.json"), key=lambda p: (not p.name.startswith(("get_", "list_")), p.name))
    for path in paths:
        event = json.loads(path.read_text())
        route = match_route(event["requestContext"]["http"]["method"], event["rawPath"])
        assert route is not None
        module, attribute = route.function.handler.rsplit(".", 1)
        handler = getattr(importlib.import_module(module), attribute)
        cases.append((route.route_key, handler, event, LocalLambdaContext(route.function.name)))
    return cases


def warm(label: str, services: Services, requests: int) -> None:
    configure(services)
    print(f"\nwarm, in-process, {label}: {requests} requests per route after 20 warm-up (ms)")
    print(f"  {'route':36} {'status':>6} {'p50':>8} {'p99':>8}")
    for route_key, handler, event, context in load_handlers():
        for _ in range(20):
            handler(event, context)
        times = []
        status = 0
        for _ in range(requests):
            start = time.perf_counter()
            status = handler(event, context)["statusCode"]
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50 = times[len(times) // 2]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"  {route_key:36} {status:>6} {p50:8.2f} {p99:8.2f}")
    configure(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per module (cold import)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per route")
    args = parser.parse_args()

    cold_imports(args.runs)
    clock = FrozenClock(NOW)
    settings = Settings(devices=(DEVICE,))
    warm("memory (handler cost only)", memory_services(settings, clock), args.requests)
    services, stop = moto_services(settings, clock)
    try:
        warm("moto over HTTP", services, args.requests)
    finally:
        stop()


if __name__ == "__main__":
    main()
