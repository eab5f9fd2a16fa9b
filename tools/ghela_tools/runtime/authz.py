"""Authorization of pub/sub and IoT Core calls, as the nucleus does it.

A component's ``accessControl`` (in its configuration, from its recipe) maps an IPC service
to named policies, each a list of ``operations`` and ``resources``::

    {"aws.greengrass.ipc.pubsub": {
        "com.example.Light:pubsub:1": {
            "operations": ["aws.greengrass#SubscribeToTopic"], "resources": ["ghela/light/set"]}}}

A resource matches a requested topic when it is equal to it, when it is a ``*`` glob that
covers it (``*`` alone is every topic), or — for ``aws.greengrass.ipc.mqttproxy`` only —
when it is an MQTT filter (``+``, ``#``) that covers the requested topic or filter.
An operation ``*`` stands for every operation of the service. Anything else is refused
with :class:`~ghela_tools.runtime.ipcerrors.UnauthorizedError` naming the operation and resource.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from ghela.core.bus import topic_matches

from ghela_tools.runtime.ipcerrors import UnauthorizedError

log = logging.getLogger(__name__)

PUBSUB = "aws.greengrass.ipc.pubsub"
MQTTPROXY = "aws.greengrass.ipc.mqttproxy"

SERVICE_OF_OPERATION = {
    "aws.greengrass#PublishToTopic": PUBSUB,
    "aws.greengrass#SubscribeToTopic": PUBSUB,
    "aws.greengrass#PublishToIoTCore": MQTTPROXY,
    "aws.greengrass#SubscribeToIoTCore": MQTTPROXY,
}


def authorize(
    component: str, access_control: Mapping[str, Any] | None, operation: str, resource: str
) -> None:
    """Return if ``component`` may call ``operation`` on ``resource``; else UnauthorizedError."""
    service = SERVICE_OF_OPERATION[operation]
    for operations, resources in _policies(component, access_control, service):
        if ("*" in operations or operation in operations) and any(
            resource_covers(service, allowed, resource) for allowed in resources
        ):
            return
    raise UnauthorizedError(
        f"Principal {component} is not authorized to perform {service}:{operation} on resource {resource}"
    )


def _policies(
    component: str, access_control: Mapping[str, Any] | None, service: str
) -> Iterator[tuple[list[str], list[str]]]:
    policies = (access_control or {}).get(service) or {}
    if not isinstance(policies, Mapping):
        log.warning("%s: accessControl[%s] is not a map of policies; ignored", component, service)
        return
    for policy_id, policy in policies.items():
        operations = policy.get("operations") if isinstance(policy, Mapping) else None
        resources = policy.get("resources") if isinstance(policy, Mapping) else None
        if not isinstance(operations, list) or not isinstance(resources, list):
            log.warning(
                "%s: policy %s needs lists of operations and resources; ignored", component, policy_id
            )
            continue
        yield [str(o) for o in operations], [str(r) for r in resources]


def resource_covers(service: str, allowed: str, requested: str) -> bool:
    if allowed == requested or allowed == "*":
        return True
    if "*" in allowed and _glob(allowed).fullmatch(requested):
        return True
    return service == MQTTPROXY and topic_matches(allowed, requested)


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
