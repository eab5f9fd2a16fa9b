"""The Greengrass IPC bus: :class:`~ghela.core.bus.Bus` over the supervised IPC connection.

Thin on purpose: it moves typed messages, configuration and state between a component and
the nucleus (or the local runtime, which speaks the same protocol) and knows nothing of the
domain. The connection itself (connecting with backoff, reconnecting, re-opening streams,
the dispatcher thread) is :class:`~ghela.core.ipclink.IpcLink`, the only module that
imports awsiot.

- Connects from the nucleus's environment (:meth:`IpcBus.from_environment`, the names in
  :mod:`ghela.core.nucleusenv`).
- Outgoing messages are checked against the topic's model (``check_outgoing``); incoming
  ones are validated (``parse_incoming``) and an invalid one goes to ``on_invalid(topic,
  reason)`` (and to the subscription's own ``on_invalid``), never to the handler. That
  includes a message the client itself cannot deserialize (JSON nested deeper than Python
  reads), which the link reports as unreadable.
- Handlers run on the link's dispatcher thread, in arrival order.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from ghela.core.backoff import Backoff
from ghela.core.bus import (
    Handler,
    InvalidHandler,
    InvalidMessage,
    Rejecter,
    Subscription,
    check_outgoing,
    model_for,
    parse_incoming,
    reject,
)
from ghela.core.decoding import WHOLE
from ghela.core.errors import TransientError
from ghela.core.ipclink import Connector, IpcLink, Payload, Stream, unix_socket_connector
from ghela.core.messages import Message
from ghela.core.nucleus import REPORTABLE_STATES
from ghela.core.nucleusenv import SOCKET_ENV, TOKEN_ENV

__all__ = ["IpcBus", "unix_socket_connector"]
"""The connector too: what a caller needs to connect a bus by hand (``ghela up``, tests)."""

log = logging.getLogger(__name__)



class IpcBus:
    """A :class:`~ghela.core.bus.Bus` on Greengrass IPC. Connects in the constructor.

    Args:
        connect: makes a connected client (:func:`~ghela.core.ipclink.unix_socket_connector`).
        on_invalid: called with (topic, reason) for each received message that is invalid.
        backoff, connect_timeout, call_timeout: the connection's (see :class:`IpcLink`).
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
        self._on_invalid = on_invalid
        self._link = IpcLink(
            connect, backoff=backoff, connect_timeout=connect_timeout, call_timeout=call_timeout
        )

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
        self._link.publish_to_topic(topic, check_outgoing(topic, message))

    def subscribe(self, topic: str, handler: Handler, *, on_invalid: Rejecter | None = None) -> Stream:
        model_for(topic)  # a topic without a model is a programming error, raised here
        rejecters = [on_invalid] if on_invalid is not None else []

        def deliver(payload: Payload) -> None:
            try:
                message = parse_incoming(topic, payload)
            except InvalidMessage as exc:
                reject(exc, self._on_invalid, rejecters)
                return
            handler(message)

        def unreadable(reason: str) -> None:
            reject(InvalidMessage(topic, reason, WHOLE, {}), self._on_invalid, rejecters)

        return self._link.subscribe_to_topic(topic, deliver, unreadable)

    def report_invalid(self, topic: str, reason: str) -> None:
        log.warning("invalid message on %s: %s", topic, reason)
        if self._on_invalid is not None:
            self._on_invalid(topic, reason)

    # ----------------------------------------------------------------------- Bus: IoT Core

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        self._link.publish_to_iot_core(topic, json.dumps(payload).encode())

    def subscribe_iot(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> Stream:
        return self._link.subscribe_to_iot_core(topic_filter, handler)

    # ----------------------------------------------------------------------- Bus: configuration, state

    def get_configuration(
        self, key_path: Sequence[str] = (), component_name: str | None = None
    ) -> dict[str, Any]:
        """This component's whole configuration, or another's, or the node at ``key_path``."""
        return self._link.get_configuration(key_path, component_name)

    def subscribe_configuration(self, handler: Callable[[dict[str, Any]], None]) -> Stream:
        """``handler(whole configuration)`` after each change (also one missed while disconnected)."""
        last = [self.get_configuration()]

        def refresh() -> None:
            current = self.get_configuration()
            if current != last[0]:
                last[0] = current
                handler(current)

        return self._link.subscribe_to_configuration_update(refresh)

    def update_state(self, state: str) -> None:
        if state not in REPORTABLE_STATES:
            raise ValueError(f"state must be one of {', '.join(REPORTABLE_STATES)}, not {state!r}")
        self._link.update_state(state)

    # ----------------------------------------------------------------------- Bus: connection

    def on_reconnect(self, callback: Callable[[], None]) -> Subscription:
        return self._link.on_reconnect(callback)

    @property
    def connected(self) -> bool:
        """Whether a connection is up now (for diagnostics; components use ``on_reconnect``)."""
        return self._link.connected

    def close(self) -> None:
        self._link.close()
