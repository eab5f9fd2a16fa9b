"""The CLI's write path: ``ghela alert snooze`` from its start to the commit and the nudge.

No running system is needed: a demo database in a temporary folder, and a listener on its
nudge socket in this process (as a running Scheduler listens, :mod:`ghela.scheduler.nudge`).
Then:

- ``--runs`` times (default 10), alternately ``ghela alert snooze`` and ``unsnooze`` of
  one alert, run as ``python -m ghela.cli ... --db DB`` (as a person types it): seconds from
  starting the process until the nudge is heard, and until the process has ended. The
  light follows the nudge within about 0.1 s (the Scheduler checks ``PRAGMA data_version``
  at once and publishes); ``bench/e2e.py`` times the whole path, CLI -> light, on
  ``ghela up``. The 1 s target is for the whole path, on a Pi that is slower than this
  machine, so the CLI's share should be about half of it here.
- the breakdown of the CLI's own time, the median of the same runs: the same command under
  a small harness (:data:`HARNESS`) that timestamps each phase of the real ``ghela.cli.main``
  (wrapping the functions ``ghela.scheduler.cli`` calls; nothing is re-implemented):
  interpreter start, imports, arguments, open + migrate check, configuration read (the
  first query), command (validate and apply), commit (flush and fsync), nudge, the rest of
  ``main`` and the interpreter's exit.

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
from pathlib import Path

from ghela.scheduler.nudge import NudgeListener

TARGET_CLI_TO_LIGHT_S = 1.0
TARGET_CLI_SHARE_S = TARGET_CLI_TO_LIGHT_S / 2
"""The CLI's share on this machine: the Pi is slower, and the light follows the nudge."""
ALERT_ID = "2"
"""An alert of the demo database that has not ended (the demo's second alert is ~2 h ahead)."""

PHASES = (
    ("interpreter", "interpreter start (until the first line runs)"),
    ("imports", "imports (ghela.cli and the subcommand's module)"),
    ("arguments", "argument parsing"),
    ("open", "open + migrate check (Store)"),
    ("config", "configuration read (first query)"),
    ("command", "command: validate and apply (until the commit)"),
    ("commit", "commit (flush + fsync)"),
    ("nudge", "nudge"),
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
from sqlalchemy import event
from sqlmodel import Session

def timed(function, before, after):
    def wrapper(*args, **kwargs):
        marks.setdefault(before, now())
        try:
            return function(*args, **kwargs)
        finally:
            marks[after] = now()
    return wrapper

commands.Store = timed(commands.Store, "opening", "opened")
commands._config = timed(commands._config, "configuring", "configured")
commands.nudge = timed(commands.nudge, "nudging", "nudged")
event.listen(Session, "before_commit", lambda session: marks.__setitem__("committing", now()))
event.listen(Session, "after_commit", lambda session: marks.__setitem__("committed", now()))
code = cli.main(argv)
marks["returned"] = now()
sys.stderr.write("\nghela-bench-marks " + json.dumps(marks) + "\n")
sys.exit(code)
"""


heard_at = [0.0]
"""When the listener last heard a nudge (``time.time()``), set from its thread."""


def run(database: Path, verb: str, heard: threading.Event) -> dict[str, float]:
    """One harnessed CLI run: phase -> seconds, plus ``heard`` (start -> nudge) and ``total``."""
    heard.clear()
    command = [sys.executable, "-c", HARNESS, "alert", verb, ALERT_ID, "--db", str(database)]
    used_before = _children_cpu()
    spawned = time.time()
    done = subprocess.run(command, capture_output=True, text=True)
    ended = time.time()
    cpu = _children_cpu() - used_before
    if done.returncode != 0 or "ghela-bench-marks " not in done.stderr:
        raise SystemExit(f"`ghela alert {verb}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    if not heard.wait(5):
        raise SystemExit(f"`ghela alert {verb}` ran, but no nudge was heard")
    marks = json.loads(done.stderr.rsplit("ghela-bench-marks ", 1)[1])
    # The configuration's read transaction commits too: the marks kept are the last commit's.
    edges = {
        "interpreter": ((spawned, 0.0), marks["started"]),
        "imports": (marks["started"], marks["imported"]),
        "arguments": (marks["imported"], marks["opening"]),
        "open": (marks["opening"], marks["opened"]),
        "config": (marks["configuring"], marks["configured"]),
        "command": (marks["configured"], marks["committing"]),
        "commit": (marks["committing"], marks["committed"]),
        "nudge": (marks["nudging"], marks["nudged"]),
        "rest": (marks["nudged"], marks["returned"]),
        "exit": (marks["returned"], (ended, cpu)),
    }
    figures = {phase: end[0] - start[0] for phase, (start, end) in edges.items()}
    figures.update({f"{phase} cpu": end[1] - start[1] for phase, (start, end) in edges.items()})
    figures["heard"] = heard_at[0] - spawned
    figures["total"] = ended - spawned
    figures["cpu"] = cpu
    return figures


def _children_cpu() -> float:
    """User plus system CPU seconds of this process's ended children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="CLI runs to time (snooze, unsnooze, ...)")
    args = parser.parse_args()
    heard = threading.Event()

    def on_nudge() -> None:
        heard_at[0] = time.time()
        heard.set()

    with tempfile.TemporaryDirectory(prefix="ghela-bench-cli-") as temporary:
        database = Path(temporary) / "ghela.db"
        subprocess.run(
            [sys.executable, "-m", "ghela.cli", "db", "demo", "--db", str(database)],
            check=True,
            capture_output=True,
        )
        listener = NudgeListener(database, on_nudge).start()
        try:
            runs = [run(database, ("snooze", "unsnooze")[n % 2], heard) for n in range(args.runs)]
        finally:
            listener.stop()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    cached = (
        "no (PYTHONDONTWRITEBYTECODE: compiled from source each run)"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else "yes, once an earlier run wrote it"
    )
    print(f"load average: {load} on {os.cpu_count()} cores; ghela bytecode cached: {cached}")
    print(f"breakdown of `ghela alert snooze|unsnooze`, median of {len(runs)} runs:")
    print(f"  {'':<52} {'wall':>6}    {'CPU':>6}")
    for phase, label in PHASES:
        wall = statistics.median(r[phase] for r in runs) * 1000
        used = statistics.median(r[f"{phase} cpu"] for r in runs) * 1000
        print(f"  {label:<52} {wall:6.0f} ms {used:6.0f} ms")
    heard_s = [r["heard"] for r in runs]
    total_s = [r["total"] for r in runs]
    print(
        f"CLI start -> nudge heard: p50 {statistics.median(heard_s):.2f} s   max {max(heard_s):.2f} s"
        f"   (target <= {TARGET_CLI_SHARE_S:.2f} s here: half of CLI -> light <= "
        f"{TARGET_CLI_TO_LIGHT_S:.0f} s, for the Pi; bench/e2e.py times the light)"
    )
    print(
        f"CLI process start -> end: p50 {statistics.median(total_s):.2f} s   max {max(total_s):.2f} s"
        f"   (CPU used: p50 {statistics.median(r['cpu'] for r in runs):.2f} s, min "
        f"{min(r['cpu'] for r in runs):.2f} s: the figure least changed by a busy machine)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
