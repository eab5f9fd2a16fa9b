"""A component stand-in for IPC tests: the real awsiotsdk client (and an IpcBus) in its own process.

Driven over stdin/stdout with JSON lines. A request ``{"id": 1, "cmd": "publish", ...}`` gets
``{"id": 1, "ok": true, "result": ...}`` or ``{"id": 1, "ok": false, "error": "<exception
class>", "message": "..."}``. Stream events arrive as ``{"event": "<kind>", ...}`` lines at
any time. Run with the test's Python: ``python ipc_probe.py``.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Callable
from typing import Any

from awsiot.greengrasscoreipc import connect
from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2
from awsiot.greengrasscoreipc.model import BinaryMessage, JsonMessage, PublishMessage
from ghela.core import topics
from ghela.core.backoff import Backoff
from ghela.core.bus import model_for
from ghela.core.ipc import IpcBus
from ghela.core.ipclink import unix_socket_connector
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, CommandResult, CommandStatus

_out = threading.Lock()


def emit(line: dict[str, Any]) -> None:
    with _out:
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


class Probe:
    def __init__(self) -> None:
        self.client: GreengrassCoreIPCClientV2 | None = None
        self.bus: IpcBus | None = None
        self.operations: dict[int, Any] = {}
        self.next_sub = 0

    @property
    def connected_client(self) -> GreengrassCoreIPCClientV2:
        """The client of the last ``connect``: a request before it gets an error line."""
        if self.client is None:
            raise RuntimeError("not connected: send connect first")
        return self.client

    @property
    def connected_bus(self) -> IpcBus:
        """The bus of the last ``bus_connect``: a request before it gets an error line."""
        if self.bus is None:
            raise RuntimeError("no bus: send bus_connect first")
        return self.bus

    def _keep(self, operation: Any) -> dict[str, int]:
        self.next_sub += 1
        self.operations[self.next_sub] = operation
        return {"sub": self.next_sub}

    # ----------------------------------------------------------------- the real client

    def connect(self, socket: str, token: str) -> None:
        self.client = GreengrassCoreIPCClientV2(client=connect(ipc_socket=socket, authtoken=token, timeout=5))

    def publish(self, topic: str, json_message: Any = None, binary_b64: str | None = None) -> None:
        if binary_b64 is not None:
            message = PublishMessage(binary_message=BinaryMessage(message=base64.b64decode(binary_b64)))
        else:
            message = PublishMessage(json_message=JsonMessage(message=json_message))
        self.connected_client.publish_to_topic(topic=topic, publish_message=message)

    def subscribe(self, topic: str, receive_mode: str | None = None) -> dict[str, int]:
        sub = self.next_sub + 1

        def on_event(event: Any) -> None:
            line: dict[str, Any] = {"event": "topic", "sub": sub}
            if event.json_message is not None:
                line.update(topic=event.json_message.context.topic, json=event.json_message.message)
            else:
                line.update(
                    topic=event.binary_message.context.topic,
                    binary_b64=base64.b64encode(event.binary_message.message).decode(),
                )
            emit(line)

        _, operation = self.connected_client.subscribe_to_topic(
            topic=topic, receive_mode=receive_mode, on_stream_event=on_event
        )
        return self._keep(operation)

    def unsubscribe(self, sub: int) -> None:
        self.operations.pop(sub).close().result(5)

    def publish_iot(self, topic: str, payload_b64: str) -> None:
        payload = base64.b64decode(payload_b64)
        self.connected_client.publish_to_iot_core(topic_name=topic, qos="1", payload=payload)

    def subscribe_iot(self, topic: str) -> dict[str, int]:
        sub = self.next_sub + 1

        def on_event(event: Any) -> None:
            payload = base64.b64encode(event.message.payload or b"").decode()
            emit({"event": "iot", "sub": sub, "topic": event.message.topic_name, "payload_b64": payload})

        _, operation = self.connected_client.subscribe_to_iot_core(
            topic_name=topic, qos="1", on_stream_event=on_event
        )
        return self._keep(operation)

    def get_config(self, component: str | None = None, key_path: list[str] | None = None) -> dict[str, Any]:
        response = self.connected_client.get_configuration(component_name=component, key_path=key_path)
        return {"componentName": response.component_name, "value": response.value}

    def subscribe_config(
        self, component: str | None = None, key_path: list[str] | None = None
    ) -> dict[str, int]:
        sub = self.next_sub + 1

        def on_event(event: Any) -> None:
            change = event.configuration_update_event
            emit(
                {
                    "event": "config",
                    "sub": sub,
                    "componentName": change.component_name,
                    "keyPath": change.key_path,
                }
            )

        _, operation = self.connected_client.subscribe_to_configuration_update(
            component_name=component, key_path=key_path, on_stream_event=on_event
        )
        return self._keep(operation)

    def update_state(self, state: str) -> None:
        self.connected_client.update_state(state=state)

    def call(self, method: str) -> None:
        """Call any client method with no arguments (for the unsupported operations)."""
        getattr(self.connected_client, method)()

    def ping(self) -> None:
        self.connected_client.client._connection.send_ping().result(5)

    def disconnect(self) -> None:
        self.connected_client.close()
        self.client = None

    # ----------------------------------------------------------------- IpcBus

    def bus_connect(self, socket: str, token: str) -> None:
        self.bus = IpcBus(
            unix_socket_connector(socket, token, timeout=2),
            on_invalid=lambda topic, reason: emit({"event": "invalid", "topic": topic, "reason": reason}),
            backoff=Backoff(initial=0.02, cap=0.2),
            call_timeout=5,
        )

    def bus_subscribe(self, topic: str, answer_commands: bool = False) -> None:
        def handler(message: Message) -> None:
            emit({"event": "bus_message", "topic": topic, "message": message.model_dump(mode="json")})
            if answer_commands and isinstance(message, CommandRequest):
                # Publishing from inside a handler: must not deadlock the client.
                result = CommandResult(
                    command_id=message.command_id, status=CommandStatus.APPLIED, revision=1
                )
                self.connected_bus.publish(topics.COMMAND_RESULT, result)

        self.connected_bus.subscribe(topic, handler)

    def bus_publish(self, topic: str, message: dict[str, Any]) -> None:
        self.connected_bus.publish(topic, model_for(topic).model_validate(message))

    def bus_subscribe_iot(self, topic: str) -> None:
        def handler(real_topic: str, payload: bytes) -> None:
            emit({"event": "bus_iot", "topic": real_topic, "payload": json.loads(payload)})

        self.connected_bus.subscribe_iot(topic, handler)

    def bus_publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        self.connected_bus.publish_iot(topic, payload)

    def bus_get_config(self) -> dict[str, Any]:
        return self.connected_bus.get_configuration()

    def bus_subscribe_config(self) -> None:
        self.connected_bus.subscribe_configuration(
            lambda config: emit({"event": "bus_config", "config": config})
        )

    def bus_update_state(self, state: str) -> None:
        self.connected_bus.update_state(state)

    def bus_connected(self) -> bool:
        return self.connected_bus.connected


def main() -> None:
    probe = Probe()
    for line in sys.stdin:
        request = json.loads(line)
        ident = request.pop("id")
        command: Callable[..., Any] = getattr(probe, request.pop("cmd"))
        try:
            emit({"id": ident, "ok": True, "result": command(**request)})
        except Exception as exc:
            detail = getattr(exc, "message", None) or str(exc)
            emit({"id": ident, "ok": False, "error": type(exc).__name__, "message": detail})
    if probe.bus is not None:
        probe.bus.close()
    if probe.client is not None:
        probe.client.close()


if __name__ == "__main__":
    main()
