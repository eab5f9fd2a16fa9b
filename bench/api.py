"""Benchmark of the Lambda API: cold import time of each handler module, warm latency per route.

- cold: each handler module imported in a fresh process laid out as the deployed function
  (what a Lambda cold start pays for our code and its imports before the first request),
  ``--runs`` times; min/median beside the target, then where the time goes (``-X importtime``:
  self time summed per top-level package, and the slowest modules). The layout is built once
  in ``cloud/.build/bench-lambda/`` with the runtime's ``python3.12``: ``task/`` is the staged
  source (:mod:`ghela_cloud.deploy.package`), ``deps/`` its requirements installed without
  bytecode (``sam build`` unzips the wheels), both then compiled as ``ghela deploy`` compiles
  the build (:func:`ghela_cloud.deploy.sam.bytecode_command`); ``runtime/`` is boto3, which the
  Lambda runtime brings (as this venv's version). The process gets only those on its path
  (``-I -S``; no awscrt, which the functions do not ship), writes no bytecode (``-B``:
  ``/var/task`` is read-only) and the function's environment with tracing active. Wall and
  CPU time are both printed (on a busy machine the CPU time is the steadier); the last row
  is the libraries every handler needs (pydantic, powertools' Logger and validating resolver) alone.
- warm, in-process: every recorded API Gateway event in ``tests/cloud/events/`` handed to its
  handler ``--requests`` times after a warm-up; p50/p99 per route, twice:
  ``moto``   AWS calls over HTTP to a moto server on loopback (DynamoDB, IoT, CloudWatch);
  ``memory`` the same handlers with in-memory stores, i.e. the handler's own cost
             (routing, validation, serialisation, powertools), without any AWS round trip.

- instructions (``--instructions``, where valgrind is installed): each row's import once
  under ``valgrind --tool=callgrind``, the instructions it executes (the interpreter's own
  start subtracted). A count does not change with the machine's load, so two trees can be
  compared on a shared machine whose speed varies from one minute to the next; the time
  follows it in proportion. With ``--against REV`` too, REV's count is printed beside each
  handler's, with the ratio.

- against (``--against REV``): the handlers of git revision ``REV`` (its ``cloud/ghela_cloud``
  and ``components/ghela``, staged the same way beside today's libraries) and this tree's,
  imported in turn, run after run: both sides meet the same moment's machine speed, so their
  difference holds where the absolute times drift (this shared machine's speed varies about
  2x from one minute to the next).

Figures are printed, never asserted.

    .venv/bin/python bench/api.py [--runs 5] [--requests 200] [--top 6] [--cold-only] [--instructions]
                                  [--against REV]
"""

from __future__ import annotations

import argparse
import functools
import importlib
import io
import json
import os
import shutil
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


COLD_TARGET_MS = 250.0
LIBRARIES_ALONE = "(pydantic + powertools' Logger, resolver)"
_LIBRARIES = (
    "ghela.core.pydanticplugins",
    "pydantic.main",
    "pydantic.type_adapter",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.event_handler.api_gateway",
    "aws_lambda_powertools.event_handler.openapi.params",
    "aws_lambda_powertools.event_handler.middlewares.openapi_validation",
)
"""What every handler imports whatever our code does: the floor under the handlers' rows.
With the resolver's validation (``enable_validation``, the routes' ``Query``/``Path``/``Body``):
its ``openapi/compat.py`` creates a pydantic model as it is imported, so pydantic searches
for plugins; the ``ghela`` package answers that search without ``importlib.metadata``
(:mod:`ghela.core.pydanticplugins`), in this row as in the handlers'."""
LAMBDA_TREE = REPO / "cloud" / ".build" / "bench-lambda"
_IMPORT_AND_TIME = (
    "import sys, time; sys.path[:0] = {path!r}; t, c = time.perf_counter(), time.process_time(); "
    "import importlib; [importlib.import_module(m) for m in {modules!r}]; "
    "print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000); "
)
_FIRST_CALL_TRACER = (
    "t = time.perf_counter(); from ghela_cloud.api.tracing import traced; "
    "traced(lambda e, c: {})({}, None); print((time.perf_counter() - t) * 1000)"
)
"""Prints the import's wall time and CPU time (ms): on a busy machine the CPU time is the
steadier figure, as the wall time includes waiting for a core. Then the wall time the
handler's first call adds for its Tracer (the X-Ray SDK, patching botocore), which the
import no longer pays (:mod:`ghela_cloud.api.tracing`)."""


_INTERPRETER_FLAGS = ("-I", "-S", "-B")
"""As the function's process runs: only its own path, and no bytecode written (``/var/task``
is read-only)."""


def handler_module(function: Any) -> str:
    """The module of a function's ``Handler`` (``ghela_cloud.api.handlers.events.handler``)."""
    return str(function.handler.rsplit(".", 1)[0])


def runtime_python(what: str) -> Path | None:
    """The functions' runtime (python3.12), or None with a line saying ``what`` is skipped."""
    from ghela_cloud.deploy.sam import find_runtime_python

    python = find_runtime_python()
    if python is None:
        print(f"{what}: skipped, no python3.12 (the functions' runtime) on this machine")
    return python


def timed_import(
    python: Path, path: list[str], modules: tuple[str, ...], env: dict[str, str], then: str = ""
) -> list[float]:
    """Import ``modules`` in a fresh process laid out as ``path``: wall and CPU ms, and the
    figure ``then`` prints when given (the last ones on stdout: an import may print too)."""
    code = _IMPORT_AND_TIME.format(path=path, modules=modules) + then
    out = subprocess.run(
        [str(python), *_INTERPRETER_FLAGS, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return [float(value) for value in out.stdout.split()[-3 if then else -2 :]]


def lambda_tree(python: Path) -> list[str]:
    """The deployed function's import path: (re)built as the module docstring says."""
    import hashlib
    from importlib.metadata import version

    from ghela_cloud.deploy.package import REQUIREMENTS, stage_lambda_source
    from ghela_cloud.deploy.sam import bytecode_command

    task, deps, runtime = (LAMBDA_TREE / name for name in ("task", "deps", "runtime"))
    boto3 = f"boto3=={version('boto3')}"
    stamp = LAMBDA_TREE / "installed"
    want = hashlib.sha256(f"{python}\n{boto3}\n{REQUIREMENTS}".encode()).hexdigest()
    if not stamp.is_file() or stamp.read_text() != want:
        print(f"  installing the functions' requirements and {boto3} for {python} ...", flush=True)
        if LAMBDA_TREE.exists():
            shutil.rmtree(LAMBDA_TREE)
        LAMBDA_TREE.mkdir(parents=True)
        (LAMBDA_TREE / "requirements.txt").write_text(REQUIREMENTS)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _quiet([*pip, "--no-compile", "--target", str(deps), "-r", str(LAMBDA_TREE / "requirements.txt")])
        _quiet([*pip, "--target", str(runtime), boto3])
        _quiet(bytecode_command(python, deps))
        stamp.write_text(want)
    stage_lambda_source(task)
    _quiet(bytecode_command(python, task))
    return [str(task), str(deps), str(runtime)]


def _quiet(argv: list[str]) -> None:
    """Run ``argv``; its output only if it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} ... failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def lambda_environment(function: str, task: str) -> dict[str, str]:
    """What Lambda sets for a function of the template (``Tracing: Active``), and its own variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": task,
        "AWS_LAMBDA_FUNCTION_NAME": f"ghela-{function}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
        "POWERTOOLS_SERVICE_NAME": "ghela-api",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "GHELA_WIDGET_IMAGES": "true",
    }


def import_profile(stderr: str) -> tuple[dict[str, float], list[tuple[float, str]]]:
    """``-X importtime`` lines → self time (ms) per top-level package, and per module."""
    packages: dict[str, float] = {}
    modules: list[tuple[float, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, _, name = (part.strip() for part in line[len("import time:") :].split("|"))
        ms = int(own) / 1000
        top = name.split(".", 1)[0]
        packages[top] = packages.get(top, 0.0) + ms
        modules.append((ms, name))
    return packages, sorted(modules, reverse=True)


def cold_imports(runs: int, top: int) -> None:
    python = runtime_python("cold import")
    if python is None:
        return
    path = lambda_tree(python)
    print(f"cold import of each handler module, fresh {python.name} laid out as the function, {runs} runs")
    print(
        f"  {'module':42} {'wall min':>8} {'median':>7} {'cpu min':>8} {'median':>7} {'target':>7}"
        f" {'1st call: Tracer':>17}"
    )
    profiles = []
    rows = [(handler_module(f), f.name) for f in FUNCTIONS] + [(LIBRARIES_ALONE, "EventsFunction")]
    for module, function in rows:
        imported = _LIBRARIES if module == LIBRARIES_ALONE else (module,)
        env = lambda_environment(function, path[0])
        wall, cpu, tracer = [], [], []
        for _ in range(runs):
            elapsed, used, first_call = timed_import(python, path, imported, env, then=_FIRST_CALL_TRACER)
            wall.append(elapsed)
            cpu.append(used)
            tracer.append(first_call)
        mark = "     " if min(wall) <= COLD_TARGET_MS else " over"
        on_first_call = "" if module == LIBRARIES_ALONE else f" {statistics.median(tracer):17.1f}"
        print(
            f"  {module:42} {min(wall):8.1f} {statistics.median(wall):7.1f} "
            f"{min(cpu):8.1f} {statistics.median(cpu):7.1f} {COLD_TARGET_MS:7.0f}{mark}{on_first_call}"
        )
        if module == LIBRARIES_ALONE:
            continue
        code = _IMPORT_AND_TIME.format(path=path, modules=imported)
        timed = [str(python), "-X", "importtime", *_INTERPRETER_FLAGS, "-c", code]
        traced = subprocess.run(timed, capture_output=True, text=True, env=env, check=True)
        profiles.append((module, *import_profile(traced.stderr)))
    print(f"\nwhere a cold import goes (-X importtime, one run each; self ms, top {top})")
    for module, packages, modules in profiles:
        total = sum(packages.values())
        heavy = sorted(packages.items(), key=lambda kv: kv[1], reverse=True)[:top]
        print(f"  {module} ({total:.0f} ms in {len(modules)} modules)")
        print("    packages: " + ", ".join(f"{name} {ms:.0f}" for name, ms in heavy))
        print("    modules:  " + ", ".join(f"{name} {ms:.0f}" for ms, name in modules[:top]))


def instructions(python: Path, path: list[str], modules: tuple[str, ...], env: dict[str, str]) -> int:
    """Instructions the interpreter executes to import ``modules`` (callgrind's ``I refs``)."""
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        str(python),
        *_INTERPRETER_FLAGS,
    ]
    code = _IMPORT_AND_TIME.format(path=path, modules=modules)
    done = subprocess.run([*argv, "-c", code], capture_output=True, text=True, check=True, env=env)
    counted = [line for line in done.stderr.splitlines() if " refs:" in line]
    return int(counted[-1].rsplit(":", 1)[1].replace(",", ""))


def staged_has(task: str, module: str) -> bool:
    """Whether the staged source ``task`` has ``module`` (a revision may predate a handler)."""
    return (Path(task) / module.replace(".", "/")).with_suffix(".py").is_file()


@functools.cache
def staged_revision(python: Path, revision: str) -> str:
    """``revision``'s Lambda source, staged and compiled as this tree's is (its ``task/``)."""
    import tarfile
    import tempfile

    from ghela_cloud.deploy.package import stage_lambda_source
    from ghela_cloud.deploy.sam import bytecode_command

    task = LAMBDA_TREE / "against" / "task"
    with tempfile.TemporaryDirectory() as checkout:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", revision, "cloud/ghela_cloud", "components/ghela"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(checkout, filter="data")
        stage_lambda_source(task, repo=Path(checkout))
    _quiet(bytecode_command(python, task))
    return str(task)


def cold_imports_against(revision: str, runs: int) -> None:
    """Each handler's cold import at ``revision`` and here, alternated in every run."""
    python = runtime_python("against")
    if python is None:
        return
    path = lambda_tree(python)
    sides = {"before": [staged_revision(python, revision), *path[1:]], "after": path}
    print(f"\ncold import at {revision} (before) and in this tree (after), alternated, {runs} runs (ms)")
    print(f"  {'module':42} {'before min':>10} {'after min':>9} {'change':>7}   cpu: before  after")
    for function in FUNCTIONS:
        module = handler_module(function)
        if not staged_has(sides["before"][0], module):
            print(f"  {module:42} {'(not at ' + revision + ')':>10}")
            continue
        wall: dict[str, list[float]] = {"before": [], "after": []}
        cpu: dict[str, list[float]] = {"before": [], "after": []}
        for run in range(runs):
            for side in ("before", "after") if run % 2 == 0 else ("after", "before"):
                env = lambda_environment(function.name, sides[side][0])
                elapsed, used = timed_import(python, sides[side], (module,), env)
                wall[side].append(elapsed)
                cpu[side].append(used)
        before, after = min(wall["before"]), min(wall["after"])
        print(
            f"  {module:42} {before:10.1f} {after:9.1f} {after - before:+7.1f}"
            f"   {min(cpu['before']):10.1f} {min(cpu['after']):6.1f}"
        )


def import_instructions(against: str | None = None) -> None:
    """Each handler's import in instructions; with ``against``, that revision's beside it."""
    if shutil.which("valgrind") is None:
        print("\ninstructions: skipped, needs valgrind")
        return
    python = runtime_python("\ninstructions")
    if python is None:
        return
    path = lambda_tree(python)
    before = [staged_revision(python, against), *path[1:]] if against else None
    env = lambda_environment("EventsFunction", path[0])
    start = instructions(python, path, (), env)
    floor = instructions(python, path, _LIBRARIES, env) - start
    print("\ninstructions to import each handler module (callgrind, millions; the interpreter's start,")
    print(f"{start / 1e6:.0f}M, subtracted), and how many more than the libraries' row")
    if before is not None:
        print(f"  {'':42} {'':8} {'':8} {'at ' + str(against):>10} {'after/before':>12}")
    for function in FUNCTIONS:
        module = handler_module(function)
        count = instructions(python, path, (module,), lambda_environment(function.name, path[0])) - start
        line = f"  {module:42} {count / 1e6:8.0f} {(count - floor) / 1e6:+8.0f}"
        if before is not None and staged_has(before[0], module):
            env_before = lambda_environment(function.name, before[0])
            then = instructions(python, before, (module,), env_before) - start
            line += f" {then / 1e6:10.0f} {count / then:12.2f}"
        print(line)
    print(f"  {LIBRARIES_ALONE:42} {floor / 1e6:8.0f}")


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
    parser.add_argument("--top", type=int, default=6, help="packages and modules shown per cold import")
    parser.add_argument("--cold-only", action="store_true", help="only the cold imports")
    parser.add_argument(
        "--instructions", action="store_true", help="also count each import's instructions (valgrind)"
    )
    parser.add_argument("--against", metavar="REV", help="also compare the cold imports with revision REV")
    args = parser.parse_args()

    cold_imports(args.runs, args.top)
    if args.instructions:
        import_instructions(args.against)
    if args.against:
        cold_imports_against(args.against, args.runs)
    if args.cold_only:
        return
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
