"""The Greengrass IPC bus: :class:`~ghela.core.bus.Bus` over the real ``GreengrassCoreIPCClientV2``.

The only module of the project that imports awsiot. Thin on purpose: it moves typed
messages, configuration and state between a component and the nucleus (or the local
runtime, which speaks the same protocol) and knows nothing of the domain.

- Connects from the nucleus's environment (:meth:`IpcBus.from_environment`), retrying with
  capped exponential backoff; reconnects when the socket drops and re-opens every
  subscription it had.
- Outgoing messages are checked against the topic's model (``check_outgoing``); incoming
  ones are validated (``parse_incoming``) and an invalid one goes to ``on_invalid(topic,
  reason)`` (and to the subscription's own ``on_invalid``), never to the handler. That
  includes a message the client itself cannot deserialize (JSON nested deeper than Python
  reads): the client reports it as a stream error, which is counted the same way.
- Handlers run on one dispatcher thread of this bus, in arrival order, off the client's
  network thread, so a handler may publish or call IPC itself. An exception escaping a
  handler is reported through ``threading.excepthook`` (which ``run_component`` turns into
  a restart) and the dispatcher keeps going.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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

from ghela.core.backoff import capped_delay
from ghela.core.bus import (
    Handler,
    InvalidHandler,
    InvalidMessage,
    Rejecter,
    check_outgoing,
    model_for,
    parse_incoming,
    reject,
)
from ghela.core.decoding import WHOLE
from ghela.core.errors import GhelaError, TransientError
from ghela.core.messages import Message

log = logging.getLogger(__name__)

SOCKET_ENV = "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT"
TOKEN_ENV = "SVCUID"
REPORTABLE_STATES = ("RUNNING", "ERRORED")
PERMANENT_REFUSALS = frozenset({"UnauthorizedError", "InvalidArgumentsError"})
"""Nucleus answers that the same call will get again (ServiceError may be passing)."""

Connector = Callable[[Callable[[], None]], GreengrassCoreIPCClientV2]
"""Makes one connected client; the argument is called when that connection drops."""

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


@dataclass(frozen=True)
class Backoff:
    """Delays between connection attempts: ``initial`` doubling up to ``cap`` seconds."""

    initial: float = 0.05
    cap: float = 5.0

    def delays(self) -> Iterator[float]:
        return (capped_delay(attempt, self.initial, self.cap) for attempt in itertools.count(1))


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
"""Opens one subscription stream on a client; returns the operation (to close it)."""


class _Subscription:
    """One subscription, re-opened on every new connection until closed.

    Its events reach the handler only while it is open, even if some were already queued.
    """

    def __init__(self, bus: IpcBus, opener: Opener) -> None:
        self._bus = bus
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
        self._bus._queue(self._unless_closed, function, args)

    def _unless_closed(self, function: Callable[..., None], args: tuple[Any, ...]) -> None:
        if not self.closed:
            function(*args)

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            operation, self._operation = self._operation, None
        self._bus._forget(self)
        if operation is not None:
            try:
                operation.close()
            except Exception as exc:  # the connection may already be gone
                log.debug("closing a subscription: %s", exc)


class IpcBus:
    """A :class:`~ghela.core.bus.Bus` on Greengrass IPC. Connects in the constructor.

    Args:
        connect: makes a connected client (:func:`unix_socket_connector` on a device).
        on_invalid: called with (topic, reason) for each received message that is invalid.
        backoff: delays between connection attempts.
        connect_timeout: give up connecting (TransientError) after this many seconds; the
            process then exits non-zero and the nucleus restarts it.
        call_timeout: how long a call waits for a (re)connection before TransientError.
    """

    def __init__(
        self,
        connect: Connector,
        *,
        on_invalid: InvalidHandler | None = None,
        backoff: Backoff | None = None,
        connect_timeout: float = 60.0,
        call_timeout: float = 10.0,
    ) -> None:
        self._connect = connect
        self._on_invalid = on_invalid
        self._backoff = backoff or Backoff()
        self._connect_timeout = connect_timeout
        self._call_timeout = call_timeout
        self._cond = threading.Condition()
        self._client: GreengrassCoreIPCClientV2 | None = None
        self._generation = 0
        self._attempt = 0
        self._died_early: set[int] = set()
        self._closed = False
        self._reconnecting = False
        self._subscriptions: list[_Subscription] = []
        self._events: queue.SimpleQueue[tuple[Callable[..., None], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._dispatcher = threading.Thread(target=self._dispatch, name="ghela-ipc-dispatch", daemon=True)
        self._dispatcher.start()
        try:
            self._establish(time.monotonic() + connect_timeout)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_environment(cls, on_invalid: InvalidHandler | None = None, **options: Any) -> IpcBus:
        """Connect with the socket path and SVCUID the nucleus puts in the environment."""
        try:
            socket_path, token = os.environ[SOCKET_ENV], os.environ[TOKEN_ENV]
        except KeyError as missing:
            raise TransientError(
                f"{missing.args[0]} is not set: not running under a Greengrass nucleus"
            ) from None
        return cls(unix_socket_connector(socket_path, token), on_invalid=on_invalid, **options)

    # ----------------------------------------------------------------------- Bus: local pub/sub

    def publish(self, topic: str, message: Message) -> None:
        body = check_outgoing(topic, message)
        publish_message = PublishMessage(json_message=JsonMessage(message=body))
        self._call(
            "PublishToTopic", lambda c: c.publish_to_topic(topic=topic, publish_message=publish_message)
        )

    def subscribe(self, topic: str, handler: Handler, *, on_invalid: Rejecter | None = None) -> _Subscription:
        model_for(topic)  # a topic without a model is a programming error, raised here
        rejecters = [on_invalid] if on_invalid is not None else []

        def stream_error(error: Exception) -> bool:
            if isinstance(error, eventstreamrpc.DeserializeError):
                # The client could not even read the event (e.g. nested too deeply for json).
                reason = f"the message could not be read: {error}"[:500]
                broken = InvalidMessage(topic, reason, WHOLE, {})
                self._queue(reject, broken, self._on_invalid, rejecters)
                return False
            return self._stream_error(error)

        def opener(client: GreengrassCoreIPCClientV2, on_event: OnEvent) -> Any:
            _, operation = client.subscribe_to_topic(
                topic=topic,
                on_stream_event=lambda event: on_event(self._deliver_local, topic, handler, rejecters, event),
                on_stream_error=stream_error,
            )
            return operation

        return self._add_subscription("SubscribeToTopic", opener)

    def _deliver_local(
        self, topic: str, handler: Handler, rejecters: list[Rejecter], event: SubscriptionResponseMessage
    ) -> None:
        if event.json_message is not None:
            payload: Any = event.json_message.message
        elif event.binary_message is not None:
            payload = event.binary_message.message or b""
        else:
            payload = None
        try:
            message = parse_incoming(topic, payload)
        except InvalidMessage as exc:
            reject(exc, self._on_invalid, rejecters)
            return
        handler(message)

    def report_invalid(self, topic: str, reason: str) -> None:
        log.warning("invalid message on %s: %s", topic, reason)
        if self._on_invalid is not None:
            self._on_invalid(topic, reason)

    # ----------------------------------------------------------------------- Bus: IoT Core

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self._call(
            "PublishToIoTCore",
            lambda c: c.publish_to_iot_core(topic_name=topic, qos=QOS.AT_LEAST_ONCE, payload=body),
        )

    def subscribe_iot(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> _Subscription:
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

        return self._add_subscription("SubscribeToIoTCore", opener)

    # ----------------------------------------------------------------------- Bus: configuration, state

    def get_configuration(
        self, key_path: Sequence[str] = (), component_name: str | None = None
    ) -> dict[str, Any]:
        """This component's whole configuration, or another's, or the node at ``key_path``."""
        response = self._call(
            "GetConfiguration",
            lambda c: c.get_configuration(component_name=component_name, key_path=list(key_path) or None),
        )
        return dict(response.value or {})

    def subscribe_configuration(self, handler: Callable[[dict[str, Any]], None]) -> _Subscription:
        """``handler(whole configuration)`` after each change (also one missed while disconnected)."""
        last = [self.get_configuration()]

        def refresh(_event: object = None) -> None:
            current = self.get_configuration()
            if current != last[0]:
                last[0] = current
                handler(current)

        def opener(client: GreengrassCoreIPCClientV2, on_event: OnEvent) -> Any:
            _, operation = client.subscribe_to_configuration_update(
                on_stream_event=lambda event: on_event(refresh, event),
                on_stream_error=self._stream_error,
            )
            on_event(refresh)
            return operation

        return self._add_subscription("SubscribeToConfigurationUpdate", opener)

    def update_state(self, state: str) -> None:
        if state not in REPORTABLE_STATES:
            raise ValueError(f"state must be one of {', '.join(REPORTABLE_STATES)}, not {state!r}")
        self._call("UpdateState", lambda c: c.update_state(state=state))

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            client, self._client = self._client, None
            subscriptions = list(self._subscriptions)
            self._cond.notify_all()
        for subscription in subscriptions:
            subscription.close()
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

    def _establish(self, deadline: float) -> None:
        """Connect, retrying with backoff until ``deadline``; then re-open every subscription."""
        last_error: Exception | None = None
        delays = self._backoff.delays()
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
                        subscriptions = list(self._subscriptions)
                        self._cond.notify_all()
                        break
                    self._died_early.discard(attempt)
                client.close()
                last_error = TransientError("the connection dropped as it was made")
            delay = next(delays)
            if time.monotonic() + delay > deadline:
                raise TransientError(f"cannot connect to Greengrass IPC: {last_error}") from last_error
            log.info("IPC connect failed (%s); retrying in %.2fs", last_error, delay)
            with self._cond:
                self._cond.wait_for(lambda: self._closed, timeout=delay)
        log.info("IPC connected")
        for subscription in subscriptions:
            try:
                subscription.ensure_open(client, attempt)
            except Exception as exc:  # the socket dropped again: the next reconnect retries
                log.warning("re-subscribing failed: %s", exc)

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
                self._establish(time.monotonic() + self._connect_timeout)
            except TransientError as exc:
                log.error("%s; still trying", exc)
                continue
            with self._cond:
                if self._closed or self._client is not None:
                    self._reconnecting = False
                    return

    def _current(self, deadline: float) -> tuple[GreengrassCoreIPCClientV2, int]:
        with self._cond:
            while self._client is None:
                if self._closed:
                    raise TransientError("the IPC bus is closed")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TransientError("Greengrass IPC is not connected")
                self._cond.wait(remaining)
            return self._client, self._generation

    def _call(self, operation: str, action: Callable[[GreengrassCoreIPCClientV2], Any]) -> Any:
        """Run ``action`` on the current client; after a dropped socket, once more on the next."""
        deadline = time.monotonic() + self._call_timeout
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

    def _add_subscription(self, operation: str, opener: Opener) -> _Subscription:
        subscription = _Subscription(self, opener)
        with self._cond:
            self._subscriptions.append(subscription)

        def open_now(client: GreengrassCoreIPCClientV2) -> None:
            subscription.ensure_open(client, self._generation_of(client))

        try:
            self._call(operation, open_now)
        except BaseException:
            subscription.close()
            raise
        return subscription

    def _generation_of(self, client: GreengrassCoreIPCClientV2) -> int:
        with self._cond:
            return self._generation if client is self._client else -1

    def _forget(self, subscription: _Subscription) -> None:
        with self._cond:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    @staticmethod
    def _stream_error(error: Exception) -> bool:
        log.warning("IPC stream error: %s", error)
        return False  # keep the subscription; a dropped socket is handled by reconnecting

    # ----------------------------------------------------------------------- dispatch

    def _queue(self, function: Callable[..., None], *args: Any) -> None:
        self._events.put((function, args))

    def _dispatch(self) -> None:
        while (item := self._events.get()) is not None:
            function, args = item
            try:
                function(*args)
            except Exception:
                log.exception("IPC handler failed")
                threading.excepthook(threading.ExceptHookArgs((*sys.exc_info(), threading.current_thread())))
