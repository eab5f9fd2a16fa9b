"""A device AWS client that records each request it sends (tests, benches)."""

from __future__ import annotations

from typing import Any

from ghela.core.awsjson import DYNAMODB, AwsJsonClient, Service
from ghela.core.nucleus import region_from_environment


class CountingClient(AwsJsonClient):
    """The device's own AWS JSON client (not the process's shared one), each operation
    name (``PutItem``, ``TransactWriteItems``...) appended to ``calls`` as it is sent, and
    the operation with its request to ``requests``."""

    def __init__(self, endpoint_url: str, calls: list[str]) -> None:
        super().__init__(DYNAMODB, region_from_environment(), endpoint_url)
        self.calls = calls
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(operation)
        self.requests.append((operation, request))
        return super().call(operation, request)


def unreachable_client(service: Service = DYNAMODB) -> AwsJsonClient:
    """A client for tests whose AWS calls are overridden: any call it makes goes to a closed
    loopback port and fails, so a test that reaches AWS by mistake cannot pass."""
    return AwsJsonClient(service, "eu-west-1", "http://127.0.0.1:9")
