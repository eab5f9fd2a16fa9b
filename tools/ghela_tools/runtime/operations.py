"""What each IPC operation does in the local runtime.

A handler takes the :class:`Services` of the runtime and one :class:`Call` and returns a
:class:`Reply` (the response body; for a streaming operation also what to do when the
stream ends) or raises an :class:`~ghela_tools.runtime.ipcerrors.IpcError`. Handlers run on the
server's event loop and never block; stream events go out through ``Call.emit``.

Operations not in :data:`HANDLERS` answer ServiceError "operation X is not supported by
the local runtime".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ghela.core.nucleus import REPORTABLE_STATES

from ghela_tools.runtime.authz import authorize
from ghela_tools.runtime.configstore import ConfigStore, KeyPath
from ghela_tools.runtime.iotcore import MAX_PUBLISH_BYTES, LocalIotCore
from ghela_tools.runtime.ipcerrors import InvalidArgumentsError, ServiceError
from ghela_tools.runtime.pubsub import LocalPubSub, PubSubMessage
from ghela_tools.runtime.topicnames import has_wildcard

NS = "aws.greengrass#"


@dataclass(frozen=True)
class Services:
    """What the handlers work with; the server builds one."""

    pubsub: LocalPubSub
    iot_core: LocalIotCore
    config: ConfigStore
    access_control: Callable[[str], Mapping[str, Any] | None]
    report_state: Callable[[str, str], None]


@dataclass(frozen=True)
class Call:
    component: str
    operation: str
    request: dict[str, Any]
    emit: Callable[[dict[str, Any]], None]
    """Send one stream event (thread-safe); only for streaming operations."""


@dataclass(frozen=True)
class Reply:
    response: dict[str, Any]
    on_close: Callable[[], None] | None = None
    """Set for a streaming operation: called once when the stream or connection ends."""


def _text(call: Call, field: str) -> str:
    value = call.request.get(field)
    if not isinstance(value, str) or not value:
        raise InvalidArgumentsError(f"{call.operation}: {field} is required and must be a non-empty string")
    return value


def _blob(call: Call, field: str, value: Any) -> bytes:
    if value is None:
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise InvalidArgumentsError(f"{call.operation}: {field} is not valid base64") from None


def _checked(call: Call, action: Callable[[], Any]) -> Any:
    """Run ``action``; a ValueError from topic validation becomes InvalidArgumentsError."""
    try:
        return action()
    except ValueError as exc:
        raise InvalidArgumentsError(f"{call.operation}: {exc}") from None


# --------------------------------------------------------------------------- local pub/sub


def publish_to_topic(services: Services, call: Call) -> Reply:
    topic = _text(call, "topic")
    authorize(call.component, services.access_control(call.component), call.operation, topic)
    wire = call.request.get("publishMessage")
    if not isinstance(wire, dict):
        raise InvalidArgumentsError(f"{call.operation}: publishMessage is required")
    json_part, binary_part = wire.get("jsonMessage"), wire.get("binaryMessage")
    if (json_part is None) == (binary_part is None):
        raise InvalidArgumentsError(
            f"{call.operation}: publishMessage needs exactly one of jsonMessage, binaryMessage"
        )
    if json_part is not None:
        if not isinstance(json_part, dict) or not isinstance(json_part.get("message"), dict):
            raise InvalidArgumentsError(f"{call.operation}: jsonMessage.message must be a JSON object")
        message = PubSubMessage(json=json_part["message"])
    else:
        if not isinstance(binary_part, dict):
            raise InvalidArgumentsError(f"{call.operation}: binaryMessage must be an object")
        message = PubSubMessage(binary=_blob(call, "binaryMessage.message", binary_part.get("message")))
    _checked(call, lambda: services.pubsub.publish(topic, message, sender=call.component))
    return Reply({})


def subscribe_to_topic(services: Services, call: Call) -> Reply:
    topic_filter = _text(call, "topic")
    authorize(call.component, services.access_control(call.component), call.operation, topic_filter)
    # No receiveMode: a wildcard filter gets only the others' messages, any other filter all
    # of them, the component's own included (PubSubIPCEventStreamAgent.validateReceiveMode).
    mode = call.request.get("receiveMode") or (
        "RECEIVE_MESSAGES_FROM_OTHERS" if has_wildcard(topic_filter) else "RECEIVE_ALL_MESSAGES"
    )
    if mode not in ("RECEIVE_ALL_MESSAGES", "RECEIVE_MESSAGES_FROM_OTHERS"):
        raise InvalidArgumentsError(f"{call.operation}: unknown receiveMode {mode!r}")

    def deliver(topic: str, message: PubSubMessage) -> None:
        context = {"topic": topic}
        if message.json is not None:
            call.emit({"jsonMessage": {"message": message.json, "context": context}})
        else:
            encoded = base64.b64encode(message.binary or b"").decode()
            call.emit({"binaryMessage": {"message": encoded, "context": context}})

    unsubscribe = _checked(
        call,
        lambda: services.pubsub.subscribe(
            topic_filter, deliver, subscriber=call.component, include_own=mode == "RECEIVE_ALL_MESSAGES"
        ),
    )
    return Reply({}, on_close=unsubscribe)


# --------------------------------------------------------------------------- IoT Core


def publish_to_iot_core(services: Services, call: Call) -> Reply:
    topic = _text(call, "topicName")
    authorize(call.component, services.access_control(call.component), call.operation, topic)
    payload = _blob(call, "payload", call.request.get("payload"))
    if len(payload) > MAX_PUBLISH_BYTES:
        # The nucleus's words: MqttClient.isValidPublishRequest, wrapped by MqttProxyIPCAgent.
        raise ServiceError(
            f"Publish to topic {topic} failed: The publishing message size {len(payload)} bytes "
            f"exceeds the configured limit of {MAX_PUBLISH_BYTES} bytes"
        )
    _checked(call, lambda: services.iot_core.publish(topic, payload, call.component))
    return Reply({})


def subscribe_to_iot_core(services: Services, call: Call) -> Reply:
    topic_filter = _text(call, "topicName")
    authorize(call.component, services.access_control(call.component), call.operation, topic_filter)

    def deliver(topic: str, payload: bytes) -> None:
        call.emit({"message": {"topicName": topic, "payload": base64.b64encode(payload).decode()}})

    unsubscribe = _checked(call, lambda: services.iot_core.subscribe(topic_filter, deliver))
    return Reply({}, on_close=unsubscribe)


# --------------------------------------------------------------------------- configuration and state


def _key_path(call: Call) -> KeyPath:
    raw = call.request.get("keyPath") or []
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise InvalidArgumentsError(f"{call.operation}: keyPath must be a list of strings")
    return tuple(raw)


def get_configuration(services: Services, call: Call) -> Reply:
    """The node at keyPath; a leaf comes back as ``{last key: value}``, as the nucleus does."""
    component = call.request.get("componentName") or call.component
    key_path = _key_path(call)
    value = services.config.get(component, key_path)
    if not isinstance(value, dict):
        value = {key_path[-1]: value}
    return Reply({"componentName": component, "value": value})


def subscribe_to_configuration_update(services: Services, call: Call) -> Reply:
    component = call.request.get("componentName") or call.component
    key_path = _key_path(call)

    def changed(name: str, path: KeyPath) -> None:
        call.emit({"configurationUpdateEvent": {"componentName": name, "keyPath": list(path)}})

    return Reply({}, on_close=services.config.watch(component, key_path, changed))


def update_state(services: Services, call: Call) -> Reply:
    state = call.request.get("state")
    if state not in REPORTABLE_STATES:
        raise InvalidArgumentsError(f"{call.operation}: state must be one of {', '.join(REPORTABLE_STATES)}")
    services.report_state(call.component, state)
    return Reply({})


HANDLERS: dict[str, Callable[[Services, Call], Reply]] = {
    NS + "PublishToTopic": publish_to_topic,
    NS + "SubscribeToTopic": subscribe_to_topic,
    NS + "PublishToIoTCore": publish_to_iot_core,
    NS + "SubscribeToIoTCore": subscribe_to_iot_core,
    NS + "GetConfiguration": get_configuration,
    NS + "SubscribeToConfigurationUpdate": subscribe_to_configuration_update,
    NS + "UpdateState": update_state,
}

STREAM_EVENT_MODELS = {
    NS + "SubscribeToTopic": NS + "SubscriptionResponseMessage",
    NS + "SubscribeToIoTCore": NS + "IoTCoreMessage",
    NS + "SubscribeToConfigurationUpdate": NS + "ConfigurationUpdateEvents",
}


def response_model(operation: str) -> str:
    return operation + "Response"


def handle(services: Services, call: Call) -> Reply:
    handler = HANDLERS.get(call.operation)
    if handler is None:
        raise ServiceError(f"operation {call.operation} is not supported by the local runtime")
    return handler(services, call)
