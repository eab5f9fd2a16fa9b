"""A fault-injection campaign against the whole device, from outside, as a user would see it.

The five real components run as processes under the local runtime (moto standing in for
AWS). While commands flow in through the command topic and IoT jobs, and the light follows
one-minute alerts, the campaign

- SIGKILLs components at random, one at a time, and at the worst moments: the AlertLight
  and the Scheduler inside an alert, the Scheduler one second before an alert ends and in
  the middle of a command's write;
- cuts the cloud (stops moto's server, starts it again);
- sends hostile messages (not JSON, wrong types, huge numbers, deep nesting, bad UTF-8) on
  every topic the components subscribe to;

and measures what matters: each command applied exactly once (none lost, none doubled),
the light right within 1 s of every restart (``light/state`` against the alert's window),
no thread death (no restart that is not one of our kills, no thread dying in the runtime),
no orphan process, and every EventsAdded counted exactly once (Metrics' own store against
the events in the Scheduler's database).

Metrics is pointed at an unreachable CloudWatch, so what it counted stays in its buffer,
where the campaign reads it; pushing to CloudWatch is tested in tests/metrics.
"""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from awsiot.greengrasscoreipc.model import BinaryMessage, JsonMessage, PublishMessage
from ghela.core import topics
from ghela.core.ipclink import unix_socket_connector
from ghela.core.messages import Message
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.commands import CommandRequest, CommandResult, CreateEvent
from ghela.core.messages.light import LightState
from ghela.core.messages.topicmodels import TOPIC_MODELS
from ghela.core.nucleusenv import SOCKET_ENV, TOKEN_ENV
from ghela.core.wiretypes import LightPattern
from ghela.scraper.demo import write_demo_feed
from ghela_tools.runtime.leftovers import alive

from tests.cloudsync.conftest import Tables, create_tables
from tests.support.moto import MotoServer
from tests.support.runtime import ALERT_LIGHT, CLOUD_SYNC, METRICS, RUNNING, SCHEDULER, SCRAPER, LocalRuntime
from tests.support.waiting import wait_for

COMPONENTS = RUNNING
ALERT_SECONDS = 60  # the shortest alert a command can make
DARK_SECONDS = 12  # between two alerts: the light must stay off through kills there too
GRACE = 1.0  # the light must be right this long after a restart or an alert's edge
UNREACHABLE = "http://127.0.0.1:9"  # discard port: nothing listens


@dataclass
class Figures:
    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPONENTS, 0))
    worst_moment_kills: dict[str, int] = field(default_factory=dict)
    topic_commands: int = 0
    job_commands: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    jobs_unfinished: list[str] = field(default_factory=list)
    light_wrong: list[tuple[float, float, str]] = field(default_factory=list)
    """(start offset s, seconds wrong, what) for every stretch the light was wrong."""
    light_restarts: int = 0
    cloud_cuts: int = 0
    cloud_cut_seconds: float = 0.0
    hostile: int = 0
    unexpected_restarts: dict[str, int] = field(default_factory=dict)
    runtime_thread_deaths: list[str] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)
    events_in_db: int = 0
    events_counted: int = 0
    seconds: float = 0.0

    @property
    def total_kills(self) -> int:
        return sum(self.kills.values())

    @property
    def commands(self) -> int:
        return self.topic_commands + self.job_commands

    @property
    def light_wrong_seconds(self) -> float:
        return sum(seconds for _, seconds, _ in self.light_wrong)

    @property
    def worst_light_wrong(self) -> float:
        return max((seconds for _, seconds, _ in self.light_wrong), default=0.0)

    @property
    def counts_lost(self) -> int:
        return max(self.events_in_db - self.events_counted, 0)

    @property
    def counts_doubled(self) -> int:
        return max(self.events_counted - self.events_in_db, 0)

    def report(self) -> str:
        short = {name.rsplit(".", 1)[-1]: n for name, n in self.kills.items()}
        worst = ", ".join(f"{k} {v}" for k, v in sorted(self.worst_moment_kills.items())) or "none"
        return "\n".join(
            [
                f"chaos: {self.seconds:.0f} s, {self.total_kills} kills {short}",
                f"chaos: worst-moment kills: {worst}",
                f"chaos: {self.commands} commands ({self.topic_commands} on the topic, {self.job_commands} "
                f"as IoT jobs): lost {len(self.lost)}, doubled {len(self.doubled)}, "
                f"jobs not finished {len(self.jobs_unfinished)}",
                f"chaos: light wrong {self.light_wrong_seconds:.2f} s in total over {len(self.light_wrong)} "
                f"stretches, longest {self.worst_light_wrong:.2f} s "
                f"({self.light_restarts} AlertLight restarts)",
                *(
                    f"chaos:   light wrong {seconds:.2f} s at +{start:.1f} s: {what}"
                    for start, seconds, what in self.light_wrong
                    if seconds > 0.2
                ),
                f"chaos: cloud cut {self.cloud_cuts} times ({self.cloud_cut_seconds:.0f} s), "
                f"{self.hostile} hostile messages",
                f"chaos: EventsAdded counted {self.events_counted} for {self.events_in_db} events: "
                f"counts lost {self.counts_lost}, doubled {self.counts_doubled}",
                f"chaos: restarts not caused by a kill {self.unexpected_restarts or 0}, runtime thread "
                f"deaths {len(self.runtime_thread_deaths)}, orphan processes {len(self.orphans)}",
            ]
        )


class LightWatch:
    """Every LightState the AlertLight reports, with when it arrived (wall clock, UTC)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.states: list[tuple[datetime, LightState]] = []

    def on_state(self, message: Message) -> None:
        if isinstance(message, LightState):
            with self._lock:
                self.states.append((datetime.now(UTC), message))

    def snapshot(self) -> list[tuple[datetime, LightState]]:
        with self._lock:
            return list(self.states)


class ReadyMarks:
    """How many times each component has logged "<Name> started" (read incrementally)."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self._runtime = runtime
        self._offsets: dict[str, int] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def lives(self, name: str) -> int:
        marker = f"{name.rsplit('.', 1)[-1]} started".encode()
        path = self._runtime.layout.log_file(name)
        with self._lock:
            offset = self._offsets.get(name, 0)
            try:
                with path.open("rb") as log:
                    log.seek(offset)
                    chunk = log.read()
            except OSError:
                return 0
            complete = chunk.rfind(b"\n") + 1  # count whole lines only
            self._counts[name] = self._counts.get(name, 0) + chunk[:complete].count(marker)
            self._offsets[name] = offset + complete
            return self._counts[name]


class Campaign:
    def __init__(self, tmp_path: Path, kills: int, seed: int | None = None) -> None:
        self.tmp = tmp_path
        self.kill_target = kills
        self.seed = seed if seed is not None else random.randrange(1_000_000)
        self.rng = random.Random(self.seed)
        self.figures = Figures()
        self.moto = MotoServer()
        self.thing = f"chaos-{uuid.uuid4().hex[:8]}"
        self.db_path = tmp_path / "ghela.db"
        self.metrics_path = tmp_path / "metrics.sqlite3"
        self.watch = LightWatch()
        self.alerts: list[tuple[datetime, datetime]] = []
        self.titles: dict[str, str] = {}  # title -> how it was sent ("topic" / "job <id>")
        self.jobs: list[str] = []
        self._results: dict[str, CommandResult] = {}
        self._results_lock = threading.Lock()
        self._cloud_up = threading.Event()
        self._cloud_up.set()
        self._stop = threading.Event()
        self._pids: dict[str, set[int]] = {name: set() for name in COMPONENTS}
        self._commands_sent = 0
        self.kill_log: list[tuple[datetime, str, str]] = []
        self.started = time.monotonic()

    # ------------------------------------------------------------------ set-up

    def _overrides(self, tables: Tables) -> dict[str, dict[str, Any]]:
        now = datetime.now(UTC)
        games = [now + timedelta(days=days, hours=3) for days in (20, 27, 34)]
        feed = write_demo_feed(self.tmp / "feed.ics", games)
        return {
            SCRAPER: {
                "sources": [{"name": "demo", "kind": "ics", "url": feed.as_uri()}],
                "jitterSeconds": 0,
                "retries": 0,
            },
            SCHEDULER: {"dbPath": str(self.db_path)},
            ALERT_LIGHT: {"pinFactory": "mock"},
            CLOUD_SYNC: {
                "eventsTable": tables.events,
                "jobsTable": tables.jobs,
                "awsEndpointUrl": self.moto.url,
                "retryInitialSeconds": 0.2,
                "retryMaxSeconds": 2,
                # commandTimeoutSeconds stays at its default (30 s, twice): a job FAILS when the
                # Scheduler does not answer in that time, and kills in a row can take 10 s.
                "jobUpdateTimeoutSeconds": 3,
                "jobsRecheckSeconds": 5,
            },
            METRICS: {
                "awsEndpointUrl": UNREACHABLE,
                "device": self.thing,
                "intervalSeconds": 10,
                "bufferPath": str(self.metrics_path),
                "retryMaxSeconds": 5,
            },
        }

    def run(self) -> Figures:
        """Run the whole campaign; returns its figures (the caller asserts on them)."""
        runtime_deaths: list[str] = []
        previous_hook = threading.excepthook

        def record_death(hook: threading.ExceptHookArgs) -> None:
            runtime_deaths.append(f"{hook.thread.name if hook.thread else '?'}: {hook.exc_value!r}")
            previous_hook(hook)

        threading.excepthook = record_death
        try:
            with self.moto:
                tables = create_tables(self.moto.client("dynamodb"), self.moto.url)
                self.iot = self.moto.client("iot")
                self.arn = self.iot.create_thing(thingName=self.thing)["thingArn"]
                self.runtime = LocalRuntime(
                    self.tmp / "rt",
                    components=COMPONENTS,
                    thing_name=self.thing,
                    aws_endpoint_url=self.moto.url,
                    config_overrides=self._overrides(tables),
                    error_limit=10_000,
                    kill_grace=3.0,
                )
                self.ready = ReadyMarks(self.runtime)
                with self.runtime:
                    self._campaign()
                self._check_orphans()
        finally:
            threading.excepthook = previous_hook
        self.figures.runtime_thread_deaths = runtime_deaths
        self.figures.seconds = time.monotonic() - self.started
        return self.figures

    def _campaign(self) -> None:
        rt = self.runtime
        for name in COMPONENTS:
            rt.wait_for_state(name, "RUNNING", timeout=60)
        for name in COMPONENTS:

            def started(name: str = name) -> bool:
                return self.ready.lives(name) >= 1

            wait_for(started, timeout=60, what=f"{name} started")
        self.bus = rt.probe(
            "test.Chaos",
            publish=[topics.COMMAND],
            subscribe=[topics.COMMAND_RESULT, topics.LIGHT_STATE],
        )
        self.bus.subscribe(topics.LIGHT_STATE, self.watch.on_state)
        self.bus.subscribe(topics.COMMAND_RESULT, self._on_result)
        env = rt.probe_environment("test.Hostile", publish=list(TOPIC_MODELS))
        self.hostile_client = unix_socket_connector(env[SOCKET_ENV], env[TOKEN_ENV])(lambda: None)
        workers = [
            threading.Thread(target=self._guarded(self._commander), name="chaos-commands", daemon=True),
            threading.Thread(target=self._guarded(self._hostile), name="chaos-hostile", daemon=True),
            threading.Thread(target=self._guarded(self._pid_watch), name="chaos-pids", daemon=True),
        ]
        for worker in workers:
            worker.start()
        try:
            self._kill_rounds()
        finally:
            self._stop.set()
            for worker in workers:
                worker.join(30)
            self._set_cloud(up=True)
        self._settle()
        self._judge()
        self.hostile_client.close()

    def _guarded(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception as exc:  # a campaign thread's failure is a campaign failure
                self.failure = exc
                raise

        return run

    # ------------------------------------------------------------------ alerts and kills

    def _kill_rounds(self) -> None:
        """Alert after alert, kills all through them, until enough kills were made."""
        round_number = 0
        while self.figures.total_kills < self.kill_target or round_number == 0:
            start = datetime.now(UTC) + timedelta(seconds=4)
            end = start + timedelta(seconds=ALERT_SECONDS)
            self._command_until_applied(
                CreateEvent(
                    title=f"chaos alert {round_number}",
                    start=datetime.now(UTC) + timedelta(days=1),
                    alerts=[AlertSpec(at=start, duration_minutes=1, pattern=LightPattern.STEADY)],
                ),
                f"chaos-alert-{self.seed}-{round_number}",
            )
            self.alerts.append((start, end))
            self._wait_until(start + timedelta(seconds=1))
            self._worst(ALERT_LIGHT, "AlertLight inside an alert")
            if round_number % 2 == 0:
                self._cloud_cut(seconds=8.0)
            self._write_kill()
            while datetime.now(UTC) < end - timedelta(seconds=6) and (
                self.figures.total_kills < self.kill_target or round_number == 0
            ):
                self._random_kill()
            self._wait_until(end - timedelta(seconds=1))
            self._kill(SCHEDULER, "Scheduler 1 s before an alert's end")
            self._wait_until(end + timedelta(seconds=2))
            self._random_kill(only=(ALERT_LIGHT,), why="AlertLight in the dark")
            self._wait_until(end + timedelta(seconds=DARK_SECONDS - 4))
            round_number += 1

    def _random_kill(self, only: tuple[str, ...] = COMPONENTS, why: str = "") -> None:
        """One of ``only`` at random; among all components, one time in six the Scheduler in
        the middle of a command's write instead."""
        if only == COMPONENTS and self.rng.random() < 1 / 6:
            self._write_kill()
        else:
            self._kill(self.rng.choice(only), why)
        self._pause(self.rng.uniform(0.3, 1.5))

    def _worst(self, name: str, why: str) -> None:
        self._kill(name, why)

    def _write_kill(self) -> None:
        """Kill the Scheduler while it applies a command (within its write transaction)."""
        title = self._title()
        request = CommandRequest(
            command_id=f"chaos-w-{uuid.uuid4().hex[:10]}",
            command=CreateEvent(title=title, start=datetime.now(UTC) + timedelta(days=2)),
        )
        self.titles[title] = "topic"
        self.figures.topic_commands += 1
        self.bus.publish(topics.COMMAND, request)
        self._pause(self.rng.uniform(0.0, 0.03))
        self._kill(SCHEDULER, "Scheduler during a write")
        self._deliver(request)

    def _kill(self, name: str, why: str = "") -> None:
        """SIGKILL one component and wait until it runs again (one fault at a time)."""
        rt = self.runtime
        rt.wait_for_state(name, "RUNNING", timeout=60)
        restarts = rt.record(name).restarts
        lives = self.ready.lives(name)
        try:
            pid = rt.kill(name)
        except (RuntimeError, ProcessLookupError):
            return
        self._pids[name].add(pid)
        self.kill_log.append((datetime.now(UTC), name.rsplit(".", 1)[-1], why))
        self.figures.kills[name] += 1
        if why:
            self.figures.worst_moment_kills[why] = self.figures.worst_moment_kills.get(why, 0) + 1
        rt.wait_for(name, ["RUNNING"], lambda r: r.restarts > restarts and r.pid not in (None, pid), 60)
        wait_for(lambda: self.ready.lives(name) > lives, timeout=60, what=f"{name} started again")
        if name == ALERT_LIGHT:
            self.figures.light_restarts += 1

    def _cloud_cut(self, seconds: float) -> None:
        self._set_cloud(up=False)
        self.figures.cloud_cuts += 1
        self.figures.cloud_cut_seconds += seconds
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._random_kill(only=(CLOUD_SYNC, METRICS, SCHEDULER), why="during the cloud cut")
        self._set_cloud(up=True)

    def _set_cloud(self, up: bool) -> None:
        if up and not self.moto.running:
            self.moto.start()
            self._cloud_up.set()
        elif not up and self.moto.running:
            self._cloud_up.clear()
            self.moto.stop()

    # ------------------------------------------------------------------ commands

    def _title(self) -> str:
        self._commands_sent += 1
        return f"chaos {self.seed} #{self._commands_sent}"

    def _commander(self) -> None:
        """A command every ~0.4 s: through the topic (answered), or as an IoT job."""
        while not self._stop.is_set():
            title = self._title()
            command = CreateEvent(title=title, start=datetime.now(UTC) + timedelta(days=3))
            if self._cloud_up.is_set() and self.rng.random() < 0.35:
                job_id = f"chaos-{uuid.uuid4().hex[:12]}"
                document = {"operation": "createEvent", "title": title, "start": command.start.isoformat()}
                try:
                    self.iot.create_job(jobId=job_id, targets=[self.arn], document=json.dumps(document))
                except Exception:  # the cloud went away just now: send it over the topic instead
                    pass
                else:
                    self.titles[title] = f"job {job_id}"
                    self.jobs.append(job_id)
                    self.figures.job_commands += 1
                    self._stop.wait(0.4)
                    continue
            self.titles[title] = "topic"
            self.figures.topic_commands += 1
            request = CommandRequest(command_id=f"chaos-{uuid.uuid4().hex[:12]}", command=command)
            self._deliver(request)
            self._stop.wait(0.4)

    def _command_until_applied(self, command: CreateEvent, command_id: str) -> None:
        self.titles[command.title] = "topic"
        self.figures.topic_commands += 1
        self._deliver(CommandRequest(command_id=command_id, command=command))

    def _deliver(self, request: CommandRequest, timeout: float = 120.0) -> CommandResult:
        """Publish until the Scheduler answers (the same id again: applied once regardless)."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(Exception):  # the probe's IPC call failed: send again
                self.bus.publish(topics.COMMAND, request)
            answer_by = time.monotonic() + 2.0
            while time.monotonic() < answer_by:
                with self._results_lock:
                    result = self._results.get(request.command_id)
                if result is not None:
                    assert result.ok, f"command {request.command_id} was refused: {result.message}"
                    return result
                time.sleep(0.02)
            assert time.monotonic() < deadline, f"command {request.command_id} never answered"

    def _on_result(self, message: Message) -> None:
        if isinstance(message, CommandResult):
            with self._results_lock:
                self._results.setdefault(message.command_id, message)

    # ------------------------------------------------------------------ hostile messages

    def _hostile(self) -> None:
        subscribed = list(TOPIC_MODELS)
        while not self._stop.is_set():
            topic = self.rng.choice(subscribed)
            payload = self._garbage()
            try:
                if isinstance(payload, bytes):
                    message = PublishMessage(binary_message=BinaryMessage(message=payload))
                else:
                    message = PublishMessage(json_message=JsonMessage(message=payload))
                self.hostile_client.publish_to_topic(topic=topic, publish_message=message)
                self.figures.hostile += 1
            except Exception:  # refused by the runtime (too big, bad frame): also fine
                pass
            self._stop.wait(self.rng.uniform(0.05, 0.3))

    def _garbage(self) -> bytes | dict[str, Any]:
        choice = self.rng.randrange(9)
        if choice == 0:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 200)))
        if choice == 1:
            return b"\xff\xfe not utf-8 \xc3\x28"
        if choice == 2:
            depth = self.rng.randrange(50, 5000)
            return ("[" * depth + "]" * depth).encode()
        if choice == 3:
            return b'{"revision": 1' + b"0" * 5000 + b', "at": "2026-01-01T00:00:00+00:00"}'
        if choice == 4:
            return {"command_id": "x" * 500, "command": {"op": "snooze_alert", "alert_id": -1}}
        if choice == 5:
            return {"kind": "event_added", "at": "yesterday", "component": 7, "count": 10**30}
        if choice == 6:
            return {"pattern": "disco", "issued_at": "2026-13-45T99:00:00"}
        if choice == 7:
            return {"sender": None, "seq": 1.5, "unknown": {"a": [1, 2, {"b": None}]}}
        return b"null"

    # ------------------------------------------------------------------ watching

    def _pid_watch(self) -> None:
        while not self._stop.is_set():
            for name in COMPONENTS:
                pid = self.runtime.record(name).pid
                if pid:
                    self._pids[name].add(pid)
            self._stop.wait(0.1)

    def _pause(self, seconds: float) -> None:
        time.sleep(seconds)

    def _wait_until(self, moment: datetime) -> None:
        while (left := (moment - datetime.now(UTC)).total_seconds()) > 0:
            time.sleep(min(left, 0.2))

    # ------------------------------------------------------------------ the end

    def _settle(self) -> None:
        """Let everything catch up: jobs finished, counts confirmed."""
        wait_for(self._jobs_done, timeout=120, what="every IoT job finished")
        wait_for(lambda: self._counted() >= self._events(), timeout=60, what="Metrics to count every event")
        time.sleep(1.0)  # anything still in flight would now show as a double

    def _jobs_done(self) -> bool:
        for job_id in self.jobs:
            execution = self.runtime.jobs.status(self.thing, job_id)
            if execution is None or execution.status not in ("SUCCEEDED", "FAILED", "REJECTED"):
                return False
        return True

    def _events(self) -> int:
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as db:
            return db.execute("SELECT COUNT(*) FROM event").fetchone()[0]

    def _counted(self) -> int:
        with sqlite3.connect(f"file:{self.metrics_path}?mode=ro", uri=True) as db:
            sent = db.execute("SELECT COALESCE(SUM(value), 0) FROM datapoints WHERE metric = 'EventsAdded'")
            open_ = db.execute("SELECT COALESCE(SUM(value), 0) FROM open_counts WHERE metric = 'EventsAdded'")
            return int(sent.fetchone()[0] + open_.fetchone()[0])

    def _judge(self) -> None:
        figures = self.figures
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as db:
            counts = dict(db.execute("SELECT title, COUNT(*) FROM event GROUP BY title").fetchall())
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        figures.lost = [title for title in self.titles if counts.get(title, 0) == 0]
        figures.doubled = [title for title in self.titles if counts.get(title, 0) > 1]
        figures.jobs_unfinished = [
            job for job in self.jobs
            if (e := self.runtime.jobs.status(self.thing, job)) is None or e.status != "SUCCEEDED"
        ]
        figures.events_in_db = self._events()
        figures.events_counted = self._counted()
        figures.light_wrong = self._light_wrong()
        for name in COMPONENTS:
            record = self.runtime.record(name)
            extra = record.restarts - figures.kills[name]
            if extra:
                figures.unexpected_restarts[name.rsplit(".", 1)[-1]] = extra

    def _light_wrong(self) -> list[tuple[float, float, str]]:
        """Stretches where the reported light differs from the alert windows, each less the
        GRACE allowed after an alert's edge (a command's way through IPC takes milliseconds)."""
        states = self.watch.snapshot()
        if not states:
            return [(0.0, float("inf"), "the light never reported")]
        origin = states[0][0]
        edges = sorted({moment for window in self.alerts for moment in window})

        def wanted(at: datetime) -> bool:
            return any(start <= at < end for start, end in self.alerts)

        wrong: list[tuple[float, float, str]] = []
        stretch_start: datetime | None = None
        reason = ""
        checkpoints = sorted({at for at, _ in states} | set(edges) | {datetime.now(UTC)})
        reported = states[0][1]
        index = 0
        for at in checkpoints:
            while index < len(states) and states[index][0] <= at:
                reported = states[index][1]
                index += 1
            is_wrong = reported.on != wanted(at)
            if is_wrong and stretch_start is None:
                stretch_start, reason = at, f"reported {reported.pattern.value} ({reported.reason})"
                if last := [k for k in self.kill_log if k[0] <= at][-1:]:
                    killed_at, killed, why = last[0]
                    reason += f", {(at - killed_at).total_seconds():.1f} s after killing {killed} {why}"
            elif not is_wrong and stretch_start is not None:
                wrong.append(self._stretch(origin, stretch_start, at, edges, reason))
                stretch_start = None
        if stretch_start is not None:
            wrong.append(self._stretch(origin, stretch_start, checkpoints[-1], edges, reason))
        return [w for w in wrong if w[1] > 0]

    @staticmethod
    def _stretch(
        origin: datetime, start: datetime, end: datetime, edges: list[datetime], reason: str
    ) -> tuple[float, float, str]:
        seconds = (end - start).total_seconds()
        if any(edge <= start <= edge + timedelta(seconds=GRACE) for edge in edges):
            seconds = max(0.0, seconds - GRACE)  # catching up with an edge is allowed GRACE
        return ((start - origin).total_seconds(), seconds, reason)

    def _check_orphans(self) -> None:
        """After the runtime stopped, no process it ever ran for a component is left.

        A pid still in use is ours only if that process works in this runtime's folder (the
        machine is busy: a pid of a process that died long ago may now be someone else's).
        """
        time.sleep(0.5)
        root = str(self.runtime.root.resolve())
        self.figures.orphans = [
            pid for pids in self._pids.values() for pid in pids if alive(pid) and _works_in(pid, root)
        ]


def _works_in(pid: int, root: str) -> bool:
    try:
        return str(Path(f"/proc/{pid}/cwd").resolve()).startswith(root)
    except OSError:  # gone meanwhile, or not ours to look at
        return False
