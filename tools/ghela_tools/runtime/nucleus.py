"""The local nucleus: the IPC server, the local IoT Core, the credentials endpoint and the
supervisor, wired together and started and stopped in the right order. With
``aws_endpoint_url`` it also runs the IoT Jobs endpoint (:mod:`ghela_tools.runtime.iotjobs`) on
the local IoT Core, for the runtime's thing, backed by the IoT control plane there (moto).

This is what ``ghela runtime run`` runs and what ``tests/support/runtime.py`` wraps::

    nucleus = LocalNucleus(recipes, Settings(root=Path(".ghela/runtime")), deployment)
    nucleus.start()          # IPC listening before any component starts
    ...
    nucleus.stop()           # components first (reverse dependency order), then IPC
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ghela.core.clock import Clock, SystemClock
from ghela.core.layout import Layout

from ghela_tools.runtime.credentials import CredentialsEndpoint
from ghela_tools.runtime.deployment import Deployment
from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.iotjobs import LocalJobsEndpoint
from ghela_tools.runtime.ipcserver import MAX_SOCKET_PATH_BYTES, IpcServer
from ghela_tools.runtime.leftovers import clear_crashed_runtime
from ghela_tools.runtime.recipes import Recipe
from ghela_tools.runtime.supervisor import Settings, Supervisor

log = logging.getLogger(__name__)


class LocalNucleus:
    def __init__(
        self,
        recipes: Mapping[str, Recipe],
        settings: Settings,
        deployment: Deployment | None = None,
        *,
        clock: Clock | None = None,
        credentials: dict[str, str] | None = None,
        aws_endpoint_url: str | None = None,
        jobs_poll_seconds: float = 1.0,
    ) -> None:
        layout = Layout(settings.root)
        self._socket_dir: Path | None = None
        socket_path = settings.socket_path or layout.ipc_socket
        if len(os.fsencode(socket_path)) > MAX_SOCKET_PATH_BYTES:
            # AF_UNIX paths are short; a deep root (a test's tmp_path) gets a short one.
            self._socket_dir = Path(tempfile.mkdtemp(prefix="ghela-ipc-"))
            socket_path = self._socket_dir / "ipc.socket"
        self.settings = replace(settings, socket_path=socket_path)
        self.iot_core = LocalIotCore()
        self.credentials = CredentialsEndpoint(credentials)
        self.ipc = IpcServer(socket_path, iot_core=self.iot_core, on_state=self._on_state)
        self._deployment = deployment
        self._recipes = recipes
        self._clock = clock
        self.supervisor: Supervisor | None = None
        self._aws_endpoint_url = aws_endpoint_url
        self._jobs_poll_seconds = jobs_poll_seconds
        self.jobs: LocalJobsEndpoint | None = None
        self.cleared: list[str] = []
        """What a crashed runtime on this root had left running, stopped at start."""

    def _on_state(self, name: str, state: str) -> None:
        if self.supervisor is not None:
            self.supervisor.report_state(name, state)

    def start(self) -> Supervisor:
        """Start everything; returns the supervisor (states, waits, configuration updates)."""
        self.settings.root.mkdir(parents=True, exist_ok=True)
        for line in clear_crashed_runtime(Layout(self.settings.root).status_file):
            log.warning("stopped a component a crashed runtime left running: %s", line)
            self.cleared.append(line)
        try:
            self.credentials.start()
            self.supervisor = Supervisor(
                self._recipes,
                self.settings,
                self._deployment,
                ipc=self.ipc,
                credentials=self.credentials.environment(),
                clock=self._clock,
            )
            self.ipc.start()
            if self._aws_endpoint_url is not None:
                self.jobs = self._jobs_endpoint(self._aws_endpoint_url)
            self.supervisor.start()
        except BaseException:
            self.stop()
            raise
        log.info("local nucleus running %d components from root %s", len(self._recipes), self.settings.root)
        return self.supervisor

    def _jobs_endpoint(self, endpoint_url: str) -> LocalJobsEndpoint:
        """IoT Jobs on the local IoT Core, backed by the IoT control plane at ``endpoint_url``
        ("" = real AWS in the settings' region)."""
        import boto3

        client = boto3.client("iot", region_name=self.settings.region, endpoint_url=endpoint_url or None)
        endpoint = LocalJobsEndpoint(
            self.iot_core,
            client,
            [self.settings.thing_name],
            self._clock or SystemClock(),
            poll_seconds=self._jobs_poll_seconds,
            state_path=Layout(self.settings.root).root / "iotjobs-state.json",
        )
        return endpoint.start()

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        if self.jobs is not None:
            self.jobs.stop()
            self.jobs = None
        self.ipc.stop()
        self.credentials.stop()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    def __enter__(self) -> LocalNucleus:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
