"""One component's life under the runtime: Install, Startup or Run, restarts, Shutdown.

States are the nucleus's: NEW → INSTALLED → STARTING → RUNNING → FINISHED, with ERRORED
(then Recover and a restart after a backoff) and BROKEN (three errors in a row within an
hour; no more tries). A Run script that exits 0 is FINISHED and stays so; a non-zero exit,
a step that times out, or the component's own ``UpdateState(ERRORED)`` is an error.

Each component has one thread (:meth:`ManagedComponent.run`); :meth:`stop` is called from
the supervisor's thread and is safe against the component thread starting a process at
the same moment.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ghela.core.backoff import Backoff
from ghela.core.clock import Clock

from ghela_tools.runtime.logs import ComponentLog
from ghela_tools.runtime.process import ScriptProcess
from ghela_tools.runtime.recipes import Step
from ghela_tools.runtime.restart import ErrorWindow

NEW, INSTALLED, STARTING, RUNNING, STOPPING, ERRORED, BROKEN, FINISHED = (
    "NEW", "INSTALLED", "STARTING", "RUNNING", "STOPPING", "ERRORED", "BROKEN", "FINISHED",
)  # fmt: skip
_KEEP = object()
DEFAULT_TIMEOUTS = {"install": 120.0, "startup": 120.0, "shutdown": 15.0, "recover": 60.0}


@dataclass(frozen=True)
class ResolvedStep:
    """A lifecycle step with its variables resolved and its environment complete."""

    name: str  # "install", "run", ...
    script: str
    env: Mapping[str, str]
    skipif: str | None = None
    timeout: float | None = None
    requires_privilege: bool = False

    @property
    def title(self) -> str:
        return self.name.capitalize()


def resolve_step(
    name: str, step: Step, resolve: Callable[[str], str], env: Mapping[str, str]
) -> ResolvedStep:
    full_env = {**env, **{k: resolve(v) for k, v in step.setenv.items()}}
    return ResolvedStep(
        name=name,
        script=resolve(step.script),
        env=full_env,
        skipif=resolve(step.skipif) if step.skipif else None,
        timeout=step.timeout if step.timeout is not None else DEFAULT_TIMEOUTS.get(name),
        requires_privilege=step.requires_privilege,
    )


def should_skip(skipif: str | None, env: Mapping[str, str]) -> bool:
    """Evaluate ``exists PATH`` / ``onpath EXECUTABLE`` as the nucleus does."""
    if not skipif:
        return False
    check, _, target = skipif.partition(" ")
    target = target.strip()
    if check == "exists":
        return Path(target).exists()
    return shutil.which(target, path=env.get("PATH", os.defpath)) is not None


@dataclass(frozen=True)
class Restart:
    """Not an error: the supervisor restarts the component (a HARD dependency errored)."""

    reason: str


@dataclass
class ComponentRecord:
    """What the status shows about a component."""

    state: str = NEW
    restarts: int = 0
    errors: int = 0
    pid: int | None = None
    last_exit: int | None = None
    last_error: str = ""
    since: str = ""


class ManagedComponent:
    """Runs one component's lifecycle steps and applies the restart rules."""

    def __init__(
        self,
        name: str,
        steps: Mapping[str, ResolvedStep],
        work_dir: Path,
        *,
        log: ComponentLog,
        clock: Clock,
        backoff: Backoff,
        on_change: Callable[[ManagedComponent], None],
        wait_for_dependencies: Callable[[threading.Event], bool],
        kill_grace: float = 15.0,
        errors: ErrorWindow | None = None,
    ) -> None:
        self.name = name
        self.steps = dict(steps)
        self.work_dir = work_dir
        self.log = log
        self.record = ComponentRecord(since=clock.now().isoformat())
        self._clock = clock
        self._backoff = backoff
        self._on_change = on_change
        self._wait_for_dependencies = wait_for_dependencies
        self._kill_grace = kill_grace
        self._errors = errors or ErrorWindow()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()  # process exit, UpdateState ERRORED, or stop
        self._reported_error = False
        self._restart: Restart | None = None
        self._process: ScriptProcess | None = None
        self._last_step_process: ScriptProcess | None = None
        self._daemons: ScriptProcess | None = None  # what a Startup script left running
        self._installed = False
        self._warned_privilege = False
        self._thread = threading.Thread(target=self.run, name=f"component-{name}", daemon=True)

    @property
    def state(self) -> str:
        return self.record.state

    def start(self) -> None:
        self._thread.start()

    # ------------------------------------------------------------------ the component thread

    def run(self) -> None:
        while self._wait_for_dependencies(self._stopping):
            outcome = self._one_life()
            if outcome is None or self._stopping.is_set():
                return
            if self._daemons is not None:  # a Startup component's processes go before a retry
                self._daemons.terminate(self._kill_grace)
                self._daemons = None
            if isinstance(outcome, Restart):
                self.record.restarts += 1
                self.log.event(f"restarting (restart {self.record.restarts}): {outcome.reason}")
                self._set_state(INSTALLED if self._installed else NEW, pid=None)
            elif not self._fail(outcome):
                return

    def _one_life(self) -> str | Restart | None:
        """Install (once), then Startup or Run until it ends: an error, a restart, or None."""
        if not self._installed:
            failure = self._run_step("install")
            if failure:
                return failure
            self._installed = True
            self._set_state(INSTALLED)
        if "startup" in self.steps:
            self._set_state(STARTING)
            failure = self._run_step("startup")
            if failure:
                return failure
            self._daemons = self._last_step_process
            self._set_state(RUNNING)
            return self._wait_while_running(None)
        if "run" in self.steps:
            process = self._spawn(self.steps["run"])
            if process is None:
                return None
            self._set_state(RUNNING, pid=process.pid)
            return self._wait_while_running(process)
        self._set_state(FINISHED)  # nothing to run (the Suite): done, like the nucleus
        return None

    def _wait_while_running(self, process: ScriptProcess | None) -> str | Restart | None:
        """Wait for stop (None), a clean exit (None, FINISHED), an error (its reason) or a
        restart asked for by the supervisor (a HARD dependency errored)."""
        while True:
            self._wake.wait()
            with self._lock:
                self._wake.clear()  # every condition below is state, so no wake-up is lost
                if self._stopping.is_set():
                    return None
                if self._reported_error:
                    self._reported_error = False
                    reason: str | Restart = "the component reported ERRORED"
                    break
                if self._restart is not None:
                    reason, self._restart = self._restart, None
                    break
                if process is not None and process.exited.is_set():
                    self.record.last_exit = process.returncode
                    self._process = None
                    reason = f"Run exited with code {process.returncode}"
                    break
        if process is not None and process.returncode == 0:
            self.log.event("Run exited 0: FINISHED")
            self._set_state(FINISHED, pid=None)
            return None
        if process is not None and not process.exited.is_set():
            self.log.event(f"{reason if isinstance(reason, str) else reason.reason}; stopping the process")
            self.record.last_exit = process.terminate(self._kill_grace)
            with self._lock:
                self._process = None
        return reason

    def _fail(self, reason: str) -> bool:
        """Count an error; True to try again, False when BROKEN."""
        self.record.errors += 1
        self.record.last_error = reason
        self.log.event(f"error: {reason}", level="ERROR")
        self._set_state(ERRORED, pid=None)
        if self._errors.record(self._clock.now()):
            self.log.event(f"{self._errors.limit} errors within {self._errors.window}: BROKEN", level="ERROR")
            self._set_state(BROKEN)
            return False
        if "recover" in self.steps:
            self._run_step("recover")
        delay = self._backoff.delay_after(self._errors.count(self._clock.now()))
        if delay > 0 and self._clock.wait(self._stopping, self._clock.now() + timedelta(seconds=delay)):
            return False
        self.record.restarts += 1
        self.log.event(f"restarting (restart {self.record.restarts})")
        return not self._stopping.is_set()

    def _run_step(self, name: str) -> str | None:
        """Run a step to its end; returns an error text, or None on success or skip."""
        step = self.steps.get(name)
        if step is None:
            return None
        if should_skip(step.skipif, step.env):
            self.log.event(f"{step.title} skipped ({step.skipif})")
            return None
        process = self._spawn(step)
        if process is None:
            return None
        self._last_step_process = process
        code = process.wait(step.timeout)
        with self._lock:
            self._process = None
        if code is None:
            process.terminate(self._kill_grace)
            return f"{step.title} timed out after {step.timeout:g} s"
        if code != 0 and not self._stopping.is_set():
            return f"{step.title} exited with code {code}"
        return None

    def _spawn(self, step: ResolvedStep) -> ScriptProcess | None:
        if step.requires_privilege and os.geteuid() != 0 and not self._warned_privilege:
            self._warned_privilege = True
            self.log.event("RequiresPrivilege: the local runtime runs every step as the current user", "WARN")
        with self._lock:
            if self._stopping.is_set():
                return None
            self.work_dir.mkdir(parents=True, exist_ok=True)
            self.log.event(f"{step.title} starting: {step.script!r}")

            def sink(stream: str, text: str) -> None:
                self.log.output(stream, text, step.title, self.record.state)

            keep = step.name == "startup"
            process = ScriptProcess(step.script, step.env, self.work_dir, sink, keep_children=keep)
            self._process = process
        threading.Thread(target=self._wake_on_exit, args=(process,), daemon=True).start()
        return process

    def _wake_on_exit(self, process: ScriptProcess) -> None:
        process.exited.wait()
        self._wake.set()

    def _set_state(self, state: str, pid: int | object | None = _KEEP) -> None:
        self.record.state = state
        self.record.since = self._clock.now().isoformat()
        if pid is not _KEEP:
            # an int or None: _KEEP, the only other object, is excluded above
            self.record.pid = pid  # type: ignore[assignment]
        self.log.event(f"state {state}")
        self._on_change(self)

    # ------------------------------------------------------------------ from other threads

    def report_state(self, state: str) -> None:
        """The component's own UpdateState: ERRORED makes the runtime restart it."""
        if state.upper() == ERRORED:
            with self._lock:
                self._reported_error = True
            self._wake.set()
        elif state.upper() == RUNNING and self.record.state == STARTING:
            self._set_state(RUNNING)

    def request_restart(self, reason: str) -> None:
        """Restart the running component without counting an error (the nucleus does this
        to a component whose HARD dependency errored); ignored unless it is running."""
        with self._lock:
            if self.record.state not in (RUNNING, STARTING) or self._stopping.is_set():
                return
            self._restart = Restart(reason)
        self._wake.set()

    def stop(self) -> None:
        """Shutdown step, then SIGTERM the running script, then SIGKILL after the grace."""
        with self._lock:
            self._stopping.set()
            process = self._process
        self._wake.set()
        was = self.record.state
        if was not in (NEW, BROKEN):
            self._set_state(STOPPING)
            shutdown = self.steps.get("shutdown")
            if shutdown is not None and not should_skip(shutdown.skipif, shutdown.env):
                self.log.event(f"Shutdown starting: {shutdown.script!r}")
                ScriptProcess(shutdown.script, shutdown.env, self.work_dir, self._shutdown_sink).wait(
                    shutdown.timeout
                )
        if process is not None:
            code = process.terminate(self._kill_grace)
            self.record.last_exit = code
            self.log.event(f"stopped (exit code {code})")
        if self._daemons is not None:
            self._daemons.terminate(self._kill_grace)
        if self._thread.ident is not None:
            self._thread.join(timeout=self._kill_grace + 10)
        if was not in (NEW, BROKEN):
            self._set_state(FINISHED, pid=None)

    def _shutdown_sink(self, stream: str, text: str) -> None:
        self.log.output(stream, text, "Shutdown", STOPPING)
