"""Run real components as processes under the local Greengrass runtime, from a test.

``LocalRuntime`` starts the local nucleus (:mod:`ghela_tools.runtime.nucleus`: IPC server, local
IoT Core, credentials endpoint, supervisor) on recipes — by default the project's own
``recipes/`` — in a temporary root, in developer mode (each component's venv is linked to
the test's own Python, so Install is skipped and components start in about a second,
offline). It stops everything on exit, whatever happened. Mark such tests
``@pytest.mark.runtime``.

Typical use::

    from tests.support.runtime import LocalRuntime, SCHEDULER

    @pytest.mark.runtime
    def test_scheduler_answers(tmp_path):
        with LocalRuntime(
            tmp_path,
            components=[SCHEDULER],
            config_overrides={SCHEDULER: {"databasePath": str(tmp_path / "db.sqlite")}},
        ) as runtime:
            runtime.wait_for_state(SCHEDULER, "RUNNING")
            bus = runtime.probe(publish=[topics.COMMAND], subscribe=[topics.COMMAND_RESULT])
            ...                                   # an IpcBus, as a component would have
            runtime.wait_for_output(SCHEDULER, "started")   # a line of its stdout
            runtime.kill(SCHEDULER)                          # SIGKILL; the runtime restarts it

What it offers:

- ``components=[...]`` names the deployment's root components (default: every recipe in
  the folder; pass ``recipe_dir=`` for a folder of your own, e.g. tiny test recipes);
  their dependencies come along, as on a core.
- The picked components are the deployment's roots. ``config_overrides={name: {...}}`` is
  merged over a recipe's DefaultConfiguration, as a deployment's
  ``configurationUpdate.merge``; ``config_updates={name: {"merge": ..., "reset": [...]}}``
  gives the full deployment shape. Updates for components that are not roots are ignored,
  as the nucleus ignores them (so tests can share one dict). ``nucleus_update`` is the
  ``aws.greengrass.Nucleus`` entry's configurationUpdate: by default the one the project's
  deployment document has (``interpolateComponentConfiguration`` on); ``None`` leaves the
  nucleus at its defaults, as a fresh core is.
- ``probe(name=..., publish=[...], subscribe=[...], iot_publish=[...], iot_subscribe=[...])``
  registers an extra component (no process) with exactly that ``accessControl`` and
  returns a connected :class:`ghela.core.ipc.IpcBus`; ``probe_environment(...)`` gives the
  environment variables instead, for a client in another process.
- ``state(name)``, ``record(name)`` (restarts, errors, pid, last exit),
  ``wait_for_state(name, "RUNNING", ...)``, ``wait_for(name, states, condition)``.
- ``log(name)`` (the nucleus-style log file's text), ``output(name)`` (the raw stdout
  lines), ``json_output(name)`` (stdout lines that are JSON log records),
  ``wait_for_output(name, text)``.
- ``update_configuration(name, merge=..., reset=...)`` acts as a new deployment; the
  component gets the update pushed over IPC.
- ``error_limit=`` raises the nucleus's 3 errors an hour before BROKEN (for kill campaigns).
- ``aws_endpoint_url=moto_server.url`` also runs the IoT Jobs endpoint
  (:mod:`ghela_tools.runtime.iotjobs`, as ``jobs``) for ``thing_name`` against that control plane.
- ``iot_core`` (the :class:`~ghela_tools.runtime.iotcore.LocalIotCore`), ``jobs``,
  ``supervisor``, ``root``, ``thing_name``.
- ``write_recipe(folder, name, {"Run": python("...")}, depends=..., configuration=...)``
  writes a tiny recipe for tests of the runtime itself (``recipe_dir=folder``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from ghela.core.backoff import Backoff
from ghela.core.componentnames import (  # noqa: F401 (the runtime tests import them from here)
    ALERT_LIGHT,
    CLOUD_SYNC,
    METRICS,
    RUNNING,
    SCHEDULER,
    SCRAPER,
    SUITE,
)
from ghela.core.layout import Layout
from ghela.core.nucleus import NUCLEUS
from ghela_tools.packaging.deployment import NUCLEUS_UPDATE
from ghela_tools.runtime.deployment import Deployment
from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.iotjobs import LocalJobsEndpoint
from ghela_tools.runtime.lifecycle import ComponentRecord
from ghela_tools.runtime.logs import output_lines
from ghela_tools.runtime.nucleus import LocalNucleus
from ghela_tools.runtime.recipes import load_recipes
from ghela_tools.runtime.supervisor import Settings, Supervisor

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "recipes"
THING_NAME = "ghela-local-pi"
FAST_BACKOFF = Backoff(initial=0.05, cap=0.5)
"""Restarts within a fraction of a second, so restart tests stay fast."""


class LocalRuntime:
    def __init__(
        self,
        tmp_path: Path,
        components: Iterable[str] | None = None,
        *,
        recipe_dir: Path = RECIPES,
        config_overrides: Mapping[str, Mapping[str, Any]] | None = None,
        config_updates: Mapping[str, Mapping[str, Any]] | None = None,
        backoff: Backoff = FAST_BACKOFF,
        kill_grace: float = 5.0,
        thing_name: str = THING_NAME,
        region: str = "eu-west-1",
        artifacts_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        aws_endpoint_url: str | None = None,
        jobs_poll_seconds: float = 0.2,
        nucleus_update: Mapping[str, Any] | None = NUCLEUS_UPDATE,
        error_limit: int = 3,
    ) -> None:
        recipes = load_recipes(recipe_dir)
        picked = list(recipes) if components is None else list(components)
        missing = [name for name in picked if name not in recipes]
        if missing:
            raise KeyError(f"no recipe for {missing} in {recipe_dir}")
        updates: dict[str, dict[str, Any]] = {n: dict(u) for n, u in (config_updates or {}).items()}
        for name, merge in (config_overrides or {}).items():
            updates.setdefault(name, {})["merge"] = dict(merge)
        roots = list(picked)
        if nucleus_update is not None:
            roots.append(NUCLEUS)
            updates[NUCLEUS] = dict(nucleus_update)
        deployment = Deployment.of(roots, updates)
        self.root = tmp_path / "greengrass"
        self.thing_name = thing_name
        self.layout = Layout(self.root)
        base_env = dict(os.environ)
        base_env.update(env or {})
        settings = Settings(
            root=self.root,
            thing_name=thing_name,
            region=region,
            artifacts_dir=artifacts_dir,
            python_env=None if artifacts_dir else Path(sys.prefix),
            backoff=backoff,
            kill_grace=kill_grace,
            base_env=base_env,
            error_limit=error_limit,
        )
        self.nucleus = LocalNucleus(
            recipes,
            settings,
            deployment,
            aws_endpoint_url=aws_endpoint_url,
            jobs_poll_seconds=jobs_poll_seconds,
        )
        self._probes: list[Any] = []

    # ------------------------------------------------------------------ lifetime

    def __enter__(self) -> LocalRuntime:
        self.nucleus.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for probe in self._probes:
            with contextlib.suppress(Exception):  # a probe that failed must not stop the cleanup
                probe.close()
        self.nucleus.stop()

    @property
    def supervisor(self) -> Supervisor:
        assert self.nucleus.supervisor is not None, "the runtime is not started"
        return self.nucleus.supervisor

    @property
    def iot_core(self) -> LocalIotCore:
        return self.nucleus.iot_core

    @property
    def jobs(self) -> LocalJobsEndpoint:
        assert self.nucleus.jobs is not None, "pass aws_endpoint_url= to run the IoT Jobs endpoint"
        return self.nucleus.jobs

    # ------------------------------------------------------------------ states

    def state(self, name: str) -> str:
        return self.supervisor.state(name)

    def record(self, name: str) -> ComponentRecord:
        return self.supervisor.components[name].record

    def wait_for_state(self, name: str, *states: str, timeout: float = 30.0) -> ComponentRecord:
        return self.supervisor.wait_for(name, states or ("RUNNING",), timeout)

    def wait_for(
        self,
        name: str,
        states: Iterable[str],
        condition: Callable[[ComponentRecord], bool] | None = None,
        timeout: float = 30.0,
    ) -> ComponentRecord:
        return self.supervisor.wait_for(name, states, timeout, condition)

    def kill(self, name: str, signum: int = signal.SIGKILL) -> int:
        """Signal the component's running process group (default SIGKILL); returns its pid."""
        pid = self.record(name).pid
        if pid is None:
            raise RuntimeError(f"{name} has no running process (state {self.state(name)})")
        os.killpg(pid, signum)
        return pid

    def update_configuration(
        self, name: str, merge: Mapping[str, Any] | None = None, reset: list[str] | None = None
    ) -> dict[str, Any]:
        return self.supervisor.update_configuration(name, {"merge": dict(merge or {}), "reset": reset or []})

    # ------------------------------------------------------------------ logs

    def log(self, name: str) -> str:
        path = self.layout.log_file(name)
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def output(self, name: str, stream: str | None = "stdout") -> list[str]:
        return output_lines(self.layout.log_file(name), stream)

    def json_output(self, name: str) -> list[dict[str, Any]]:
        records = []
        for line in self.output(name):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                records.append(value)
        return records

    def wait_for_output(self, name: str, text: str, timeout: float = 30.0, stream: str | None = None) -> str:
        """The first output line containing ``text``; AssertionError with the log after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.output(name, stream):
                if text in line:
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} never wrote {text!r}; its log:\n{self.log(name)[-4000:]}")
            time.sleep(0.05)

    # ------------------------------------------------------------------ probes

    def probe_environment(
        self,
        name: str = "test.Probe",
        *,
        publish: Iterable[str] = (),
        subscribe: Iterable[str] = (),
        iot_publish: Iterable[str] = (),
        iot_subscribe: Iterable[str] = (),
        configuration: Mapping[str, Any] | None = None,
    ) -> dict[str, str]:
        """Register ``name`` with exactly this accessControl; its IPC environment variables."""
        access = access_control(name, publish, subscribe, iot_publish, iot_subscribe)
        self.nucleus.ipc.register(name, configuration={**(configuration or {}), "accessControl": access})
        return {
            **self.nucleus.ipc.environment(name),
            "AWS_IOT_THING_NAME": self.thing_name,
            "AWS_REGION": self.nucleus.settings.region,
        }

    def probe(self, name: str = "test.Probe", **access: Any):  # -> ghela.core.ipc.IpcBus
        """A connected IpcBus for an extra component with the given accessControl (see above)."""
        from ghela.core.ipc import IpcBus
        from ghela.core.ipclink import unix_socket_connector
        from ghela.core.nucleusenv import SOCKET_ENV, TOKEN_ENV

        env = self.probe_environment(name, **access)
        bus = IpcBus(unix_socket_connector(env[SOCKET_ENV], env[TOKEN_ENV]))
        self._probes.append(bus)
        return bus


def access_control(
    name: str,
    publish: Iterable[str] = (),
    subscribe: Iterable[str] = (),
    iot_publish: Iterable[str] = (),
    iot_subscribe: Iterable[str] = (),
) -> dict[str, Any]:
    """An ``accessControl`` block, one policy per operation, as a recipe would write it."""
    pubsub: dict[str, Any] = {}
    mqtt: dict[str, Any] = {}
    for policies, operation, resources in (
        (pubsub, "aws.greengrass#PublishToTopic", publish),
        (pubsub, "aws.greengrass#SubscribeToTopic", subscribe),
        (mqtt, "aws.greengrass#PublishToIoTCore", iot_publish),
        (mqtt, "aws.greengrass#SubscribeToIoTCore", iot_subscribe),
    ):
        resources = list(resources)
        if resources:
            policies[f"{name}:{operation.split('#')[1]}"] = {
                "operations": [operation],
                "resources": resources,
            }
    result = {}
    if pubsub:
        result["aws.greengrass.ipc.pubsub"] = pubsub
    if mqtt:
        result["aws.greengrass.ipc.mqttproxy"] = mqtt
    return result


# ---------------------------------------------------------------------- tiny test recipes


def python(code: str) -> str:
    """A shell command running ``code`` with this test's Python, unbuffered."""
    return f"{shlex.quote(sys.executable)} -u -c {shlex.quote(code)}"


def write_recipe(
    folder: Path,
    name: str,
    lifecycle: Mapping[str, Any],
    *,
    depends: Mapping[str, str] | None = None,
    configuration: Mapping[str, Any] | None = None,
    version: str = "1.0.0",
) -> Path:
    """Write a minimal recipe (``lifecycle`` as in a Linux manifest) into ``folder``.

    ``depends`` maps component names to "HARD"/"SOFT"; ``configuration`` is the
    DefaultConfiguration (put an ``accessControl`` there for IPC pub/sub).
    """
    folder.mkdir(parents=True, exist_ok=True)
    recipe = {
        "RecipeFormatVersion": "2020-01-25",
        "ComponentName": name,
        "ComponentVersion": version,
        "ComponentConfiguration": {"DefaultConfiguration": dict(configuration or {})},
        "ComponentDependencies": {
            dep: {"VersionRequirement": ">=0.0.0", "DependencyType": kind}
            for dep, kind in (depends or {}).items()
        },
        "Manifests": [{"Platform": {"os": "linux"}, "Lifecycle": dict(lifecycle)}],
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    return path
