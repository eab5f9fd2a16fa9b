"""The Greengrass IPC server of the local runtime (the supervisor runs one).

It listens on a Unix socket and speaks event-stream RPC exactly enough for the unchanged
awsiotsdk ``GreengrassCoreIPCClientV2``: connect with the component's token (SVCUID), ping,
local pub/sub, IoT Core pub/sub (through a :class:`~ghela_tools.runtime.iotcore.LocalIotCore`),
GetConfiguration, SubscribeToConfigurationUpdate and UpdateState; every other operation
answers ServiceError. Calls are authorized against each component's ``accessControl``.

Use from the supervisor (all methods are thread-safe)::

    server = IpcServer(root / "ipc.socket", iot_core=iot, on_state=lambda name, state: ...)
    token = server.register("com.ghelamco.alert.Scheduler", configuration=merged_config)
    server.start()
    env = server.environment("com.ghelamco.alert.Scheduler")   # socket path + SVCUID
    ...
    server.set_configuration("com.ghelamco.alert.Scheduler", new_config)  # a "deployment"
    server.stop()

The server runs an asyncio loop in one daemon thread. A malformed frame (bad CRC,
truncated, over the limits of :mod:`~ghela_tools.runtime.eventstream`) closes that connection
only. ``on_state`` is called from a single worker thread, in order, never on the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import logging
import os
import secrets
import stat
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ghela.core.nucleusenv import SOCKET_ENV, TOKEN_ENV

from ghela_tools.runtime.configstore import ConfigStore, KeyPath
from ghela_tools.runtime.eventstream import MAX_FRAME_BYTES, MAX_HEADERS_BYTES
from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.ipcconnection import DEFAULT_CONNECT_TIMEOUT_SECONDS, Connection, Limits
from ghela_tools.runtime.operations import Services
from ghela_tools.runtime.pubsub import LocalPubSub

log = logging.getLogger(__name__)

MAX_SOCKET_PATH_BYTES = 107
DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024

StateCallback = Callable[[str, str], None]
"""``on_state(component_name, state)`` with state ``"RUNNING"`` or ``"ERRORED"``."""


class _Registration:
    def __init__(self, token: str, explicit_access: Mapping[str, Any] | None) -> None:
        self.token = token
        self.explicit_access = copy.deepcopy(explicit_access)
        self.configured_access: Mapping[str, Any] | None = None
        """A copy of the configuration's ``accessControl``, refreshed on every change."""

    @property
    def access_control(self) -> Mapping[str, Any] | None:
        return self.explicit_access if self.explicit_access is not None else self.configured_access

    def configured(self, configuration: Mapping[str, Any]) -> None:
        value = configuration.get("accessControl")
        self.configured_access = copy.deepcopy(value) if isinstance(value, Mapping) else None


class IpcServer:
    """A Greengrass IPC server on a Unix socket.

    Args:
        socket_path: where to listen (at most 107 bytes; a stale socket file is replaced).
        iot_core: the local IoT Core that PublishToIoTCore/SubscribeToIoTCore use; a new
            :class:`LocalIotCore` when not given (see :attr:`iot_core`).
        on_state: called with (component, state) on every UpdateState. Runs on one worker
            thread, in call order; it may block (e.g. restart a process) without stalling IPC.
        max_frame_bytes, max_headers_bytes: frame limits; a bigger frame closes its connection.
        max_pending_bytes: when a connection's unsent output exceeds this (a subscriber that
            does not read), further stream events to it are dropped and logged, as the
            nucleus drops on a full queue. Responses are never dropped.
        connect_timeout: seconds a new socket has to send its CONNECT before it is closed.
    """

    def __init__(
        self,
        socket_path: str | os.PathLike[str],
        *,
        iot_core: LocalIotCore | None = None,
        on_state: StateCallback | None = None,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        max_headers_bytes: int = MAX_HEADERS_BYTES,
        max_pending_bytes: int = DEFAULT_MAX_PENDING_BYTES,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        path = Path(socket_path)
        if len(os.fsencode(path)) > MAX_SOCKET_PATH_BYTES:
            raise ValueError(
                f"socket path {path} is longer than {MAX_SOCKET_PATH_BYTES} bytes (AF_UNIX limit)"
            )
        self._path = path
        self._iot_core = iot_core or LocalIotCore()
        self._on_state = on_state
        self._limits = Limits(
            max_frame_bytes, max_headers_bytes, max_pending_bytes, connect_timeout=connect_timeout
        )
        self._lock = threading.Lock()
        self._components: dict[str, _Registration] = {}
        self._config = ConfigStore()
        self._pubsub = LocalPubSub()
        self._services = Services(
            pubsub=self._pubsub,
            iot_core=self._iot_core,
            config=self._config,
            access_control=self._access_control,
            report_state=self._report_state,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: dict[Connection, asyncio.Task[Any]] = {}
        self._state_worker: concurrent.futures.ThreadPoolExecutor | None = None

    # ----------------------------------------------------------------------- public API

    @property
    def socket_path(self) -> Path:
        return self._path

    @property
    def iot_core(self) -> LocalIotCore:
        """The local IoT Core behind PublishToIoTCore/SubscribeToIoTCore (attach the jobs endpoint here)."""
        return self._iot_core

    @property
    def pubsub(self) -> LocalPubSub:
        """The local pub/sub behind PublishToTopic/SubscribeToTopic (a benchmark times messages here)."""
        return self._pubsub

    def register(
        self,
        name: str,
        *,
        configuration: Mapping[str, Any] | None = None,
        token: str | None = None,
        access_control: Mapping[str, Any] | None = None,
    ) -> str:
        """Make ``name`` a component that may connect; returns its token (its SVCUID).

        ``configuration`` is the component's whole merged configuration (what
        GetConfiguration returns). Authorization uses ``access_control`` when given (e.g.
        with recipe variables resolved), else the configuration's ``accessControl`` key —
        where the nucleus keeps it — as of the latest :meth:`set_configuration`. ``token``
        defaults to a fresh random secret; two components cannot share one (ValueError).
        Registering a name again replaces its token, access and configuration: open
        connections stay, and watchers of changed keys get events as for
        :meth:`set_configuration`.
        """
        token = token or secrets.token_urlsafe(24)
        with self._lock:
            for other, registration in self._components.items():
                if registration.token == token and other != name:
                    raise ValueError(f"token already belongs to component {other}")
            registration = _Registration(token, access_control)
            registration.configured(configuration or {})
            self._components[name] = registration
        self._config.set(name, configuration or {})
        return token

    def unregister(self, name: str) -> None:
        """Forget ``name``: its token stops working, its open connections are closed."""
        with self._lock:
            self._components.pop(name, None)
        self.disconnect(name)
        self._config.remove(name)

    def components(self) -> list[str]:
        """The registered component names."""
        with self._lock:
            return sorted(self._components)

    def token(self, name: str) -> str:
        """The token (SVCUID) of a registered component; KeyError if unknown."""
        with self._lock:
            return self._components[name].token

    def environment(self, name: str) -> dict[str, str]:
        """The IPC environment variables for ``name``'s processes (socket path and SVCUID)."""
        return {SOCKET_ENV: str(self._path), TOKEN_ENV: self.token(name)}

    def get_configuration(self, name: str, key_path: tuple[str, ...] = ()) -> Any:
        """A copy of ``name``'s configuration (or the node at ``key_path``)."""
        return self._config.get(name, key_path)

    def set_configuration(self, name: str, configuration: Mapping[str, Any]) -> list[KeyPath]:
        """Replace ``name``'s whole configuration, as a deployment does.

        Every SubscribeToConfigurationUpdate stream watching a changed key gets an event
        (one per changed key path, as the nucleus sends). Returns the changed key paths.
        """
        with self._lock:
            if name not in self._components:
                raise KeyError(f"component {name} is not registered")
            self._components[name].configured(configuration)
        return self._config.set(name, configuration)

    def connected(self) -> list[str]:
        """Names of components with at least one accepted connection open now."""
        with self._lock:
            return sorted({c.component for c in self._connections if c.component})

    def disconnect(self, name: str) -> None:
        """Close every open connection of ``name`` (the client sees the socket drop)."""
        loop = self._loop
        if loop is None:
            return
        with self._lock:
            victims = [c for c in self._connections if c.component == name]
        for connection in victims:
            loop.call_soon_threadsafe(connection.abort)

    def start(self, timeout: float = 10.0) -> None:
        """Listen on the socket; returns once clients can connect. OSError if it cannot bind."""
        if self._thread is not None:
            raise RuntimeError("IPC server already started")
        self._remove_stale_socket()
        self._state_worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ghela-ipc-state")
        loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        thread = threading.Thread(target=self._run_loop, args=(loop, ready), name="ghela-ipc", daemon=True)
        self._loop, self._thread = loop, thread
        thread.start()
        try:
            ready.result(timeout)
        except BaseException:
            self.stop()
            raise
        log.info("IPC server listening on %s", self._path)

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection and the socket; idempotent. The server can be started again."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            done = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                done.result(timeout)
            except (concurrent.futures.TimeoutError, RuntimeError):
                log.warning("IPC server did not shut down cleanly within %.1fs", timeout)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
        self._loop = self._thread = None
        if self._state_worker is not None:
            self._state_worker.shutdown(wait=True)
            self._state_worker = None
        self._remove_stale_socket()

    def __enter__(self) -> IpcServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----------------------------------------------------------------------- internals

    def _access_control(self, name: str) -> Mapping[str, Any] | None:
        with self._lock:
            registration = self._components.get(name)
            return registration.access_control if registration is not None else None

    def _authenticate(self, token: str) -> str | None:
        with self._lock:
            for name, registration in self._components.items():
                if secrets.compare_digest(registration.token, token):
                    return name
        return None

    def _report_state(self, name: str, state: str) -> None:
        log.info("%s reported %s", name, state)
        worker = self._state_worker
        if self._on_state is not None and worker is not None:
            worker.submit(self._call_on_state, name, state)

    def _call_on_state(self, name: str, state: str) -> None:
        try:
            if self._on_state is not None:
                self._on_state(name, state)
        except Exception:
            log.exception("on_state callback failed for %s %s", name, state)

    def _remove_stale_socket(self) -> None:
        try:
            if stat.S_ISSOCK(self._path.lstat().st_mode):
                self._path.unlink()
        except FileNotFoundError:
            pass

    def _run_loop(self, loop: asyncio.AbstractEventLoop, ready: concurrent.futures.Future[None]) -> None:
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(
                asyncio.start_unix_server(self._accept, path=str(self._path), limit=self._limits.read_chunk)
            )
            os.chmod(self._path, 0o600)
        except BaseException as exc:
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(reader, writer, self._services, self._authenticate, self._limits)
        task = asyncio.current_task()
        assert task is not None
        with self._lock:
            self._connections[connection] = task
        try:
            await connection.run()
        finally:
            with self._lock:
                self._connections.pop(connection, None)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            connection.abort()
        if connections:
            await asyncio.wait(connections.values(), timeout=2.0)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
