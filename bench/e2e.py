"""End-to-end figures of the local system: click-to-light latency, CLI-to-light latency,
idle CPU and component memory.

Runs ``ghela up --demo`` in this process (the same :class:`ghela_tools.up.stack.Stack`, with the
demo's first alert active at once), then:

- the total resident memory (RSS) of the five component processes once they run and the
  Scraper's first crawl is over (its crawls run in short-lived child processes, so this is
  the system between crawls, as it spends nearly all its time), from /proc; the largest
  crawl child seen meanwhile is printed beside it;
- N times (default 20): click "Snooze" on the active alert in Chromium (once the page has
  no request of its own in flight: :class:`PageRequests`), measure until the
  AlertLight reports the light off on its LIGHT_STATE topic (the light watch of ``ghela up``,
  an IPC subscriber); then click "Unsnooze" and wait for the light to come back on.

The path timed is the real one: page → HTTP API → handler → IoT job in moto → the runtime's
jobs endpoint (IoT's notify-next) → CloudSync → Scheduler → AlertLight.

- ``--cli`` times (default 5): ``ghela alert snooze ID --db DB`` run as a process (as a person
  types it), measured from its start until the light reports off; then ``unsnooze`` and wait
  for the light to come back on. Its process start-up is part of the figure (its exit, which
  comes after the Scheduler's answer, is not); ``bench/cli.py`` breaks the CLI's own time down.
- the CPU time used by the whole idle system (this process — runtime, API, jobs endpoint —
  moto, the five components and their children) over ``--idle`` seconds (default 60),
  from /proc, as a share of one core.

Each snooze is also timed stage by stage (:class:`PathTimes`), from timestamps taken in this
process where the message passes: the API (request in, CreateJob returned, answer out), the
local IoT Core (notify-next, start-next/accepted), the nucleus's pub/sub (COMMAND, LIGHT_SET,
COMMAND_RESULT, LIGHT_STATE), and the light watch. p50 and p99 of each stage are printed, so
a slow click can be traced to where its time went.

Figures are printed beside the targets, never asserted.

    .venv/bin/python bench/e2e.py [--snoozes 20] [--cli 5] [--idle 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ghela.core import topics  # noqa: E402
from ghela.core.topics import jobs_topic  # noqa: E402
from ghela_tools.runtime.pubsub import PubSubMessage  # noqa: E402
from ghela_tools.up.net import free_port  # noqa: E402
from ghela_tools.up.progress import Progress  # noqa: E402
from ghela_tools.up.stack import Stack, UpOptions  # noqa: E402
from together import distinct_resident_kib  # noqa: E402  (this folder: the script's own)

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESK  # noqa: E402

COMPONENTS = ("Scraper", "Scheduler", "AlertLight", "CloudSync", "Metrics")
TARGET_RSS_MIB = 220.0
TARGET_CLICK_P99_MS = 300.0
TARGET_CLI_S = 1.0
TARGET_IDLE_CORE = 0.02


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found += [child, *_children(child)]
    return found


CRAWL_WAIT_SECONDS = 120.0
"""How long to wait for the Scraper's first crawl to start and end before reading memory."""


def after_first_crawl(stack: Stack) -> int:
    """Wait until the Scraper has run its first crawl child and that child has ended; the
    largest resident set (KiB) a crawl child was seen with, sampled every 20 ms meanwhile."""
    scraper = stack.nucleus.supervisor.components["com.ghelamco.alert.Scraper"].record
    deadline = time.monotonic() + CRAWL_WAIT_SECONDS
    peak, seen = 0, False
    while time.monotonic() < deadline:
        children = _children(scraper.pid) if scraper.pid else []
        if children:
            seen = True
            peak = max(peak, sum(_rss_kib(pid) for pid in children))
        elif seen:
            return peak
        time.sleep(0.02)
    what = "end" if seen else "start"
    print(f"  (the Scraper's first crawl did not {what} within {CRAWL_WAIT_SECONDS:.0f} s)")
    return peak


def component_pids(stack: Stack) -> dict[str, list[int]]:
    """Each running component's process and every descendant."""
    result = {}
    for name in COMPONENTS:
        record = stack.nucleus.supervisor.components[f"com.ghelamco.alert.{name}"].record
        if record.pid:
            result[name] = [record.pid, *_children(record.pid)]
    return result


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` (its own threads, not its children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _process_name(pid: int) -> str:
    """What the process runs, short: ``python -m moto.server`` → ``moto.server``."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in argv if a]
    if "-m" in words[:-1]:
        return words[words.index("-m") + 1]
    return Path(words[0]).name if words else "?"


def idle_cpu(seconds: float) -> tuple[float, dict[str, float]]:
    """Share of one core the whole system (this process and every descendant) used while idle,
    and the share of each kind of process; processes that come and go in between are not seen."""
    pids = [os.getpid(), *_children(os.getpid())]
    before = {pid: _cpu_seconds(pid) for pid in pids}
    time.sleep(seconds)
    shares: dict[str, float] = {}
    for pid in pids:
        name = "bench (runtime, API, jobs endpoint)" if pid == os.getpid() else _process_name(pid)
        shares[name] = shares.get(name, 0.0) + max(0.0, _cpu_seconds(pid) - before[pid]) / seconds
    return sum(shares.values()), shares


def cli_to_light(stack: Stack, alert_id: str, times: int) -> list[float]:
    """Seconds from starting ``ghela alert snooze`` until the light reports off."""
    database = str(stack.system.database)
    ghela = [sys.executable, "-m", "ghela.cli"]
    latencies: list[float] = []
    for number in range(1, times + 1):
        if stack.light.wait_for(True, 60) is None:
            raise SystemExit("the light did not come on; see the runtime logs")
        started = time.monotonic()
        snooze = [*ghela, "alert", "snooze", alert_id, "--db", database]
        # The light is watched while the CLI still runs: it goes off once the Scheduler has
        # applied the handed-off command, before the CLI's interpreter has finished exiting.
        process = subprocess.Popen(snooze, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        off = stack.light.wait_for(False, 30)
        light_off = time.monotonic() - started
        if process.wait(30) != 0:
            raise SystemExit(f"CLI snooze {number}: `ghela alert snooze` failed ({process.returncode})")
        ran = time.monotonic() - started
        if off is None:
            raise SystemExit(f"CLI snooze {number}: the light did not go off within 30 s")
        latencies.append(light_off)
        print(f"  cli {number}: light off after {latencies[-1] * 1000:6.0f} ms (CLI ran {ran * 1000:.0f} ms)")
        unsnooze = [*ghela, "alert", "unsnooze", alert_id, "--db", database]
        subprocess.run(unsnooze, check=True, capture_output=True)
    stack.light.wait_for(True, 30)
    return latencies


STAGES = (
    ("click", "request", "click → request at the API (browser, page script, HTTP)"),
    ("request", "invoked", "request → handler invoked (authorizer, one handler at a time)"),
    ("invoked", "job", "handler invoked → CreateJob returned (DynamoDB, IoT in moto)"),
    ("job", "notify", "CreateJob → notify-next sent (jobs endpoint takes the job in)"),
    ("notify", "asked", "notify-next → start-next asked (CloudSync, over IPC)"),
    ("asked", "started", "start-next → accepted (endpoint answers, saves)"),
    ("started", "command", "start-next accepted → COMMAND sent (CloudSync)"),
    ("command", "light_set", "COMMAND → LIGHT_SET (Scheduler applies)"),
    ("light_set", "light", "LIGHT_SET → LIGHT_STATE off (AlertLight)"),
    ("light", "seen", "LIGHT_STATE → seen by the bench (light watch over IPC)"),
    ("click", "answer", "click → API answered (for scale; overlaps the stages above)"),
)


class PathTimes:
    """Monotonic timestamps of one snooze along its path, the first of each kind after :meth:`begin`.

    Every hook runs in the thread that carries the message (pub/sub delivers in the
    publisher's thread), so each only notes the time.
    """

    def __init__(self, stack: Stack) -> None:
        self._lock = threading.Lock()
        self._marks: dict[str, float] = {}
        self.runs: list[dict[str, float]] = []
        self._in_flight: list[str] = []
        self.ahead: list[str] = []
        """The API requests already being answered when a snooze arrived (it waits for them)."""
        api = stack.api.api
        handle = api.handle

        def timed_handle(method: str, target: str, headers: dict[str, str], body: bytes | None) -> Any:
            snooze = method == "POST" and target.endswith("/snooze")
            request = f"{method} {target.split('?')[0]}"
            with self._lock:
                if snooze and self._marks:
                    self.ahead.extend(self._in_flight)
                self._in_flight.append(request)
            if snooze:
                self.mark("request")
            try:
                return handle(method, target, headers, body)
            finally:
                with self._lock:
                    self._in_flight.remove(request)
                if snooze:
                    self.mark("answer")

        api.handle = timed_handle
        find_handler = api._handler

        def timed_handler(function: Any) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
            handler = find_handler(function)

            def invoked(event: dict[str, Any], context: Any) -> dict[str, Any]:
                if event.get("rawPath", "").endswith("/snooze") and event.get("requestContext", {}).get(
                    "http", {}
                ).get("method") == "POST":
                    self.mark("invoked")
                return handler(event, context)

            return invoked

        api._handler = timed_handler
        api.on_job_created(lambda _job_id, _targets, _document: self.mark("job"))
        thing = stack.options.thing_name
        iot_core = stack.nucleus.iot_core
        iot_core.subscribe(jobs_topic(thing, "notify-next"), self._when_execution("notify"))
        iot_core.subscribe(jobs_topic(thing, "start-next"), lambda _topic, _payload: self.mark("asked"))
        iot_core.subscribe(jobs_topic(thing, "start-next/accepted"), self._when_execution("started"))
        pubsub = stack.nucleus.ipc.pubsub
        for topic, name in ((topics.COMMAND, "command"), (topics.LIGHT_SET, "light_set")):
            pubsub.subscribe(topic, self._on_message(name), subscriber="bench")
        pubsub.subscribe(topics.LIGHT_STATE, self._on_light_state, subscriber="bench")

    def begin(self) -> None:
        with self._lock:
            self._marks = {"click": time.monotonic()}

    def end(self) -> None:
        with self._lock:
            self._marks.setdefault("seen", time.monotonic())
            self.runs.append(self._marks)
            self._marks = {}

    def mark(self, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            if self._marks:  # only between begin and end
                self._marks.setdefault(name, now)

    def _when_execution(self, name: str) -> Callable[[str, bytes], None]:
        def seen(_topic: str, payload: bytes) -> None:
            if b'"execution"' in payload:
                self.mark(name)

        return seen

    def _on_message(self, name: str) -> Callable[[str, PubSubMessage], None]:
        return lambda _topic, _message: self.mark(name)

    def _on_light_state(self, _topic: str, message: PubSubMessage) -> None:
        if message.json is not None and message.json.get("on") is False:
            self.mark("light")

    def report(self) -> None:
        print("  stage                                                                   p50      p99")
        for start, stop, label in STAGES:
            spans = [run[stop] - run[start] for run in self.runs if start in run and stop in run]
            if spans:
                p50, p99 = percentile(spans, 0.5) * 1000, percentile(spans, 0.99) * 1000
                print(f"  {label:<70} {p50:5.0f} ms {p99:5.0f} ms  ({len(spans)})")
            else:
                print(f"  {label:<70}   not seen")
        if self.ahead:
            listed = ", ".join(f"{name} ×{count}" for name, count in Counter(self.ahead).most_common())
            print(f"  requests already being answered when a snooze came: {listed}")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class PageRequests:
    """The page's own API requests in flight, so a click is made once the page has settled.

    A person clicks Snooze on what the page shows; right after the light came back on, the
    page is still fetching what changed. The local API answers one request at a time
    (:mod:`ghela_cloud.local.server`), where AWS would run those fetches in other Lambda
    environments beside the snooze, so a click made during them would time the stand-in's
    queue, not the path. Requests that come after the click are timed as they fall.
    """

    def __init__(self, page: Any) -> None:
        self._open: set[Any] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)
        self._page = page

    def _started(self, request: Any) -> None:
        if "/api/" in request.url:
            self._open.add(request)

    def _ended(self, request: Any) -> None:
        self._open.discard(request)

    def wait_until_none(self) -> None:
        while self._open:
            self._page.wait_for_timeout(5)


def measure(stack: Stack, snoozes: int, times: PathTimes) -> tuple[list[float], str]:
    from playwright.sync_api import ViewportSize, expect, sync_playwright

    running = stack.running
    latencies: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=ViewportSize(width=DESK["width"], height=DESK["height"]))
        page.set_default_timeout(90_000)
        page.add_init_script("localStorage.setItem('ghela.lang', 'en')")  # the page defaults to Dutch
        in_flight = PageRequests(page)
        page.goto(running.web_url)
        page.get_by_label("E-mail address").fill(running.demo_email)
        page.get_by_label("Password").fill(running.demo_password)
        page.get_by_role("button", name="Sign in").click()
        row = page.locator('li.alert[data-status="active"]').first
        expect(row).to_be_visible(timeout=90_000)  # the first sync can take a few polls
        alert_id = row.get_attribute("data-alert-id")
        row = page.locator(f'li.alert[data-alert-id="{alert_id}"]')
        for number in range(1, snoozes + 1):
            expect(row).to_have_attribute("data-status", "active")
            if stack.light.wait_for(True, 60) is None:
                raise SystemExit("the light did not come on; see the runtime logs")
            button = row.get_by_role("button", name="Snooze", exact=False)
            button.wait_for(state="visible")  # found before the clock starts
            in_flight.wait_until_none()
            times.begin()
            started = time.monotonic()
            button.click()
            if stack.light.wait_for(False, 60) is None:
                raise SystemExit(f"snooze {number}: the light did not go off within 60 s")
            latencies.append(time.monotonic() - started)
            times.end()
            print(f"  snooze {number:2d}: light off after {latencies[-1] * 1000:6.0f} ms", flush=True)
            expect(row).to_have_attribute("data-status", "silenced")
            row.get_by_role("button", name="Unsnooze", exact=False).click()
            expect(row).to_contain_text("change pending")  # the API has answered
        page.goto("about:blank")  # stop the page's polling before the server goes
        browser.close()
    return latencies, str(alert_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snoozes", type=int, default=20)
    parser.add_argument("--cli", type=int, default=5, help="CLI snoozes to time")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU to measure")
    parser.add_argument("--root", type=Path, help="state folder to keep (default: a temporary one)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"cannot measure click latency: {CHROMIUM} is missing (apt-get install chromium)")
        return 1
    with tempfile.TemporaryDirectory(prefix="ghela-bench-") as temporary:
        options = UpOptions(
            root=args.root or Path(temporary),
            port=free_port(),
            demo=True,
            demo_lead=timedelta(0),
            recipes=REPO / "recipes",
        )
        stack = Stack(options, Progress(total=9))
        stack.start()
        try:
            if stack.light.wait_for(True, 120) is None:
                print("the light never came on: click-to-light-off could not be measured")
                return 1
            crawl_peak = after_first_crawl(stack)
            pids = component_pids(stack)
            rss = {name: sum(_rss_kib(pid) for pid in own) for name, own in pids.items()}
            together = distinct_resident_kib(pid for own in pids.values() for pid in own)
            times = PathTimes(stack)
            latencies, alert_id = measure(stack, args.snoozes, times)
            print("CLI snoozes:", flush=True)
            cli = cli_to_light(stack, alert_id, args.cli)
            print(f"idle for {args.idle:.0f} s ...", flush=True)
            idle, idle_shares = idle_cpu(args.idle)
        finally:
            stack.stop()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nload average at the end: {load} on {os.cpu_count()} cores")
    print()
    print("component RSS after start-up, the first crawl over (process and children):")
    for name, kib in rss.items():
        print(f"  {name:<10} {kib / 1024:7.1f} MiB")
    total = sum(rss.values()) / 1024
    print(
        f"  {'total':<10} {total:7.1f} MiB  ({len(rss)} of {len(COMPONENTS)} components; "
        f"target <= {TARGET_RSS_MIB:.0f} MiB)"
    )
    print(
        f"  {'crawl':<10} {crawl_peak / 1024:7.1f} MiB  (largest crawl child seen; it lives for one scrape)"
    )
    if together is None:
        print("  (the memory they need together, each page once, is shown to root only)")
    else:
        print(
            f"  {'together':<10} {together / 1024:7.1f} MiB  (each physical page once: the interpreter's "
            f"and shared libraries' pages are in RAM once; target <= {TARGET_RSS_MIB:.0f} MiB)"
        )
    print()
    ms = [s * 1000 for s in latencies]
    print(f"click-to-light-off over {len(ms)} snoozes (Chromium click → LIGHT_STATE off):")
    print(
        f"  p50 {percentile(ms, 0.5):.0f} ms   p99 {percentile(ms, 0.99):.0f} ms   "
        f"min {min(ms):.0f} ms   mean {statistics.fmean(ms):.0f} ms   max {max(ms):.0f} ms"
        f"   (target p99 <= {TARGET_CLICK_P99_MS:.0f} ms)"
    )
    times.report()
    if cli:
        print(f"CLI-to-light-off over {len(cli)} snoozes (`ghela alert snooze` started → LIGHT_STATE off):")
        print(f"  p50 {percentile(cli, 0.5):.2f} s   max {max(cli):.2f} s   (target <= {TARGET_CLI_S:.0f} s)")
    print(
        f"idle system over {args.idle:.0f} s: {idle * 100:.2f} % of one core "
        f"(target < {TARGET_IDLE_CORE * 100:.0f} %); by process:"
    )
    for name, share in sorted(idle_shares.items(), key=lambda item: -item[1]):
        print(f"  {name:<40} {share * 100:5.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
