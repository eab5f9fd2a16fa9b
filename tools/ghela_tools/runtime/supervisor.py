"""The supervisor: a deployment's components, run as the nucleus would run them.

It runs the deployment's root components and their dependencies
(:mod:`ghela_tools.runtime.deployment`; without a deployment, every recipe in the folder). For
each it merges the configuration (defaults, then the deployment's ``configurationUpdate``,
for root components only), fills system parameters such as ``{iot:thingName}`` into it only
when the Nucleus's ``interpolateComponentConfiguration`` is on, registers the component with
the IPC server (token + configuration, which holds its ``accessControl``), builds its
environment and resolves its lifecycle variables, then
starts every component at once: each waits until its dependencies are RUNNING or FINISHED
(so the start order follows the dependency graph), runs Install, then Startup or Run, and
follows the restart rules (:mod:`ghela_tools.runtime.lifecycle`). When a component errors, the
components with a HARD dependency on it are restarted once it runs again; SOFT dependents
are left alone. ``stop()`` stops them in reverse dependency order.

Recipes are run as ``ghela gdk build`` writes them (:func:`~ghela_tools.packaging.build.as_built`):
a source folder's ``{PYTHON_ENV_KEY}`` and ``{COMPONENT_NAME}`` are filled as on a Pi.

Dependencies on components the runtime itself stands in for (the Nucleus and the Token
Exchange Service) are always satisfied; any other dependency must be a recipe in the folder.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ghela.core.backoff import Backoff
from ghela.core.clock import Clock, SystemClock
from ghela.core.layout import Layout
from ghela_cloud.names import DEFAULT_REGION

from ghela_tools.packaging.build import as_built
from ghela_tools.runtime.artifacts import link_environment, stage_artifacts
from ghela_tools.runtime.configmerge import apply_update
from ghela_tools.runtime.deployment import AWS_COMPONENT_PREFIX, Deployment
from ghela_tools.runtime.environment import PROVIDED_COMPONENTS, TOKEN_EXCHANGE_SERVICE, component_environment
from ghela_tools.runtime.lifecycle import (
    ERRORED,
    FINISHED,
    RUNNING,
    ComponentRecord,
    ManagedComponent,
    resolve_step,
)
from ghela_tools.runtime.logs import ComponentLog
from ghela_tools.runtime.recipes import Recipe, RecipeError
from ghela_tools.runtime.restart import ErrorWindow, restart_backoff
from ghela_tools.runtime.status import StatusBoard
from ghela_tools.runtime.variables import ComponentContext, Resolver, resolve_strings

READY_STATES = (RUNNING, FINISHED)

log = logging.getLogger(__name__)


class IpcHost(Protocol):
    """What the supervisor needs of the IPC server."""

    def register(
        self,
        name: str,
        *,
        configuration: Mapping[str, Any] | None,
        token: str | None,
        access_control: Mapping[str, Any] | None,
    ) -> str: ...


@dataclass
class Settings:
    """How the supervisor runs components (see ``ghela runtime run --help``)."""

    root: Path
    thing_name: str = "ghela-local-pi"
    region: str = DEFAULT_REGION
    artifacts_dir: Path | None = None
    python_env: Path | None = None
    backoff: Backoff = field(default_factory=restart_backoff)
    kill_grace: float | None = None  # None: the Shutdown step's timeout (15 s by default)
    base_env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    socket_path: Path | None = None  # None: {root}/ipc.socket
    error_limit: int = 3
    """Errors within an hour that make a component BROKEN: 3, as the nucleus. Only a
    fault-injection run, which kills components on purpose, raises it."""


def deployed_recipes(recipes: Mapping[str, Recipe], deployment: Deployment) -> dict[str, Recipe]:
    """The recipes of the deployment's roots and, transitively, their dependencies."""
    chosen: dict[str, Recipe] = {}
    pending = [(name, "the deployment names") for name in deployment.roots]
    while pending:
        name, needed_by = pending.pop()
        if name in chosen or name in PROVIDED_COMPONENTS:
            continue
        recipe = recipes.get(name)
        if recipe is None:
            if name.startswith(AWS_COMPONENT_PREFIX) and name in deployment.roots:
                log.warning("%s is in the deployment; the local runtime does not run it", name)
                continue
            raise RecipeError(
                f"{needed_by} {name}, which is neither a recipe in the folder "
                f"nor provided by the runtime ({', '.join(PROVIDED_COMPONENTS)})"
            )
        wanted = deployment.versions.get(name)
        if wanted is not None and wanted != recipe.version:
            raise RecipeError(f"the deployment wants {name} {wanted}; the recipe folder has {recipe.version}")
        chosen[name] = recipe
        pending.extend((dependency, f"{name} depends on") for dependency in recipe.dependencies)
    return chosen


def start_order(recipes: Mapping[str, Recipe]) -> list[str]:
    """Component names with each after its dependencies; a cycle or unknown dependency errs."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name) :], name])
            raise RecipeError(f"dependency cycle: {cycle}")
        visiting.append(name)
        for dependency in recipes[name].dependencies:
            if dependency in recipes:
                visit(dependency)
            elif dependency not in PROVIDED_COMPONENTS:
                raise RecipeError(
                    f"{name} depends on {dependency}, which is neither a recipe in the folder "
                    f"nor provided by the runtime ({', '.join(PROVIDED_COMPONENTS)})"
                )
        visiting.pop()
        order.append(name)

    for name in sorted(recipes):
        visit(name)
    return order


class Supervisor:
    def __init__(
        self,
        recipes: Mapping[str, Recipe],
        settings: Settings,
        deployment: Deployment | None = None,
        *,
        ipc: IpcHost | None = None,
        credentials: Mapping[str, str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.deployment = deployment or Deployment.of(recipes)
        # The nucleus runs built recipes; a source folder's run as the build would write them.
        self.recipes = {name: as_built(r) for name, r in deployed_recipes(recipes, self.deployment).items()}
        for name in self.deployment.ignored_updates():
            log.warning("configurationUpdate for %s ignored: the deployment does not name it", name)
        self.interpolates_configuration = self.deployment.interpolates_configuration()
        self.settings = settings
        self.layout = Layout(settings.root)
        self.order = start_order(self.recipes)
        self._clock = clock or SystemClock()
        self._ipc = ipc
        self._credentials = dict(credentials or {})
        self._changed = threading.Condition()
        self.status = StatusBoard(self.layout.status_file, self._clock.now)
        self.configurations = {
            name: apply_update(recipe.default_configuration, self.deployment.update_for(name))
            for name, recipe in self.recipes.items()
        }
        for name in self.recipes:
            self.configurations[name] = self._interpolated(name, self.configurations[name])
        self.tokens = {name: secrets.token_hex(16) for name in self.recipes}
        self.components: dict[str, ManagedComponent] = {}
        self._stopped = False

    # ------------------------------------------------------------------ start and stop

    def start(self) -> None:
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        for provided in PROVIDED_COMPONENTS:
            self.status.update(
                provided, "local", ComponentRecord(state=RUNNING, since=self._clock.now().isoformat())
            )
        for name in self.order:
            self.components[name] = self._prepare(self.recipes[name])
        for name in self.order:
            self.components[name].start()

    def _prepare(self, recipe: Recipe) -> ManagedComponent:
        name = recipe.name
        self._register(name)
        if self.settings.artifacts_dir is not None:
            stage_artifacts(recipe, self.layout, self.settings.artifacts_dir)
        resolver = self._resolver(name)
        env = component_environment(
            self.settings.base_env,
            socket_path=str(self.settings.socket_path or self.layout.ipc_socket),
            token=self.tokens[name],
            thing_name=self.settings.thing_name,
            region=self.settings.region,
            root_ca_path=str(self.layout.root / "rootCA.pem"),
            credentials=self._credentials if TOKEN_EXCHANGE_SERVICE in recipe.dependencies else None,
        )
        env.update({k: resolver.resolve(v) for k, v in recipe.setenv.items()})
        steps = {step: resolve_step(step, spec, resolver.resolve, env) for step, spec in recipe.steps.items()}
        work_dir = self.layout.work(name)
        if self.settings.python_env is not None and "install" in steps:
            link_environment(steps["install"].skipif, work_dir, self.settings.python_env)
        shutdown = steps.get("shutdown")
        grace = self.settings.kill_grace
        if grace is None:
            grace = shutdown.timeout if shutdown is not None and shutdown.timeout else 15.0
        log = ComponentLog(self.layout.log_file(name), name, self._clock.now)
        return ManagedComponent(
            name,
            steps,
            work_dir,
            log=log,
            clock=self._clock,
            backoff=self.settings.backoff,
            on_change=lambda component: self._on_change(recipe.version, component),
            wait_for_dependencies=lambda stopping: self._wait_for_dependencies(recipe, stopping),
            kill_grace=grace,
            errors=ErrorWindow(self.settings.error_limit),
        )

    def _resolver(self, name: str) -> Resolver:
        context = self._context(name)
        assert context is not None
        return Resolver(self.layout, self.settings.thing_name, context, self._context)

    def _interpolated(self, name: str, configuration: dict[str, Any]) -> dict[str, Any]:
        """``configuration`` with system parameters filled in, if the Nucleus says so."""
        if not self.interpolates_configuration:
            return configuration
        return resolve_strings(configuration, self._resolver(name).resolve_system_parameters)

    def _register(self, name: str) -> None:
        """Hand the component's configuration (and so its accessControl) to the IPC server."""
        if self._ipc is None:
            return
        configuration = self.configurations[name]
        access = configuration.get("accessControl", {})
        self._ipc.register(name, configuration=configuration, token=self.tokens[name], access_control=access)

    def stop(self) -> None:
        """Stop every component, dependents before what they depend on."""
        if self._stopped:
            return
        self._stopped = True
        for name in reversed(self.order):
            component = self.components.get(name)
            if component is not None:
                component.stop()
        for provided in PROVIDED_COMPONENTS:
            self.status.update(
                provided, "local", ComponentRecord(state=FINISHED, since=self._clock.now().isoformat())
            )
        with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------------ states

    def _context(self, name: str) -> ComponentContext | None:
        recipe = self.recipes.get(name)
        if recipe is None:
            return None
        return ComponentContext(name, recipe.version, self.configurations[name])

    def _on_change(self, version: str, component: ManagedComponent) -> None:
        self.status.update(component.name, version, component.record)
        with self._changed:
            self._changed.notify_all()
        if component.state == ERRORED:
            # As the nucleus does: what HARD-depends on a component that errored restarts too
            # (after it is RUNNING again); SOFT dependents carry on.
            for name, recipe in self.recipes.items():
                dependency = recipe.dependencies.get(component.name)
                if dependency is not None and dependency.hard and name in self.components:
                    self.components[name].request_restart(f"its HARD dependency {component.name} errored")

    def _wait_for_dependencies(self, recipe: Recipe, stopping: threading.Event) -> bool:
        waiting_on = [d for d in recipe.dependencies if d in self.recipes]

        def ready() -> bool:
            return stopping.is_set() or all(self.state(d) in READY_STATES for d in waiting_on)

        with self._changed:
            while not ready():
                self._changed.wait(0.5)
        return not stopping.is_set()

    def state(self, name: str) -> str:
        component = self.components.get(name)
        if component is not None:
            return component.state
        if name in PROVIDED_COMPONENTS:
            return RUNNING
        raise RecipeError(f"no component {name}")

    def wait_for(
        self,
        name: str,
        states: Iterable[str],
        timeout: float,
        condition: Callable[[ComponentRecord], bool] | None = None,
    ) -> ComponentRecord:
        """Block until ``name`` is in one of ``states`` (and ``condition`` holds); TimeoutError else."""
        wanted = set(states)
        deadline = threading.Event()
        def expire() -> None:
            deadline.set()
            self._notify()

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            with self._changed:
                while True:
                    component = self.components.get(name)
                    if (
                        component is not None
                        and component.state in wanted
                        and (condition is None or condition(component.record))
                    ):
                        return component.record
                    if deadline.is_set():
                        state = component.state if component is not None else "not started"
                        raise TimeoutError(f"{name} is {state}, not {sorted(wanted)}, after {timeout:g} s")
                    self._changed.wait(0.5)
        finally:
            timer.cancel()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def report_state(self, name: str, state: str) -> None:
        """UpdateState from a component (the IPC server calls this)."""
        component = self.components.get(name)
        if component is not None:
            component.report_state(state)
            if component.log is not None:
                component.log.event(f"UpdateState {state}")

    def update_configuration(self, name: str, update: Mapping[str, Any]) -> dict[str, Any]:
        """A deployment changing one component's configuration (pushed to it over IPC)."""
        if name not in self.recipes:
            raise RecipeError(f"no component {name}")
        configuration = apply_update(
            self.recipes[name].default_configuration, update, self.configurations[name]
        )
        configuration = self._interpolated(name, configuration)
        self.configurations[name] = configuration
        self._register(name)  # same token; watchers of changed keys get the update pushed
        return configuration
