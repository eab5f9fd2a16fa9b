"""Where each component's memory goes: resident set after start-up and after an hour, and
the top imports by memory.

For each of the five components, one fresh ``python`` process (as the nucleus starts one):

1. imports what ``python -m ghela.<package>`` imports (its ``__main__``, the component
   runner and the IPC module), with an import hook (kept through step 2) that reads ``VmRSS`` around the first
   import of each top-level package, so each package is charged what its own import added
   (its own dependencies that nothing loaded before included; nested packages apart);
2. starts the component's service (``start(bus, config, clock)``, the function
   ``run_component`` calls) on an in-memory bus and an injected :class:`FrozenClock`, with
   its files in a temporary folder and any AWS endpoint pointed at a closed local port (no
   AWS is reached; the clients are made and their calls fail and are retried, as offline);
3. runs one simulated hour: 60 steps of one minute on the injected clock, each with the
   traffic the component sees (light commands, activity, a scrape request every 20 min, a
   revision change...), then reads ``VmRSS`` again: growth would be a leak.

The Scraper's crawls run in short-lived child processes; its figures are the component's
own process between crawls, with the largest crawl child's peak beside it. The component
under the real runtime (IPC connected) is measured by ``bench/e2e.py``; this one shows
where the memory goes. Figures are printed beside the targets, never asserted.

    .venv/bin/python bench/footprint.py [--top 8] [--components Scraper,Scheduler]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.abc import Loader
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ghela.core.bus import InMemoryBus
    from ghela.core.clock import FrozenClock
    from ghela.core.messages import Message

REPO = Path(__file__).resolve().parents[1]
TARGET_TOTAL_MIB = 220.0
TARGET_SCRAPER_MIB = 40.0
COMPONENTS = ("Scraper", "Scheduler", "AlertLight", "CloudSync", "Metrics")
PACKAGES = {
    "Scraper": "scraper",
    "Scheduler": "scheduler",
    "AlertLight": "light",
    "CloudSync": "cloudsync",
    "Metrics": "metrics",
}
HEAVY = ("boto3", "botocore", "cryptography", "sqlmodel", "sqlalchemy", "watchtower", "lxml", "scrapy")
CLOSED_ENDPOINT = "http://127.0.0.1:9"
"""The discard port: nothing listens, so every AWS call fails fast, as offline."""


# ---------------------------------------------------------------------- the measured process


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def charged(name: str) -> str:
    """What a module's memory is charged to: our modules by name (``ghela.core.messages``),
    anything else by its top-level package."""
    parts = name.split(".")
    return ".".join(parts[:3]) if parts[0] == "ghela" else parts[0]


class ImportCosts:
    """A meta-path hook charging each package (see :func:`charged`) the resident memory its
    modules' imports added, less what other packages first imported inside them added."""

    def __init__(self) -> None:
        self.costs: dict[str, float] = {}
        self._stack: list[_Frame] = []

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        key = charged(name)
        if any(frame.key == key for frame in self._stack):
            return None  # inside this package's own import: already being measured
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _Measured(spec.loader, key, self)
            return spec
        return None

    def enter(self, key: str) -> None:
        self._stack.append(_Frame(key, rss_mib()))

    def leave(self) -> None:
        frame = self._stack.pop()
        total = rss_mib() - frame.started
        self.costs[frame.key] = self.costs.get(frame.key, 0.0) + max(0.0, total - frame.nested)
        if self._stack:
            self._stack[-1].nested += total


@dataclass
class _Frame:
    """One package's import in progress: its key, the RSS at its start, what nested imports cost."""

    key: str
    started: float
    nested: float = 0.0


class _Measured(Loader):
    def __init__(self, loader: Loader, key: str, costs: ImportCosts) -> None:
        self._loader = loader
        self._key = key
        self._costs = costs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._costs.enter(self._key)
        try:
            self._loader.exec_module(module)
        finally:
            self._costs.leave()


def measured(component: str, work: Path) -> dict[str, Any]:
    """Runs in the fresh process: import, start, one simulated hour; the figures."""
    costs = ImportCosts()
    sys.meta_path.insert(0, costs)
    baseline = rss_mib()
    package = PACKAGES[component]
    # What `python -m ghela.<package>` imports (its __main__ runs the component at import).
    __import__(f"ghela.{package}.config")
    __import__(f"ghela.{package}.service")
    import ghela.core.component
    import ghela.core.ipc  # noqa: F401

    imported = rss_mib()

    from datetime import UTC, datetime, timedelta

    from ghela.core.bus import InMemoryBus
    from ghela.core.clock import FrozenClock

    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    bus = InMemoryBus()
    traffic = _traffic(component, bus, clock, work)
    service = traffic.start()
    startup = rss_mib()
    sys.meta_path.remove(costs)  # what starting imported (a boto3 client) is charged too
    for minute in range(1, 61):
        clock.advance(timedelta(minutes=1))
        traffic.step(minute)
    hour = rss_mib()
    service.stop()
    import resource

    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    loaded = sorted({name.partition(".")[0] for name in sys.modules})
    return {
        "baseline": baseline,
        "imported": imported,
        "startup": startup,
        "hour": hour,
        "child_peak": child_peak,
        "costs": costs.costs,
        "heavy": [name for name in HEAVY if name in loaded],
    }


@dataclass
class _Traffic:
    start: Callable[[], Any]
    """Starts the component; returns its service (with ``stop()``)."""
    step: Callable[[int], None]
    """What minute ``n`` of its life brings."""


def _traffic(component: str, bus: InMemoryBus, clock: FrozenClock, work: Path) -> _Traffic:
    """The component's start and what one minute of its life brings."""
    from ghela.core import topics
    from ghela.core.messages.counted import Activity, ActivityKind
    from ghela.core.messages.light import LightCommand, LightStateRequest
    from ghela.core.messages.scrape import ScrapeRequest
    from ghela.core.messages.snapshots import RevisionChanged
    from ghela.core.wiretypes import LightPattern

    def publish(topic: str, message: Message) -> None:
        bus.publish(topic, message)

    if component == "Scraper":
        from ghela.scraper.config import ScraperConfig, SourceConfig
        from ghela.scraper.service import start as start_scraper

        feed = REPO / "tests" / "scraper" / "data" / "kaagent-thuis-2024-25.ics"
        scraper_config = ScraperConfig(
            sources=[SourceConfig(name="feed", kind="ics", url=str(feed))],
            state_path=str(work / "scraper-state.json"),
            http_cache_path=str(work / "cache"),
            jitter_seconds=0,
        )

        def scrape(minute: int) -> None:
            if minute % 20 == 0:
                publish(topics.SCRAPE_REQUEST, ScrapeRequest())
                _wait_for(lambda: _count(bus, topics.SCRAPE_RESULT) >= 1 + minute // 20)

        def start_between_crawls() -> Any:
            return _started(start_scraper(bus, scraper_config, clock), bus, topics.SCRAPE_RESULT)

        return _Traffic(start_between_crawls, scrape)
    if component == "Scheduler":
        from ghela.scheduler.config import SchedulerConfig
        from ghela.scheduler.service import start as start_scheduler

        scheduler_config = SchedulerConfig(db_path=str(work / "ghela.db"))
        return _Traffic(
            lambda: start_scheduler(bus, scheduler_config, clock),
            lambda minute: publish(topics.LIGHT_SET_REQUEST, _light_request()),
        )
    if component == "AlertLight":
        from ghela.light.config import LightConfig
        from ghela.light.service import start as start_light

        light_config = LightConfig(pin_factory="mock")

        def light(minute: int) -> None:
            pattern = LightPattern.BLINK if minute % 2 else LightPattern.OFF
            publish(topics.LIGHT_SET, LightCommand(pattern=pattern, issued_at=clock.now()))
            publish(topics.LIGHT_STATE_REQUEST, LightStateRequest())

        return _Traffic(lambda: start_light(bus, light_config, clock), light)
    if component == "CloudSync":
        from ghela.cloudsync.config import CloudSyncConfig
        from ghela.cloudsync.service import start as start_cloudsync

        cloudsync_config = CloudSyncConfig(
            aws_endpoint_url=CLOSED_ENDPOINT,
            thing_name="bench-pi",
            state_path=str(work / "cloudsync-state.sqlite3"),
            retry_initial_seconds=1,
        )
        return _Traffic(
            lambda: start_cloudsync(bus, cloudsync_config, clock),
            lambda minute: publish(topics.STATE_CHANGED, RevisionChanged(revision=minute, at=clock.now())),
        )
    from ghela.metrics.config import MetricsConfig
    from ghela.metrics.service import start as start_metrics

    metrics_config = MetricsConfig(
        aws_endpoint_url=CLOSED_ENDPOINT,
        device="bench-pi",
        buffer_path=str(work / "metrics-buffer.sqlite3"),
        interval_seconds=60,
    )

    def activity(minute: int) -> None:
        at = clock.now()
        counted = Activity(kind=ActivityKind.SCRAPE_OK, at=at, component="bench", key=f"b-{minute}")
        publish(topics.ACTIVITY, counted)

    return _Traffic(lambda: start_metrics(bus, metrics_config, clock), activity)


def _light_request() -> Message:
    from ghela.core.messages.light import LightCommandRequest

    return LightCommandRequest()


def _count(bus: InMemoryBus, topic: str) -> int:
    return sum(1 for published, _ in list(bus.published) if published == topic)


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _started(service: Any, bus: InMemoryBus, topic: str) -> Any:
    _wait_for(lambda: _count(bus, topic) >= 1)  # the scrape at start-up is done: between crawls
    return service


# ---------------------------------------------------------------------- the report


def interpreter_settings(component: str) -> dict[str, str]:
    """How the component's recipe runs Python (``python -OO``), with the bytecode prefix
    developer mode's environment links to (``./dev`` compiles it)."""
    from ghela_tools.runtime.recipes import load_recipe

    setenv = load_recipe(REPO / "recipes" / f"com.ghelamco.alert.{component}.yaml").steps["run"].setenv
    prefix = Path(sys.prefix) / "pycache"
    return {"PYTHONOPTIMIZE": setenv["PYTHONOPTIMIZE"], "PYTHONPYCACHEPREFIX": str(prefix)}


def run(component: str) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ghela-footprint-") as work:
        code = (
            f"import json, sys; from pathlib import Path; sys.path.insert(0, {str(REPO)!r});"
            "from bench.footprint import measured;"
            f"print('FIGURES ' + json.dumps(measured({component!r}, Path({work!r}))))"
        )
        env = dict(os.environ, GPIOZERO_PIN_FACTORY="mock")
        env.update(AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="eu-west-1")  # both, as the nucleus sets
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # never a real account
        env.update(AWS_EC2_METADATA_DISABLED="true")
        env.update(interpreter_settings(component))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=work, env=env)
    for line in out.stdout.splitlines():
        if line.startswith("FIGURES "):
            figures: dict[str, Any] = json.loads(line[len("FIGURES ") :])
            return figures
    raise SystemExit(f"{component}: no figures; its output:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=8, help="imports to list per component")
    parser.add_argument("--components", default=",".join(COMPONENTS))
    args = parser.parse_args()
    names = [name.strip() for name in args.components.split(",") if name.strip()]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average: {load} on {os.cpu_count()} cores")
    rows = []
    for name in names:
        figures = run(name)
        rows.append((name, figures))
        costs: dict[str, float] = figures["costs"]
        top = sorted(costs.items(), key=lambda item: -item[1])[: args.top]
        print(
            f"\n{name}: python {figures['baseline']:.1f} MiB, imported {figures['imported']:.1f}, "
            f"started {figures['startup']:.1f}, after an hour {figures['hour']:.1f} MiB "
            f"(growth {figures['hour'] - figures['startup']:+.1f})"
        )
        if name == "Scraper":
            print(
                f"  between crawls {figures['hour']:.1f} MiB (target <= {TARGET_SCRAPER_MIB:.0f}); "
                f"largest crawl child's peak {figures['child_peak']:.1f} MiB"
            )
        print(f"  heavy packages loaded: {', '.join(figures['heavy']) or 'none'}")
        print("  top imports by resident memory (MiB):", ", ".join(f"{k} {v:.1f}" for k, v in top))
    print("\nresident after an hour (the component's own process):")
    for name, figures in rows:
        print(f"  {name:<10} {figures['hour']:7.1f} MiB")
    total = sum(float(figures["hour"]) for _, figures in rows)
    print(f"  {'total':<10} {total:7.1f} MiB  (target <= {TARGET_TOTAL_MIB:.0f} MiB for all five)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
