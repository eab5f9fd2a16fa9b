"""The supervised connection to Greengrass IPC: connect, reconnect, re-open streams, dispatch.

The only module of the project that imports awsiot. It knows IPC operations, not messages:
:class:`~ghela.core.ipc.IpcBus` (the Bus facade) gives it JSON-ready bodies and gets raw
payloads back.

- Connects with capped exponential backoff (:mod:`ghela.core.backoff`) until
  ``connect_timeout``; when the socket drops it reconnects in the background and re-opens
  every stream it had. Each connection is a generation: a drop reported for an older
  connection, or for one that died while it was being made, is told apart from the
  current one, so one drop causes one reconnect.
- After a reconnect (not the first connect) the ``on_reconnect`` callbacks run, once each.
- Stream events and those callbacks run on one dispatcher thread, in arrival order, off the
  client's network thread, so a handler may publish or call IPC itself. An exception
  escaping one is reported through ``threading.excepthook`` (which ``run_component`` turns
  into a restart) and the dispatcher keeps going.
- A call waits up to ``call_timeout`` for a connection; after a dropped socket it is tried
  once more on the next one. The nucleus's own refusals are :class:`IpcCallRefused`.
"""

from __future__ import annotations

import functools
import logging
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from awscrt.exceptions import AwsCrtError
from awsiot import eventstreamrpc
from awsiot.greengrasscoreipc import connect as ipc_connect
from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2
from awsiot.greengrasscoreipc.model import (
    QOS,
    GreengrassCoreIPCError,
    IoTCoreMessage,
    JsonMessage,
    PublishMessage,
    SubscriptionResponseMessage,
)

from ghela.core.backoff import Backoff
from ghela.core.clock import Clock, SystemClock
from ghela.core.errors import GhelaError, TransientError

log = logging.getLogger(__name__)

PERMANENT_REFUSALS = frozenset({"UnauthorizedError", "InvalidArgumentsError"})
"""Nucleus answers that the same call will get again (ServiceError may be passing)."""
CONNECT_BACKOFF = Backoff(initial=0.05, cap=5.0)
"""Delays between connection attempts unless told otherwise."""

Connector = Callable[[Callable[[], None]], GreengrassCoreIPCClientV2]
"""Makes one connected client; the argument is called when that connection drops."""
Payload = dict[str, Any] | bytes | None
"""A local message as received: a JSON message's object, a binary message's bytes, or None."""

_CONNECTION_ERRORS = (
    eventstreamrpc.ConnectionClosedError,
    eventstreamrpc.StreamClosedError,
    eventstreamrpc.EventStreamError,
    AwsCrtError,
)


class IpcCallRefused(GhelaError):
    """The nucleus answered a call with an error (UnauthorizedError, ServiceError …)."""

    def __init__(self, operation: str, error: GreengrassCoreIPCError) -> None:
        self.error_type = type(error).__name__
        self.permanent = self.error_type in PERMANENT_REFUSALS
        detail = getattr(error, "message", None) or str(error)
        super().__init__(f"{operation} refused by the nucleus: {self.error_type}: {detail}")


class _Lifecycle(eventstreamrpc.LifecycleHandler):  # type: ignore[misc]  # awsiot has no types
    def __init__(self, on_disconnect: Callable[[], None]) -> None:
        super().__init__()
        self._on_disconnect = on_disconnect

    def on_disconnect(self, reason: Exception | None) -> None:
        self._on_disconnect()

    def on_error(self, error: Exception) -> bool:
        log.warning("IPC connection error: %s", error)
        return True


def unix_socket_connector(socket_path: str, token: str, timeout: float = 10.0) -> Connector:
    """A :data:`Connector` for the nucleus's Unix socket and this component's token."""

    def connect(on_disconnect: Callable[[], None]) -> GreengrassCoreIPCClientV2:
        connection = ipc_connect(
            ipc_socket=socket_path,
            authtoken=token,
            lifecycle_handler=_Lifecycle(on_disconnect),
            timeout=timeout,
        )
        # No executor: events arrive on the network thread and go straight to our dispatcher.
        return GreengrassCoreIPCClientV2(client=connection, executor=None)

    return connect


OnEvent = Callable[..., None]
"""``on_event(function, *args)``: run ``function(*args)`` on the dispatcher thread."""
Opener = Callable[[GreengrassCoreIPCClientV2, OnEvent], Any]
"""Opens one stream on a client; returns the operation (to close it)."""


class Stream:
    """One subscription stream, re-opened on every new connection until closed.

    Its events reach the handler only while it is open, even if some were already queued.
    """

    def __init__(self, link: IpcLink, opener: Opener) -> None:
        self._link = link
        self._opener = opener
        self._lock = threading.Lock()
        self._operation: Any = None
        self._generation = -1
        self.closed = False

    def ensure_open(self, client: GreengrassCoreIPCClientV2, generation: int) -> None:
        with self._lock:
            if self.closed or self._generation == generation:
                return
            self._operation = self._opener(client, self.on_event)
            self._generation = generation

    def on_event(self, function: Callable[..., None], *args: Any) -> None:
        """Queue ``function(*args)`` for the dispatcher; skipped if closed by then."""
        self._link.dispatch(self._unless_closed, function, args)

    def _unless_closed(self, function: Callable[..., None], args: tuple[Any, ...]) -> None:
        if not self.closed:
            function(*args)

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            operation, self._operation = self._operation, None
        self._link._forget(self)
        if operation is not None:
            try:
                operation.close()
            except Exception as exc:  # the connection may already be gone
                log.debug("closing a subscription: %s", exc)


class _ReconnectCallback:
    """An ``on_reconnect`` registration; closing it stops the calls."""

    def __init__(self, link: IpcLink, callback: Callable[[], None]) -> None:
        self._link = link
        self.callback = callback

    def close(self) -> None:
        self._link._forget_callback(self)


class IpcLink:
    """The connection to the nucleus, kept up. Connects in the constructor.

    Args:
        connect: makes a connected client (:func:`unix_socket_connector` on a device).
        backoff: delays between connection attempts (its ``initial`` and ``cap``).
        connect_timeout: give up connecting (TransientError) after this many seconds; the
            process then exits non-zero and the nucleus restarts it.
        call_timeout: how long a call waits for a (re)connection before TransientError.
        clock: what the deadlines and the waits between attempts are measured with.
    """

    def __init__(
        self,
        connect: Connector,
        *,
        backoff: Backoff | None = None,
        connect_timeout: float = 60.0,
        call_timeout: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self._connect = connect
        self._backoff = backoff or CONNECT_BACKOFF
        self._connect_timeout = timedelta(seconds=connect_timeout)
        self._call_timeout = timedelta(seconds=call_timeout)
        self._clock: Clock = clock or SystemClock()
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._client: GreengrassCoreIPCClientV2 | None = None
        self._generation = 0
        self._attempt = 0
        self._died_early: set[int] = set()
        self._closed = False
        self._reconnecting = False
        self._streams: list[Stream] = []
        self._reconnect_callbacks: list[_ReconnectCallback] = []
        self._events: queue.SimpleQueue[tuple[Callable[..., None], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._dispatcher = threading.Thread(target=self._dispatch, name="ghela-ipc-dispatch", daemon=True)
        self._dispatcher.start()
        try:
            self._establish(self._clock.now() + self._connect_timeout, first=True)
        except BaseException:
            self.close()
            raise

    # ----------------------------------------------------------------------- operations

    def publish_to_topic(self, topic: str, body: dict[str, Any]) -> None:
        publish_message = PublishMessage(json_message=JsonMessage(message=body))
        self.call(
            "PublishToTopic", lambda c: c.publish_to_topic(topic=topic, publish_message=publish_message)
        )

    def subscribe_to_topic(
        self, topic: str, on_payload: Callable[[Payload], None], on_unreadable: Callable[[str], None]
    ) -> Stream:
        """``on_payload(payload)`` for each message; ``on_unreadable(reason)`` for one the
        client itself cannot deserialize (JSON nested deeper than Python reads)."""

        def stream_error(error: Exception) -> bool:
            if isinstance(error, eventstreamrpc.DeserializeError):
                self.dispatch(on_unreadable, f"the message could not be read: {error}"[:500])
                return False
            return self._stream_error(error)

        def opener(client: GreengrassCoreIPCClientV2, on_event: OnEvent) -> Any:
            _, operation = client.subscribe_to_topic(
                topic=topic,
                on_stream_event=lambda event: on_event(on_payload, _payload_of(event)),
                on_stream_error=stream_error,
            )
            return operation

        return self._add_stream("SubscribeToTopic", opener)

    def publish_to_iot_core(self, topic: str, payload: bytes) -> None:
        self.call(
            "PublishToIoTCore",
            lambda c: c.publish_to_iot_core(topic_name=topic, qos=QOS.AT_LEAST_ONCE, payload=payload),
        )

    def subscribe_to_iot_core(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> Stream:
        def deliver(event: IoTCoreMessage) -> None:
            message = event.message
            if message is not None:
                handler(message.topic_name or "", message.payload or b"")

        def opener(client: GreengrassCoreIPCClientV2, on_event: OnEvent) -> Any:
            _, operation = client.subscribe_to_iot_core(
                topic_name=topic_filter,
                qos=QOS.AT_LEAST_ONCE,
                on_stream_event=lambda event: on_event(deliver, event),
                on_stream_error=self._stream_error,
            )
            return operation

        return self._add_stream("SubscribeToIoTCore", opener)

    def get_configuration(self, key_path: Sequence[str], component_name: str | None) -> dict[str, Any]:
        response = self.call(
            "GetConfiguration",
            lambda c: c.get_configuration(component_name=component_name, key_path=list(key_path) or None),
        )
        return dict(response.value or {})

    def subscribe_to_configuration_update(self, on_update: Callable[[], None]) -> Stream:
        """``on_update()`` after each change, and on each (re)opening (one missed while away)."""

        def opener(client: GreengrassCoreIPCClientV2, on_event: OnEvent) -> Any:
            _, operation = client.subscribe_to_configuration_update(
                on_stream_event=lambda _event: on_event(on_update),
                on_stream_error=self._stream_error,
            )
            on_event(on_update)
            return operation

        return self._add_stream("SubscribeToConfigurationUpdate", opener)

    def update_state(self, state: str) -> None:
        self.call("UpdateState", lambda c: c.update_state(state=state))

    def on_reconnect(self, callback: Callable[[], None]) -> _ReconnectCallback:
        """Call ``callback()`` on the dispatcher after each reconnect, streams re-opened."""
        registration = _ReconnectCallback(self, callback)
        with self._cond:
            self._reconnect_callbacks.append(registration)
        return registration

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._closing.set()
            client, self._client = self._client, None
            streams = list(self._streams)
            self._reconnect_callbacks.clear()
            self._cond.notify_all()
        for stream in streams:
            stream.close()
        if client is not None:
            try:
                client.close()
            except Exception as exc:
                log.debug("closing the IPC client: %s", exc)
        self._events.put(None)
        if threading.current_thread() is not self._dispatcher:
            self._dispatcher.join(5.0)

    # ----------------------------------------------------------------------- connection

    @property
    def connected(self) -> bool:
        with self._cond:
            return self._client is not None

    def _establish(self, deadline: datetime, *, first: bool) -> None:
        """Connect, retrying with backoff until ``deadline``; then re-open every stream."""
        last_error: Exception | None = None
        backoff = Backoff(self._backoff.initial, self._backoff.cap)
        while True:
            with self._cond:
                if self._closed:
                    return
                self._attempt += 1
                attempt = self._attempt
            try:
                client = self._connect(functools.partial(self._dropped, attempt))
            except Exception as exc:
                last_error = exc
            else:
                with self._cond:
                    if self._closed:
                        client.close()
                        return
                    if attempt not in self._died_early:
                        self._client, self._generation = client, attempt
                        streams = list(self._streams)
                        callbacks = [] if first else list(self._reconnect_callbacks)
                        self._cond.notify_all()
                        break
                    self._died_early.discard(attempt)
                client.close()
                last_error = TransientError("the connection dropped as it was made")
            retry_at = backoff.failed(self._clock.now())
            if retry_at > deadline:
                raise TransientError(f"cannot connect to Greengrass IPC: {last_error}") from last_error
            log.info("IPC connect failed (%s); retrying in %.2fs", last_error, backoff.delay())
            self._clock.wait(self._closing, retry_at)
        log.info("IPC connected")
        for stream in streams:
            try:
                stream.ensure_open(client, attempt)
            except Exception as exc:  # the socket dropped again: the next reconnect retries
                log.warning("re-subscribing failed: %s", exc)
        for registration in callbacks:
            self.dispatch(registration.callback)

    def _dropped(self, generation: int) -> None:
        """The connection of ``generation`` went away: reconnect in the background."""
        with self._cond:
            if self._closed:
                return
            if generation > self._generation:  # dropped before _establish took it on
                self._died_early.add(generation)
                return
            if generation != self._generation or self._client is None:
                return  # an older connection, or this drop is already being handled
            self._client = None
            if self._reconnecting:
                return  # the running reconnect loop sees no client and goes round again
            self._reconnecting = True
        log.warning("IPC connection lost; reconnecting")
        threading.Thread(target=self._reconnect, name="ghela-ipc-reconnect", daemon=True).start()

    def _reconnect(self) -> None:
        while True:
            try:
                self._establish(self._clock.now() + self._connect_timeout, first=False)
            except TransientError as exc:
                log.error("%s; still trying", exc)
                continue
            with self._cond:
                if self._closed or self._client is not None:
                    self._reconnecting = False
                    return

    def _current(self, deadline: datetime) -> tuple[GreengrassCoreIPCClientV2, int]:
        with self._cond:
            while self._client is None:
                if self._closed:
                    raise TransientError("the IPC bus is closed")
                remaining = (deadline - self._clock.now()).total_seconds()
                if remaining <= 0:
                    raise TransientError("Greengrass IPC is not connected")
                self._cond.wait(remaining)
            return self._client, self._generation

    def call(self, operation: str, action: Callable[[GreengrassCoreIPCClientV2], Any]) -> Any:
        """Run ``action`` on the current client; after a dropped socket, once more on the next."""
        deadline = self._clock.now() + self._call_timeout
        for attempt in (1, 2):
            client, generation = self._current(deadline)
            try:
                return action(client)
            except GreengrassCoreIPCError as exc:
                raise IpcCallRefused(operation, exc) from None
            except _CONNECTION_ERRORS as exc:
                self._dropped(generation)
                if attempt == 2:
                    raise TransientError(f"{operation} failed: IPC connection lost ({exc!r})") from exc
        raise AssertionError("unreachable")

    def _add_stream(self, operation: str, opener: Opener) -> Stream:
        stream = Stream(self, opener)
        with self._cond:
            self._streams.append(stream)

        def open_now(client: GreengrassCoreIPCClientV2) -> None:
            stream.ensure_open(client, self._generation_of(client))

        try:
            self.call(operation, open_now)
        except BaseException:
            stream.close()
            raise
        return stream

    def _generation_of(self, client: GreengrassCoreIPCClientV2) -> int:
        with self._cond:
            return self._generation if client is self._client else -1

    def _forget(self, stream: Stream) -> None:
        with self._cond:
            if stream in self._streams:
                self._streams.remove(stream)

    def _forget_callback(self, registration: _ReconnectCallback) -> None:
        with self._cond:
            if registration in self._reconnect_callbacks:
                self._reconnect_callbacks.remove(registration)

    @staticmethod
    def _stream_error(error: Exception) -> bool:
        log.warning("IPC stream error: %s", error)
        return False  # keep the subscription; a dropped socket is handled by reconnecting

    # ----------------------------------------------------------------------- dispatch

    def dispatch(self, function: Callable[..., None], *args: Any) -> None:
        """Run ``function(*args)`` on the dispatcher thread, after what is queued already."""
        self._events.put((function, args))

    def _dispatch(self) -> None:
        while (item := self._events.get()) is not None:
            function, args = item
            try:
                function(*args)
            except Exception:
                log.exception("IPC handler failed")
                threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), threading.current_thread())))


def _payload_of(event: SubscriptionResponseMessage) -> Payload:
    if event.json_message is not None:
        message: dict[str, Any] = event.json_message.message
        return message
    if event.binary_message is not None:
        return event.binary_message.message or b""
    return None
