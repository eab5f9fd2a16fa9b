"""The device's own small AWS client for the AWS JSON 1.0 protocol (DynamoDB, CloudWatch).

botocore costs CloudSync and Metrics about 29 MiB each for one client (its modules, the
parsed service model, endpoint rules, urllib3: ``bench/footprint.py``), for the four
DynamoDB operations and the one CloudWatch operation they make. This client speaks
exactly that: a signed POST of a JSON body to ``/`` with ``X-Amz-Target:
<targetPrefix>.<Operation>`` and ``Content-Type: application/x-amz-json-1.0``, and a JSON
answer. Both services declare the protocol in botocore's models (``metadata.protocols``:
dynamodb ``["json"]``, cloudwatch ``["smithy-rpc-v2-cbor", "json", "query"]``, both
``jsonVersion`` 1.0) and moto's server routes it by content type
(``moto/core/request.py``, ``determine_request_protocol``).

An error answer is read as botocore reads it (``botocore/parsers.py``,
``BaseJSONParser._do_error_parse``): the code from ``__type`` (``prefix#Code`` and a
``:``-suffix dropped), else ``x-amzn-ErrorType``, else the status; the message from
``message`` or ``Message``; for a service that was a query service
(``awsQueryCompatible``: CloudWatch) the ``x-amzn-query-error: Code;Fault`` header gives
the query-era code (``_do_query_compatible_error_parse``), the one callers know.

What can go wrong, as callers see it::

    TransientError                 no credentials yet, no network, a timeout, an answer
    └── AwsUnreadableAnswer        that is not JSON, too big, too deep, of the wrong shape
    AwsErrorAnswer (GhelaError)    AWS answered with an error: code, message, status, body

Callers decide what an :class:`AwsErrorAnswer` means (throttling or a 5xx is worth a retry,
a validation error is not). No retries in here: every caller has its own backoff
(CloudSync's outbox, Metrics' buffer), as with botocore's one quick retry before. A kept
connection that the server closed in the meantime is opened again once, before anything
was read from it.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ghela.core.awscredentials import CredentialSource
from ghela.core.awssigv4 import host_header, signed_headers
from ghela.core.errors import ConfigurationError, GhelaError, TransientError
from ghela.core.nucleus import region_from_environment

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_ANSWER_BYTES = 8 * 1024 * 1024
"""A DynamoDB Query page holds at most 1 MB of items; eight times that is not an answer."""
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class AwsUnreadableAnswer(TransientError):
    """AWS (or something in between) answered with what is not a readable JSON answer."""


class AwsErrorAnswer(GhelaError):
    """AWS answered the request with an error: its code, message, HTTP status and JSON body."""

    def __init__(self, operation: str, code: str, message: str, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{operation} failed ({status}): {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Service:
    """What names one AWS JSON service: its endpoint prefix (also its signing name) and target prefix."""

    endpoint_prefix: str
    target_prefix: str


DYNAMODB = Service("dynamodb", "DynamoDB_20120810")
CLOUDWATCH = Service("monitoring", "GraniteServiceVersion20100801")


def default_endpoint(service: Service, region: str) -> str:
    """``https://<prefix>.<region>.amazonaws.com`` (``.com.cn`` in China: the partitions' dnsSuffix)."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{service.endpoint_prefix}.{region}.{suffix}"


class AwsJsonClient:
    """Signed AWS JSON 1.0 calls to one service's endpoint; thread-safe (one call at a time)."""

    def __init__(
        self,
        service: Service,
        region: str,
        endpoint_url: str = "",
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        credentials: CredentialSource | None = None,
    ) -> None:
        self.service = service
        self.region = region
        self.endpoint_url = endpoint_url or default_endpoint(service, region)
        parts = urlsplit(self.endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"awsEndpointUrl must be an http(s) URL, not {self.endpoint_url[:200]!r}"
            )
        self._parts = parts
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._credentials = credentials or CredentialSource()
        self._tls: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """One operation; its JSON answer. Raises what the module docstring draws."""
        try:
            body = json.dumps(request, allow_nan=False, separators=(",", ":")).encode()
        except (TypeError, ValueError, RecursionError) as exc:
            raise ValueError(f"{operation}: the request cannot be sent as JSON: {exc}") from None
        headers = signed_headers(
            "POST",
            self.endpoint_url,
            {
                "Host": host_header(self.endpoint_url),
                "Content-Type": CONTENT_TYPE,
                "X-Amz-Target": f"{self.service.target_prefix}.{operation}",
            },
            body,
            self._credentials.get(),
            self.region,
            self.service.endpoint_prefix,
            datetime.now(UTC),  # the wall clock: AWS refuses a signature 5 minutes off
        )
        status, answer_headers, raw = self._post(operation, body, headers)
        if status >= 300:
            raise _error(operation, status, answer_headers, raw)
        _check_crc32(operation, answer_headers, raw)
        return _decoded(operation, raw)

    def _post(
        self, operation: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        path = self._parts.path or "/"
        with self._lock:
            for attempt in (1, 2):
                reused = self._connection is not None
                connection = self._connection or self._connect()
                self._connection = connection
                try:
                    connection.request("POST", path, body, headers)
                    response = connection.getresponse()
                    raw = response.read(MAX_ANSWER_BYTES + 1)
                except _STALE as exc:
                    self._drop()
                    if reused and attempt == 1:
                        continue  # the server closed the kept connection: once more on a new one
                    raise TransientError(
                        f"{operation}: {self.endpoint_url} closed the connection: {exc!r}"
                    ) from None
                except (OSError, http.client.HTTPException) as exc:  # refused, DNS, TLS, timeout
                    self._drop()
                    raise TransientError(f"{operation}: {self.endpoint_url} unreachable: {exc!r}") from None
                if len(raw) > MAX_ANSWER_BYTES:
                    self._drop()
                    raise AwsUnreadableAnswer(f"{operation}: the answer is over {MAX_ANSWER_BYTES} bytes")
                if response.will_close:
                    self._drop()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> http.client.HTTPConnection:
        host, port = self._parts.hostname or "", self._parts.port
        connection: http.client.HTTPConnection
        if self._parts.scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()  # certificates and host name verified
            connection = http.client.HTTPSConnection(
                host, port, timeout=self._connect_timeout, context=self._tls
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self._connect_timeout)
        try:
            connection.connect()
        except OSError as exc:
            raise TransientError(f"{self.endpoint_url} unreachable: {exc!r}") from None
        if connection.sock is not None:
            connection.sock.settimeout(self._read_timeout)  # connected: now the read timeout
        return connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _decoded(operation: str, raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        answer: Any = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, a 5,000-digit number, too deep
        text = raw[:120].decode("utf-8", "replace")
        raise AwsUnreadableAnswer(
            f"{operation}: the answer is not JSON ({type(exc).__name__}): {text!r}"
        ) from None
    if not isinstance(answer, dict):
        raise AwsUnreadableAnswer(f"{operation}: the answer is a JSON {type(answer).__name__}, not an object")
    return answer


def _check_crc32(operation: str, headers: dict[str, str], raw: bytes) -> None:
    """DynamoDB's ``x-amz-crc32`` of the body, checked as botocore does (its
    ``retryhandler.CRC32Checker``): a body damaged on the way is not an answer."""
    expected = headers.get("x-amz-crc32")
    if expected is not None and expected.strip() != str(zlib.crc32(raw) & 0xFFFFFFFF):
        raise AwsUnreadableAnswer(
            f"{operation}: the answer's CRC32 is not {expected[:20]!r}: damaged on the way"
        )


def _error(operation: str, status: int, headers: dict[str, str], raw: bytes) -> AwsErrorAnswer:
    try:
        body = _decoded(operation, raw)
    except AwsUnreadableAnswer:  # a proxy's or a load balancer's page: the status says it all
        body = {"message": raw[:200].decode("utf-8", "replace")}
    code = body.get("__type") or headers.get("x-amzn-errortype") or str(status)
    message = body.get("message", body.get("Message", ""))
    code = str(code).split(":", 1)[0].rsplit("#", 1)[-1]
    query_error = headers.get("x-amzn-query-error", "").split(";")
    if len(query_error) == 2 and query_error[0]:
        code = query_error[0]
    return AwsErrorAnswer(operation, code[:200], str(message)[:2000], status, body)


_clients: dict[tuple[Service, str, float, float], AwsJsonClient] = {}
_clients_lock = threading.Lock()


def aws_json_client(
    service: Service, endpoint_url: str = "", *, connect_timeout: float = 5.0, read_timeout: float = 15.0
) -> AwsJsonClient:
    """The process's one client for ``service`` at this endpoint, made on first use
    (region from the nucleus's variables, ``endpoint_url`` "" meaning real AWS)."""
    key = (service, endpoint_url, connect_timeout, read_timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = AwsJsonClient(
                service,
                region_from_environment(),
                endpoint_url,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
            )
        return client
