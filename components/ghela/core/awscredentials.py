"""Where the device's own AWS client gets credentials: the two sources a Greengrass
component really has, in botocore's order (``botocore/credentials.py``,
``create_credential_resolver``: the environment before the container provider).

1. The environment (``EnvProvider``): ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``,
   with ``AWS_SECURITY_TOKEN`` or else ``AWS_SESSION_TOKEN``. Tests and moto use these.
2. The nucleus's Token Exchange Service (``ContainerProvider`` and
   ``utils.ContainerMetadataFetcher``): a GET of ``AWS_CONTAINER_CREDENTIALS_FULL_URI``
   with ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` as the ``Authorization`` header, answered
   with ``{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`` (the nucleus's
   ``tes/CredentialRequestHandler.java``). Plain http only to a loopback address or
   ``localhost``, as botocore allows; a token with a line break is refused.

The TES keeps the credentials it got from IoT until five minutes before they expire
(``DEFAULT_TIME_BEFORE_CACHE_EXPIRE_IN_SEC`` = 300 in ``CredentialRequestHandler``), so they
are fetched again once less than :data:`REFRESH_BEFORE_EXPIRY` is left: asking earlier would
only get the same ones back. One try per call with botocore's 2 s timeout, no sleeping
retry loop: a failure is a :class:`~ghela.core.errors.TransientError` and the caller's own
backoff tries again (the TES may not be up yet right after a deployment).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ghela.core.awssigv4 import Credentials
from ghela.core.errors import TransientError

ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"
TOKEN_ENVS = ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN")
"""botocore's ``EnvProvider.TOKENS``, first found wins."""
FULL_URI_ENV = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
AUTH_TOKEN_ENV = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
REFRESH_BEFORE_EXPIRY = timedelta(minutes=5)
FETCH_TIMEOUT_SECONDS = 2.0
"""``ContainerMetadataFetcher.TIMEOUT_SECONDS``."""
MAX_ANSWER_BYTES = 64 * 1024
"""A credentials answer is a few hundred bytes; more is not the TES."""
_ALLOWED_HTTP_HOSTS = frozenset({"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"})
"""``ContainerMetadataFetcher._ALLOWED_HOSTS``: plain http is fine only to these or a loopback."""


class CredentialSource:
    """The credentials to sign with now: from the environment, else from the TES (cached)."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._cached: Credentials | None = None
        self._expires: datetime | None = None

    def get(self) -> Credentials:
        """The current credentials; :class:`TransientError` when none can be had yet."""
        from_env = _from_environment(self._environ)
        if from_env is not None:
            return from_env
        uri = self._environ.get(FULL_URI_ENV)
        if not uri:
            raise TransientError(
                f"no AWS credentials: neither {ACCESS_KEY_ENV}/{SECRET_KEY_ENV} nor {FULL_URI_ENV} is set"
                " (does the component depend on aws.greengrass.TokenExchangeService?)"
            )
        with self._lock:
            if (
                self._cached is None
                or self._expires is None
                or self._expires - self._now() < REFRESH_BEFORE_EXPIRY
            ):
                self._cached, self._expires = fetch_container_credentials(
                    uri, self._environ.get(AUTH_TOKEN_ENV)
                )
            return self._cached


def _from_environment(environ: Mapping[str, str]) -> Credentials | None:
    access_key, secret_key = environ.get(ACCESS_KEY_ENV), environ.get(SECRET_KEY_ENV)
    if not access_key and not secret_key:
        return None
    if not access_key or not secret_key:
        missing = SECRET_KEY_ENV if access_key else ACCESS_KEY_ENV
        raise TransientError(f"partial AWS credentials in the environment: {missing} is not set")
    token = next((environ[name] for name in TOKEN_ENVS if environ.get(name)), "")
    return Credentials(access_key, secret_key, token)


def fetch_container_credentials(uri: str, auth_token: str | None) -> tuple[Credentials, datetime]:
    """One GET of the TES; the credentials and when they expire."""
    _check_allowed(uri)
    headers = {"Accept": "application/json"}
    if auth_token is not None:
        if "\r" in auth_token or "\n" in auth_token:
            raise TransientError(f"{AUTH_TOKEN_ENV} is not a legal header value (it has a line break)")
        headers["Authorization"] = auth_token
    parts = urlsplit(uri)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.netloc, timeout=FETCH_TIMEOUT_SECONDS)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers)
        answer = connection.getresponse()
        raw = answer.read(MAX_ANSWER_BYTES + 1)
    except (OSError, http.client.HTTPException, ValueError) as exc:  # refused, DNS, timeout, broken
        raise TransientError(f"the credentials endpoint could not be reached: {exc!r}") from None
    finally:
        connection.close()
    if answer.status != 200:
        text = raw[:200].decode("utf-8", "replace")
        raise TransientError(f"the credentials endpoint answered {answer.status}: {text}")
    if len(raw) > MAX_ANSWER_BYTES:
        raise TransientError(f"the credentials endpoint's answer is over {MAX_ANSWER_BYTES} bytes")
    return parse_container_credentials(raw)


def parse_container_credentials(raw: bytes) -> tuple[Credentials, datetime]:
    """The TES's JSON answer; :class:`TransientError` naming the field that is wrong."""
    try:
        body: Any = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise TransientError(f"the credentials endpoint's answer is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise TransientError(f"the credentials endpoint's answer is a {type(body).__name__}, not an object")
    fields: dict[str, str] = {}
    for name in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration"):
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise TransientError(f"the credentials endpoint's answer has no string {name}")
        fields[name] = value
    try:
        expires = datetime.fromisoformat(fields["Expiration"].replace("Z", "+00:00"))
    except ValueError:
        raise TransientError(
            f"the credentials' Expiration is not a time: {fields['Expiration'][:40]!r}"
        ) from None
    if expires.tzinfo is None:
        raise TransientError(f"the credentials' Expiration has no zone: {fields['Expiration'][:40]!r}")
    return Credentials(fields["AccessKeyId"], fields["SecretAccessKey"], fields["Token"]), expires


def _check_allowed(uri: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    if parts.scheme == "http" and (host in _ALLOWED_HTTP_HOSTS or _is_loopback(host)):
        return
    raise TransientError(
        f"{FULL_URI_ENV} must be https or http to a loopback address or localhost, not {uri[:200]!r}"
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
