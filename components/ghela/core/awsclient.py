"""The device's botocore client factory, for the one path that still needs botocore:
shipping logs to CloudWatch Logs with watchtower (:mod:`ghela.core.logship`, only when a
log group is configured). CloudSync's DynamoDB and Metrics' CloudWatch calls use the
device's own small client instead (:mod:`ghela.core.awsjson`).

botocore costs a component about 30 MiB (``bench/footprint.py`` prints it), so no module
imports it at import time: it is loaded when the first client is made. The client is
botocore's own (``boto3.client`` is a thin wrapper over the same ``create_client``):
boto3's session and resource layer would add about 2.5 MiB for nothing. Each client is
made once per process and shared by every caller asking for the same service, endpoint
and settings (botocore clients are thread-safe; making one is not, hence the lock).

Region from ``AWS_REGION`` (the nucleus sets it), credentials from botocore's default chain
(the Token Exchange Service on a Pi), ``endpoint_url`` "" meaning the real AWS endpoint.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from ghela.core.nucleus import region_from_environment

_clients: dict[tuple[str, str, float, float, int], Any] = {}
_lock = threading.Lock()


def aws_client(
    service: str,
    endpoint_url: str = "",
    timeout_seconds: float = 5.0,
    attempts: int = 2,
    read_timeout_seconds: float | None = None,
) -> Any:
    """The process's client for ``service`` with these timeouts and retry attempts.

    Few, quick retries inside botocore: every caller has its own backoff (outbox, buffer),
    and a long blocking retry would only delay noticing that the network is gone.
    """
    read_timeout = read_timeout_seconds if read_timeout_seconds is not None else timeout_seconds
    key = (service, endpoint_url, timeout_seconds, read_timeout, attempts)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = _make(service, endpoint_url, timeout_seconds, read_timeout, attempts)
        return client


def _make(service: str, endpoint_url: str, connect_timeout: float, read_timeout: float, attempts: int) -> Any:
    without_pyopenssl()
    import botocore.session
    from botocore.config import Config

    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": attempts, "mode": "standard"},
    )
    session = botocore.session.get_session()
    endpoint = endpoint_url or None
    return session.create_client(
        service, endpoint_url=endpoint, region_name=region_from_environment(), config=config
    )


def without_pyopenssl() -> None:
    """Keep botocore from loading pyOpenSSL and cryptography (about 11 MiB) for nothing.

    ``botocore/httpsession.py`` imports ``urllib3.contrib.pyopenssl`` only to get
    ``orig_util_SSLContext``, the standard library's context ("Always import the original
    SSLContext, even if it has been patched"), and falls back to
    ``urllib3.util.ssl_.SSLContext``, the same class, when that import fails. Marking the
    module absent before botocore is first imported picks the fallback; TLS is unchanged.
    Nothing is done when botocore or pyOpenSSL is already loaded (a test process). Call it
    before any late ``import botocore``.
    """
    if "botocore.httpsession" not in sys.modules:
        sys.modules.setdefault("urllib3.contrib.pyopenssl", None)  # type: ignore[arg-type]
