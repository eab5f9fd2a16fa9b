"""The whole local system, started and stopped in order.

Start: clear what a crashed run left → moto's server (child process) → the resources in it
→ the local API and page server → notifications (stream planner, schedules firing, a
Teams stand-in that prints) → the demo feed (``--demo``) → the local Greengrass
runtime in this process (IPC server, local IoT Core, credentials endpoint, the five
components as child processes) with the IoT jobs endpoint on moto → the light watch.
Stop: the same in reverse. Each step either completes or raises with what went wrong;
a failure part-way stops whatever had started.

moto starts empty every time, so CloudSync's sync state (which revision it last wrote to
the read copy) is cleared at start: the Scheduler's database, the truth, is kept and
CloudSync writes it all again into the new tables.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ghela.core.clock import SystemClock, venue_zone
from ghela.core.componentnames import CLOUD_SYNC, SCHEDULER
from ghela.core.errors import ConfigurationError
from ghela.core.ipc import IpcBus, unix_socket_connector
from ghela.locator import System, write_locator
from ghela_cloud import names
from ghela_cloud.local.aws import MOTO_STRICT_SETTINGS, local_client, local_session
from ghela_cloud.local.provision import provision
from ghela_cloud.local.server import LocalApi, LocalApiServer
from ghela_cloud.notify.chat import ChatKind
from ghela_cloud.notify.local import LocalNotifier, Receiver, StreamPoller, notify_settings_for
from ghela_cloud.notify.prefs import AlertChoice, WebhookBody
from ghela_cloud.notify.wiring import Notify

from ghela_tools.packaging.deployment import deployment_document
from ghela_tools.runtime.deployment import parse_deployment
from ghela_tools.runtime.iotjobs import LocalJobsEndpoint
from ghela_tools.runtime.lifecycle import BROKEN, FINISHED, RUNNING
from ghela_tools.runtime.nucleus import LocalNucleus
from ghela_tools.runtime.recipes import RECIPES_FOLDER, load_recipes
from ghela_tools.runtime.supervisor import Settings
from ghela_tools.up.demo import first_alert, scheduler_config, write_demo
from ghela_tools.up.lightwatch import PROBE_NAME, LightWatch, probe_access_control
from ghela_tools.up.moto import MotoChild
from ghela_tools.up.net import require_free
from ghela_tools.up.overrides import local_overrides
from ghela_tools.up.progress import Progress
from ghela_tools.up.stale import StateFile, clear_stale

THING_NAME = "ghela-local-pi"
REGION = names.DEFAULT_REGION
JOBS_POLL_SECONDS = 30.0
"""The jobs endpoint hears of the API's jobs at once (:meth:`LocalApi.on_job_created`); its
poll of moto only finds jobs made elsewhere (``aws iot create-job`` against moto)."""
NOTIFY_POLL_SECONDS = 5.0
"""How often the local notifications read moto's stream and fire due schedules. Each
round is several requests to moto; once a second they were most of what the idle system
spent (``bench/e2e.py``). EventBridge Scheduler fires to the minute, so 5 s loses nothing."""
COMPONENT_START_TIMEOUT = 90.0
"""A connected component subscribes within milliseconds; this leaves a wide margin."""


@dataclass
class UpOptions:
    root: Path
    port: int = 8080
    demo: bool = False
    demo_lead: timedelta = timedelta(seconds=120)
    recipes: Path = RECIPES_FOLDER
    thing_name: str = THING_NAME
    region: str = REGION


@dataclass
class Running:
    """What is up, for the summary, the state file and the tools that read it."""

    web_url: str = ""
    api_url: str = ""
    moto_url: str = ""
    demo_email: str = ""
    demo_password: str = ""
    kickoffs: list[str] = field(default_factory=list)
    first_alert: str = ""
    components: dict[str, str] = field(default_factory=dict)


class Stack:
    def __init__(self, options: UpOptions, progress: Progress) -> None:
        self.options = options
        self.progress = progress
        self.root = options.root.resolve()
        self.runtime_root = self.root / "runtime"
        self.system = System.under(self.runtime_root)
        self.locator: Path | None = None
        self.logs = self.root / "logs"
        self.state = StateFile(self.root)
        self.running = Running()
        self.moto: MotoChild | None = None
        self.resources: Any = None
        self.api: Any = None
        self.nucleus: Any = None
        self.jobs: Any = None
        self.light: Any = None
        self.notifier: Any = None
        self.teams: Any = None

    # ------------------------------------------------------------------ start

    def start(self) -> Running:
        try:
            self._clear()
            self._start_moto()
            self._provision()
            self._start_api()
            self._start_notifications()
            self._start_runtime()
            self._watch_light()
        except BaseException:
            self.stop()
            raise
        self._record(ready=True)
        return self.running

    def _clear(self) -> None:
        with self.progress.step("Clearing what an earlier run left behind"):
            for line in clear_stale(self.root, self.runtime_root / "status.json"):
                self.progress.say(f"      stopped a leftover {line}")
            require_free(self.options.port, "the web page and API")
            self._forget_cloud_state()

    def _forget_cloud_state(self) -> None:
        """moto starts empty: CloudSync must write everything again, jobs start afresh."""
        (self.root / "iotjobs.json").unlink(missing_ok=True)
        work = self.runtime_root / "work" / CLOUD_SYNC
        if work.is_dir():
            for path in work.glob("cloudsync-state.sqlite3*"):
                path.unlink(missing_ok=True)

    def _start_moto(self) -> None:
        with self.progress.step("Starting moto's server (stands in for AWS)"):
            self.moto = MotoChild(self.logs / "moto.log", env=_local_aws_env(os.environ))
            self.moto.start()
            self._record()
            try:
                self.moto.wait_ready()
            except ConfigurationError as exc:
                raise ConfigurationError(f"{exc}; its log:\n{self.moto.log_tail()}") from None
            self.running.moto_url = self.moto.url

    def _provision(self) -> None:
        with self.progress.step("Creating tables, user pool, demo user, thing and group in moto"):
            assert self.moto is not None
            self.resources = provision(
                self.moto.url, region=self.options.region, thing_name=self.options.thing_name
            )
            self.running.demo_email = self.resources.demo_email
            self.running.demo_password = self.resources.demo_password

    def _start_api(self) -> None:
        with self.progress.step("Starting the local API and the web page"):
            # The handlers' boto3 clients read these; the local server already points them at moto.
            os.environ.update(_local_aws_env({}, region=self.options.region))
            # The handlers log every request at INFO to stdout; the console is for the light.
            os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
            self.api = LocalApiServer(LocalApi(self.resources), port=self.options.port).start()
            self.running.web_url = f"http://127.0.0.1:{self.options.port}/"
            self.running.api_url = f"http://127.0.0.1:{self.options.port}/api"

    def _start_notifications(self) -> None:
        with self.progress.step("Starting notifications (stream planner, schedules, a Teams stand-in)"):
            parts = Notify(notify_settings_for(self.resources), session=local_session(self.options.region))
            # What an admin does with PUT /notify/webhook: the stand-in prints what Teams would get.
            self.teams = Receiver("teams", status=200)
            # Every alert, so the demo's first one (an early warning) shows here.
            hook = WebhookBody(url=f"{self.teams.url}/webhook", kind=ChatKind.TEAMS, alerts=AlertChoice.ALL)
            parts.secrets.set_webhook(hook)
            self.notifier = LocalNotifier(
                parts, StreamPoller(parts, self.resources.events_table), NOTIFY_POLL_SECONDS
            ).start()

    def _start_runtime(self) -> None:
        recipes = load_recipes(self.options.recipes)
        feed = None
        if self.options.demo:
            feed = self._write_demo(recipes[SCHEDULER].default_configuration)
        overrides = local_overrides(
            self.running.moto_url,
            self.options.thing_name,
            self.resources.events_table,
            self.resources.jobs_table,
            demo_feed=feed,
        )
        # The same document admins deploy (ghela gdk deployment), with the local overrides.
        document = deployment_document(recipes, self.resources.thing_group_arn, overrides)
        deployment_file = self.root / "deployment.json"
        deployment_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        with self.progress.step(f"Starting the local Greengrass runtime ({len(recipes)} recipes)"):
            env = dict(os.environ)
            env.update(GPIOZERO_PIN_FACTORY="mock", PYTHONUNBUFFERED="1")
            settings = Settings(
                root=self.runtime_root,
                thing_name=self.options.thing_name,
                region=self.options.region,
                python_env=Path(sys.prefix),
                base_env=env,
            )
            self.nucleus = LocalNucleus(recipes, settings, parse_deployment(document, str(deployment_file)))
            self.nucleus.start()
            self.locator = write_locator(self.system)
            iot = local_client("iot", self.running.moto_url, self.options.region)
            self.jobs = LocalJobsEndpoint(
                self.nucleus.iot_core,
                iot,
                [self.options.thing_name],
                SystemClock(),
                poll_seconds=JOBS_POLL_SECONDS,
                state_path=self.root / "iotjobs.json",
            ).start()
            self.api.api.on_job_created(self.jobs.job_created)
            self._record()
        with self.progress.step("Waiting for the components to run"):
            self._wait_for_components(recipes)

    def _write_demo(self, scheduler_defaults: dict[str, Any]) -> Path:
        with self.progress.step("Writing the demo fixtures feed"):
            path = self.root / "demo" / "home-games.ics"
            config = scheduler_config(scheduler_defaults)
            kickoffs = write_demo(path, config, SystemClock().now(), self.options.demo_lead)
            self.running.kickoffs = [k.isoformat() for k in kickoffs]
            alert = first_alert(config, kickoffs)
            self.running.first_alert = alert.isoformat() if alert else ""
            return path

    def _wait_for_components(self, recipes: dict[str, Any]) -> None:
        supervisor = self.nucleus.supervisor
        for name, recipe in recipes.items():
            with contextlib.suppress(TimeoutError):  # reported below as not running
                supervisor.wait_for(name, (RUNNING, FINISHED, BROKEN), COMPONENT_START_TIMEOUT)
            if recipe.steps.keys() & {"run", "startup"}:  # not the Suite or PythonEnv: they run nothing
                self.running.components[name] = supervisor.state(name)
        broken = [name for name, state in self.running.components.items() if state not in (RUNNING, FINISHED)]
        for name in broken:
            log = self.nucleus.supervisor.layout.log_file(name)
            self.progress.say(f"      {name} is {self.running.components[name]}; see {log}")

    def _watch_light(self) -> None:
        with self.progress.step("Watching the light"):
            ipc = self.nucleus.ipc
            token = ipc.register(PROBE_NAME, configuration={"accessControl": probe_access_control()})
            socket_path = str(self.nucleus.settings.socket_path)
            bus = IpcBus(unix_socket_connector(socket_path, token), connect_timeout=10.0)
            self.light = LightWatch(bus, self._say_light).start()

    def _say_light(self, line: str) -> None:
        stamp = SystemClock().now().astimezone(venue_zone()).strftime("%H:%M:%S")
        self.progress.say(f"{stamp}  {line}")

    # ------------------------------------------------------------------ status

    def health(self) -> str | None:
        """A line saying what died, or None while everything that should run runs."""
        if self.moto is not None and self.moto.exit_code() is not None:
            return f"moto's server exited ({self.moto.exit_code()}); its log:\n{self.moto.log_tail()}"
        return None

    def _record(self, ready: bool = False) -> None:
        children = [self.moto] if self.moto is not None else []
        self.state.write(
            children,
            {
                "ready": ready,
                "web_url": self.running.web_url,
                "api_url": self.running.api_url,
                "moto_url": self.running.moto_url,
                "demo_email": self.running.demo_email,
                "demo_password": self.running.demo_password,
                "kickoffs": self.running.kickoffs,
                "components": self.running.components,
                "runtime_root": str(self.runtime_root),
                "thing_name": self.options.thing_name,
            },
        )

    # ------------------------------------------------------------------ stop

    def stop(self) -> None:
        """Stop everything that started, in reverse order; never raises."""
        for what, action in (
            ("light watch", lambda: self.light and self.light.close()),
            ("jobs endpoint", lambda: self.jobs and self.jobs.stop()),
            ("runtime", lambda: self.nucleus and self.nucleus.stop()),
            ("notifications", lambda: self.notifier and self.notifier.stop()),
            ("Teams stand-in", lambda: self.teams and self.teams.stop()),
            ("API server", lambda: self.api and self.api.stop()),
            ("moto", lambda: self.moto and self.moto.stop(grace=5.0)),
        ):
            try:
                action()
            except Exception as exc:  # one part failing to stop must not keep the others running
                self.progress.say(f"      could not stop the {what} cleanly: {exc}")
        self.light = self.jobs = self.nucleus = self.api = self.moto = None
        self.notifier = self.teams = None
        self.state.remove()


def _local_aws_env(base: dict[str, str] | os._Environ[str], region: str = REGION) -> dict[str, str]:
    """Dummy credentials and a region: the local system never uses a real AWS account."""
    env = dict(base)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_EC2_METADATA_DISABLED="true",
        **MOTO_STRICT_SETTINGS,
    )
    env.pop("AWS_PROFILE", None)
    return env
