"""The seam between components and their transport.

Components depend on :class:`Bus`, never on awsiot. On a Pi and under the local runtime the
bus is :class:`ghela.core.ipc.IpcBus` (the real ``GreengrassCoreIPCClientV2``); in unit
tests of pure logic it is :class:`InMemoryBus`.

Messages are validated against the topic's model in :data:`ghela.core.messages.topicmodels.TOPIC_MODELS`
on both sides: publishing a wrong model is a programming error (``TypeError``); receiving
an invalid message is logged and passed to ``on_invalid`` and never reaches the handler.
*Any* failure while decoding or validating a received message (see
:mod:`ghela.core.decoding`) makes it invalid: an :class:`InvalidMessage`, never another
exception. A subscription may also take its own ``on_invalid``, called with that
:class:`InvalidMessage`, to answer the sender (the Scheduler rejects a broken command
that still carries a usable ``command_id``). IoT Core payloads are decoded by the
component itself, which reports a broken one with :meth:`Bus.report_invalid`.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ghela.core.decoding import WHOLE, read_json, validate
from ghela.core.errors import InvalidInput
from ghela.core.messages import Message
from ghela.core.messages.topicmodels import TOPIC_MODELS

log = logging.getLogger(__name__)

Handler = Callable[[Message], None]
InvalidHandler = Callable[[str, str], None]
"""Called with (topic, reason) when a received message fails validation (to count it)."""


class InvalidMessage(InvalidInput):
    """A received message that is not its topic's model; ``field`` names what is wrong.

    ``fields`` are the message's top-level fields when it was at least a JSON object (so a
    receiver can still find who to answer), else empty.
    """

    def __init__(self, topic: str, reason: str, field: str, fields: Mapping[str, Any]) -> None:
        super().__init__(reason, field=field)
        self.topic = topic
        self.fields = fields


Rejecter = Callable[[InvalidMessage], None]
"""A subscription's own handler of the invalid messages it receives."""


class Subscription(Protocol):
    def close(self) -> None: ...


class Bus(Protocol):
    """Local pub/sub with typed messages, IoT Core pub/sub, configuration, state."""

    def publish(self, topic: str, message: Message) -> None: ...

    def subscribe(self, topic: str, handler: Handler, *, on_invalid: Rejecter | None = None) -> Subscription:
        """Call ``handler`` with each valid message on ``topic``, ``on_invalid`` with each other."""
        ...

    def report_invalid(self, topic: str, reason: str) -> None:
        """Log and count an invalid input the component decoded itself (an IoT Core payload)."""
        ...

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None: ...

    def subscribe_iot(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> Subscription: ...

    def get_configuration(self) -> dict[str, Any]:
        """This component's whole configuration (Greengrass GetConfiguration)."""
        ...

    def subscribe_configuration(self, handler: Callable[[dict[str, Any]], None]) -> Subscription:
        """Call ``handler`` with the new whole configuration whenever a deployment changes it."""
        ...

    def update_state(self, state: str) -> None:
        """Report RUNNING or ERRORED to the nucleus (ERRORED makes it restart us)."""
        ...

    def on_reconnect(self, callback: Callable[[], None]) -> Subscription:
        """Call ``callback()`` each time the connection comes back after it was lost.

        Subscriptions are open again by then; what was published while away is gone (pub/sub
        keeps nothing), so a component asks again for what it may have missed. Called on
        the bus's dispatcher thread: it must not block.
        """
        ...

    def close(self) -> None: ...


def model_for(topic: str) -> type[Message]:
    try:
        return TOPIC_MODELS[topic]
    except KeyError:
        raise KeyError(f"no message model for topic {topic!r}") from None


def check_outgoing(topic: str, message: Message) -> dict[str, Any]:
    """The JSON-ready dict for ``message``; a wrong model for the topic is a TypeError."""
    expected = model_for(topic)
    if not isinstance(message, expected):
        raise TypeError(f"topic {topic!r} carries {expected.__name__}, not {type(message).__name__}")
    return message.model_dump(mode="json")


def parse_incoming(topic: str, payload: Any) -> Message:
    """Validate a received payload (dict, str or bytes) against the topic's model.

    Raises :class:`InvalidMessage` with a reason that names the field on anything invalid,
    whatever went wrong inside.
    """
    model = model_for(topic)
    fields: Mapping[str, Any] = {}
    try:
        value = payload
        if isinstance(payload, str | bytes | bytearray):
            value = read_json(payload, f"{model.__name__} message")
        if isinstance(value, dict):
            fields = value
        return validate(model, value)
    except InvalidInput as exc:
        raise InvalidMessage(topic, str(exc), exc.field or WHOLE, fields) from None


def reject(exc: InvalidMessage, on_invalid: InvalidHandler | None, rejecters: Sequence[Rejecter]) -> None:
    """What every bus does with an invalid message: log it, count it, let its subscribers answer."""
    log.warning("invalid message on %s: %s", exc.topic, exc)
    calls: list[Callable[[], None]] = []
    if on_invalid is not None:
        calls.append(functools.partial(on_invalid, exc.topic, str(exc)))
    calls += [functools.partial(own, exc) for own in rejecters]
    for call in calls:
        try:
            call()
        except Exception:  # reporting must never turn one bad message into a dead component
            log.exception("handling an invalid message on %s failed", exc.topic)


class _MemorySubscription:
    def __init__(self, unsubscribe: Callable[[], None]) -> None:
        self._unsubscribe = unsubscribe

    def close(self) -> None:
        self._unsubscribe()


class InMemoryBus:
    """A synchronous in-process bus for unit tests: handlers run in the publisher's thread.

    Messages go through JSON and validation exactly as on the wire, so a test cannot pass a
    message the real transport would refuse.
    """

    def __init__(
        self, on_invalid: InvalidHandler | None = None, configuration: dict[str, Any] | None = None
    ) -> None:
        self._configuration = dict(configuration or {})
        self._config_handlers: list[Callable[[dict[str, Any]], None]] = []
        self._reconnect_callbacks: list[Callable[[], None]] = []
        self.states: list[str] = []
        self._local: dict[str, list[tuple[Handler, Rejecter | None]]] = defaultdict(list)
        self._iot: list[tuple[str, Callable[[str, bytes], None]]] = []
        self._lock = threading.RLock()
        self._on_invalid = on_invalid
        self.published: list[tuple[str, Message]] = []
        self.published_iot: list[tuple[str, dict[str, Any]]] = []

    def publish(self, topic: str, message: Message) -> None:
        wire = json.dumps(check_outgoing(topic, message))
        self.publish_raw(topic, wire)

    def publish_raw(self, topic: str, wire: str | bytes) -> None:
        """Deliver raw JSON as if it came off the wire (for bad-input tests)."""
        with self._lock:
            subscribers = list(self._local.get(topic, ()))
        try:
            received = parse_incoming(topic, wire)
        except InvalidMessage as exc:
            reject(exc, self._on_invalid, [own for _, own in subscribers if own is not None])
            return
        self.published.append((topic, received))
        for handler, _ in subscribers:
            handler(received)

    def subscribe(self, topic: str, handler: Handler, *, on_invalid: Rejecter | None = None) -> Subscription:
        model_for(topic)
        entry = (handler, on_invalid)
        with self._lock:
            self._local[topic].append(entry)
        return _MemorySubscription(lambda: self._local[topic].remove(entry))

    def report_invalid(self, topic: str, reason: str) -> None:
        log.warning("invalid message on %s: %s", topic, reason)
        if self._on_invalid is not None:
            self._on_invalid(topic, reason)

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        self.published_iot.append((topic, payload))
        self.publish_iot_raw(topic, json.dumps(payload).encode())

    def publish_iot_raw(self, topic: str, body: bytes) -> None:
        """Deliver raw IoT Core bytes to the matching subscribers (for bad-input tests)."""
        with self._lock:
            matching = [h for f, h in self._iot if topic_matches(f, topic)]
        for handler in matching:
            handler(topic, body)

    def subscribe_iot(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> Subscription:
        entry = (topic_filter, handler)
        with self._lock:
            self._iot.append(entry)
        return _MemorySubscription(lambda: self._iot.remove(entry))

    def get_configuration(self) -> dict[str, Any]:
        return dict(self._configuration)

    def subscribe_configuration(self, handler: Callable[[dict[str, Any]], None]) -> Subscription:
        self._config_handlers.append(handler)
        return _MemorySubscription(lambda: self._config_handlers.remove(handler))

    def set_configuration(self, configuration: dict[str, Any]) -> None:
        """Test helper: act as a deployment that changes this component's configuration."""
        self._configuration = dict(configuration)
        for handler in list(self._config_handlers):
            handler(dict(configuration))

    def update_state(self, state: str) -> None:
        self.states.append(state)

    def on_reconnect(self, callback: Callable[[], None]) -> Subscription:
        with self._lock:
            self._reconnect_callbacks.append(callback)
        return _MemorySubscription(lambda: self._reconnect_callbacks.remove(callback))

    def reconnect(self) -> None:
        """Test helper: act as a connection that was lost and has come back."""
        with self._lock:
            callbacks = list(self._reconnect_callbacks)
        for callback in callbacks:
            callback()

    def close(self) -> None:
        with self._lock:
            self._local.clear()
            self._iot.clear()


def topic_matches(topic_filter: str, topic: str) -> bool:
    """MQTT topic matching with ``+`` (one level) and ``#`` (the rest, last level only).

    ``topic`` may be a filter itself (an authorization's requested one): then True only if
    every topic it matches is matched by ``topic_filter`` (``a/#`` covers ``a/+/c``, not
    the reverse).
    """
    filter_levels = topic_filter.split("/")
    topic_levels = topic.split("/")
    for index, level in enumerate(filter_levels):
        if level == "#":
            return index == len(filter_levels) - 1
        if index >= len(topic_levels):
            return False
        wanted = topic_levels[index]
        if wanted == "#":
            return False
        if level != "+" and level != wanted:
            return False
    return len(filter_levels) == len(topic_levels)
