"""The CLI's write path: ``ghela alert snooze`` handed to a running Scheduler, and alone.

No running system is needed: a database in a temporary folder with an event whose final
call is lit now, and the real Scheduler service on it in this process (an in-memory bus,
the system clock), listening on its hand-off socket (:mod:`ghela.scheduler.handoff`) as a
running Scheduler does. ``--runs`` times each (default 10), alternately ``ghela alert
snooze`` and ``unsnooze`` of the lit alert, run as ``python -m ghela.cli ... --db DB`` (as a
person types it):

- **hand-off** (the Scheduler running): seconds from starting the process until the
  Scheduler published the light command that follows (snoozed: off; unsnoozed: on), and
  until the process has ended; the breakdown of the CLI's time phase by phase, and how
  long the Scheduler took to apply the command inside the hand-off;
- **alone** (the Scheduler stopped, so nobody listens): seconds until the CLI has
  committed the command (a Scheduler started later reads it; one that runs but does not
  listen finds it within ``dbCheckSeconds``), and the breakdown: interpreter start,
  imports, arguments, the hand-off attempt, open + migrate check, configuration read (the
  first query), command (validate and apply), commit (flush and fsync), the rest of
  ``main`` and the interpreter's exit.

The breakdown is the median of the same runs, each under a small harness (:data:`HARNESS`)
that timestamps the phases of the real ``ghela.cli.main`` (wrapping the functions
``ghela.scheduler.cli`` calls; nothing is re-implemented). The 1 s target is for CLI ->
light on a Pi, which is slower than this machine, so the CLI's share should be about half
of it here; ``bench/e2e.py`` times CLI -> light on ``ghela up``.

Whether the ``ghela`` package's bytecode is cached changes the import figure (about 50 ms
here): with ``PYTHONDONTWRITEBYTECODE`` set, every run compiles ``ghela`` from source. The
Pi's artifact holds no ``__pycache__``; the CLI run there with ``sudo`` (README, "Check")
writes one on its first run. The run prints which case it measured.

Figures are printed beside the target, never asserted. The load average is printed too:
on a busy machine the times are slower, so the CPU time the process used is printed as well.

    .venv/bin/python bench/cli.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from ghela.core import topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import SystemClock
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, CreateEvent
from ghela.core.messages.light import LightCommand
from ghela.scheduler.commands import Applied
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.service import SchedulerService
from ghela.scheduler.store import Store

TARGET_CLI_TO_LIGHT_S = 1.0
TARGET_CLI_SHARE_S = TARGET_CLI_TO_LIGHT_S / 2
"""The CLI's share on this machine: the Pi is slower."""

HANDOFF_PHASES = (
    ("interpreter", "interpreter start (until the first line runs)"),
    ("imports", "imports (ghela.cli and the subcommand's module)"),
    ("arguments", "argument parsing"),
    ("handoff", "hand-off: connect, greeting, command -> result"),
    ("rest", "rest of main (printing)"),
    ("exit", "interpreter exit"),
)
ALONE_PHASES = (
    ("interpreter", "interpreter start (until the first line runs)"),
    ("imports", "imports (ghela.cli and the subcommand's module)"),
    ("arguments", "argument parsing"),
    ("handoff", "hand-off attempt (nobody listens)"),
    ("open", "import the store (sqlmodel) + open + migrate check"),
    ("config", "configuration read (first query)"),
    ("command", "command: validate and apply (until the commit)"),
    ("commit", "commit (flush + fsync)"),
    ("rest", "rest of main (closing, printing)"),
    ("exit", "interpreter exit"),
)

HARNESS = r"""
import time
def now():
    return (time.time(), time.process_time())
marks = {"started": now()}
import importlib, json, sys
argv = sys.argv[1:]
import ghela.cli as cli
importlib.import_module(cli.owner(argv).module)
marks["imported"] = now()
import ghela.scheduler.cli as commands

def timed(function, before, after):
    def wrapper(*args, **kwargs):
        marks.setdefault(before, now())
        try:
            return function(*args, **kwargs)
        finally:
            marks[after] = now()
    return wrapper

commands.hand_off = timed(commands.hand_off, "handing", "handed")
original_alone = commands._apply_alone

def alone(*args, **kwargs):
    # Only here does the CLI need the store: hook it then, as the CLI imports it then.
    import ghela.scheduler.store as store
    from sqlalchemy import event
    from sqlmodel import Session
    store.Store = timed(store.Store, "opening", "opened")
    commands._config = timed(commands._config, "configuring", "configured")
    event.listen(Session, "before_commit", lambda session: marks.__setitem__("committing", now()))
    event.listen(Session, "after_commit", lambda session: marks.__setitem__("committed", now()))
    return original_alone(*args, **kwargs)

commands._apply_alone = alone
code = cli.main(argv)
marks["returned"] = now()
sys.stderr.write("\nghela-bench-marks " + json.dumps(marks) + "\n")
sys.exit(code)
"""


class Scheduler:
    """The real Scheduler service on ``database``, noting when it publishes a light command
    and how long its command handler takes for each (``time.time()``, set from its threads)."""

    def __init__(self, database: Path) -> None:
        self.light_at = 0.0
        self.applying: list[float] = []
        self.lit = threading.Event()
        bus = InMemoryBus()
        publish = bus.publish

        def noting(topic: str, message: Message) -> None:
            publish(topic, message)
            if topic == topics.LIGHT_SET:
                self.light_at = time.time()
                self.lit.set()

        bus.publish = noting  # type: ignore[method-assign]
        config = SchedulerConfig(db_path=str(database))
        self.service = SchedulerService(bus, config, SystemClock(), Store(database))
        handler = self.service.handler
        apply = handler.apply

        def timing(request: CommandRequest, now: datetime) -> Applied:
            began = time.time()
            try:
                return apply(request, now)
            finally:
                self.applying.append(time.time() - began)

        handler.apply = timing  # type: ignore[method-assign]
        self.bus = bus

    def start(self) -> Scheduler:
        self.service.start()
        return self

    def lit_alert(self) -> str:
        """Create an event whose final call (-4 h to -3 h) is lit now; its alert's id."""
        kickoff = SystemClock().now() + timedelta(hours=3, minutes=30)
        self.service.apply(
            CommandRequest(command_id="bench-event", command=CreateEvent(title="Bench", start=kickoff))
        )
        lights = [m for t, m in self.bus.published if t == topics.LIGHT_SET and isinstance(m, LightCommand)]
        (alert_id,) = lights[-1].alert_ids
        self.applying.clear()
        return str(alert_id)

    def stop(self) -> None:
        self.service.stop()


def run(database: Path, verb: str, alert_id: str, scheduler: Scheduler | None) -> dict[str, float]:
    """One harnessed CLI run: phase -> seconds, plus ``result`` (start -> the command
    applied), ``light`` (start -> light command, with a Scheduler) and ``total``."""
    if scheduler is not None:
        scheduler.lit.clear()
    command = [sys.executable, "-c", HARNESS, "alert", verb, alert_id, "--db", str(database)]
    used_before = _children_cpu()
    spawned = time.time()
    done = subprocess.run(command, capture_output=True, text=True)
    ended = time.time()
    cpu = _children_cpu() - used_before
    if done.returncode != 0 or "ghela-bench-marks " not in done.stderr or "applied: " not in done.stdout:
        raise SystemExit(f"`ghela alert {verb}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    marks = json.loads(done.stderr.rsplit("ghela-bench-marks ", 1)[1])
    start: tuple[float, float] = (spawned, 0.0)
    head = {
        "interpreter": (start, marks["started"]),
        "imports": (marks["started"], marks["imported"]),
        "arguments": (marks["imported"], marks["handing"]),
        "handoff": (marks["handing"], marks["handed"]),
    }
    if scheduler is not None:
        if "opening" in marks:
            raise SystemExit(f"`ghela alert {verb}` wrote alone although the Scheduler listens")
        if not scheduler.lit.wait(5):
            raise SystemExit(f"`ghela alert {verb}` ran, but no light command followed")
        edges = {**head, "rest": (marks["handed"], marks["returned"])}
        applied_at = marks["handed"][0]
    else:
        # The configuration's read transaction commits too: the marks kept are the last commit's.
        edges = {
            **head,
            "open": (marks["handed"], marks["opened"]),
            "config": (marks["configuring"], marks["configured"]),
            "command": (marks["configured"], marks["committing"]),
            "commit": (marks["committing"], marks["committed"]),
            "rest": (marks["committed"], marks["returned"]),
        }
        applied_at = marks["committed"][0]
    edges["exit"] = (marks["returned"], (ended, cpu))
    figures = {phase: end[0] - begin[0] for phase, (begin, end) in edges.items()}
    figures.update({f"{phase} cpu": end[1] - begin[1] for phase, (begin, end) in edges.items()})
    figures["result"] = applied_at - spawned
    if scheduler is not None:
        figures["light"] = scheduler.light_at - spawned
    figures["total"] = ended - spawned
    figures["cpu"] = cpu
    return figures


def _children_cpu() -> float:
    """User plus system CPU seconds of this process's ended children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _breakdown(title: str, phases: tuple[tuple[str, str], ...], runs: list[dict[str, float]]) -> None:
    print(f"{title}, median of {len(runs)} runs:")
    print(f"  {'':<52} {'wall':>6}    {'CPU':>6}")
    for phase, label in phases:
        wall = statistics.median(r[phase] for r in runs) * 1000
        used = statistics.median(r[f"{phase} cpu"] for r in runs) * 1000
        print(f"  {label:<52} {wall:6.0f} ms {used:6.0f} ms")


def _line(label: str, values: list[float], target: str) -> None:
    figures = f"p50 {statistics.median(values):.2f} s   max {max(values):.2f} s"
    print(f"  {label:<38} {figures}   {target}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=10, help="CLI runs to time per path (snooze, unsnooze, ...)"
    )
    args = parser.parse_args()
    verbs = [("snooze", "unsnooze")[n % 2] for n in range(args.runs)]
    with tempfile.TemporaryDirectory(prefix="ghela-bench-cli-") as temporary:
        database = Path(temporary) / "ghela.db"
        scheduler = Scheduler(database).start()
        try:
            alert_id = scheduler.lit_alert()
            handed = [run(database, verb, alert_id, scheduler) for verb in verbs]
            applying = list(scheduler.applying)
        finally:
            scheduler.stop()
        alone = [run(database, verb, alert_id, None) for verb in verbs]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    cached = (
        "no (PYTHONDONTWRITEBYTECODE: compiled from source each run)"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else "yes, once an earlier run wrote it"
    )
    print(f"load average: {load} on {os.cpu_count()} cores; ghela bytecode cached: {cached}")
    _breakdown("hand-off to a running Scheduler, `ghela alert snooze|unsnooze`", HANDOFF_PHASES, handed)
    inside = statistics.median(applying) * 1000
    print(f"  (inside the hand-off, its command handler applied each in p50 {inside:.0f} ms)")
    _breakdown("alone (nobody listening), `ghela alert snooze|unsnooze`", ALONE_PHASES, alone)
    share = (
        f"(target <= {TARGET_CLI_SHARE_S:.2f} s here: half of CLI -> light"
        f" <= {TARGET_CLI_TO_LIGHT_S:.0f} s, for the Pi)"
    )
    print("hand-off:")
    _line("CLI start -> light command", [r["light"] for r in handed], share)
    _line("CLI start -> result", [r["result"] for r in handed], "")
    _line("CLI process start -> end", [r["total"] for r in handed], _cpu(handed))
    print("alone:")
    _line("CLI start -> committed (result)", [r["result"] for r in alone], share)
    _line("CLI process start -> end", [r["total"] for r in alone], _cpu(alone))
    return 0


def _cpu(runs: list[dict[str, float]]) -> str:
    used = [r["cpu"] for r in runs]
    p50, least = statistics.median(used), min(used)
    return f"(CPU used: p50 {p50:.2f} s, min {least:.2f} s: least changed by a busy machine)"


if __name__ == "__main__":
    sys.exit(main())
