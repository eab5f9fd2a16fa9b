"""A moto server on a loopback port that tests can stop and start again (an outage).

moto keeps its state in the process, so a server stopped and started again on the same
port comes back with the same resources, as a real endpoint would after a network outage.
"""

from __future__ import annotations

import os
import socket

from ghela_cloud.local.aws import MOTO_STRICT_SETTINGS
from moto.server import ThreadedMotoServer

DUMMY_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}


def use_dummy_aws_credentials() -> None:
    """Put dummy credentials and a region in this process's environment.

    Tests and benchmarks call this before any AWS client exists, so none of them can ever
    reach a real AWS account, whatever the developer's shell holds.
    """
    os.environ.update(DUMMY_AWS_ENVIRONMENT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._server: ThreadedMotoServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        os.environ.update(MOTO_STRICT_SETTINGS)  # moto reads them per request, in this process
        if self._server is None:
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
            self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, service: str):
        import boto3

        return boto3.client(service, endpoint_url=self.url, region_name="eu-west-1")
