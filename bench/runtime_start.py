"""Benchmark: how long the local runtime takes to bring up the whole system, and to heal.

Run: ``.venv/bin/python bench/runtime_start.py [--rounds 3]``

Each round starts the local nucleus on the project's ``recipes/`` in developer mode (venvs
linked to this Python, so Install is skipped; AWS pointed at a closed port: offline) in a
fresh temporary root, and measures from ``start()`` until each component has reported
RUNNING over IPC (its "started" log line), then SIGKILLs the Scheduler and measures until
its next life reports RUNNING again. Figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ghela.core.backoff import Backoff
from ghela.core.componentnames import ALERT_LIGHT, CLOUD_SYNC, METRICS, RUNNING, SCHEDULER, SCRAPER
from ghela.core.layout import Layout
from ghela_tools.packaging.deployment import deployment_document
from ghela_tools.runtime.deployment import parse_deployment
from ghela_tools.runtime.logs import output_lines
from ghela_tools.runtime.nucleus import LocalNucleus
from ghela_tools.runtime.recipes import load_recipes
from ghela_tools.runtime.supervisor import Settings

REPO = Path(__file__).resolve().parents[1]
COMPONENTS = list(RUNNING)
OFFLINE = "http://127.0.0.1:9"
OVERRIDES: dict[str, dict[str, Any]] = {
    SCRAPER: {"merge": {"sources": []}},
    ALERT_LIGHT: {"merge": {"pinFactory": "mock"}},
    CLOUD_SYNC: {"merge": {"awsEndpointUrl": OFFLINE}},
    METRICS: {"merge": {"awsEndpointUrl": OFFLINE}},
}
DEPLOYMENT = parse_deployment(
    deployment_document(load_recipes(REPO / "recipes"), "arn:aws:iot:eu-west-1:1:thinggroup/b", OVERRIDES),
    "bench",
)


def lives(layout: Layout, name: str) -> int:
    """How many times the component has logged that its service started."""
    return sum(" started" in line for line in output_lines(layout.log_file(name)) if '"message"' in line)


def wait_for_lives(layout: Layout, wanted: dict[str, int], timeout: float = 60.0) -> dict[str, float]:
    """The monotonic instant at which each component reached its wanted number of lives."""
    begin, reached = time.monotonic(), dict[str, float]()
    while len(reached) < len(wanted):
        for name, count in wanted.items():
            if name not in reached and lives(layout, name) >= count:
                reached[name] = time.monotonic()
        if time.monotonic() - begin > timeout:
            raise TimeoutError(f"not started in time: {sorted(set(wanted) - set(reached))}")
        time.sleep(0.01)
    return reached


def one_round() -> tuple[dict[str, float], float]:
    with tempfile.TemporaryDirectory(prefix="ghela-bench-") as folder:
        root = Path(folder)
        no_pause = Backoff(initial=0.0, cap=0.0)
        settings = Settings(root=root, python_env=Path(sys.prefix), backoff=no_pause, kill_grace=5.0)
        nucleus = LocalNucleus(load_recipes(REPO / "recipes"), settings, DEPLOYMENT)
        layout = Layout(root)
        begin = time.monotonic()
        nucleus.start()
        try:
            reached = wait_for_lives(layout, dict.fromkeys(COMPONENTS, 1))
            ready = {name: moment - begin for name, moment in reached.items()}
            scheduler = SCHEDULER
            killed = time.monotonic()
            assert nucleus.supervisor is not None  # started above
            pid = nucleus.supervisor.components[scheduler].record.pid
            assert pid is not None  # it has reached its first life
            os.killpg(pid, signal.SIGKILL)
            healed = wait_for_lives(layout, {scheduler: 2})[scheduler] - killed
        finally:
            nucleus.stop()
    return ready, healed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = [one_round() for _ in range(args.rounds)]
    print(f"local runtime, developer mode, {args.rounds} rounds (median seconds):")
    for name in COMPONENTS:
        print(f"  {name:<32} RUNNING after {statistics.median(r[0][name] for r in rounds):6.2f} s")
    every = statistics.median(max(r[0].values()) for r in rounds)
    print(f"  {'all five':<32} RUNNING after {every:6.2f} s")
    healed = statistics.median(r[1] for r in rounds)
    print(f"  {'Scheduler SIGKILLed':<32} RUNNING again after {healed:6.2f} s")


if __name__ == "__main__":
    main()
