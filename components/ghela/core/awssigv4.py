"""AWS Signature Version 4 for the device's own AWS client (:mod:`ghela.core.awsjson`).

The rules are botocore's (``botocore/auth.py``, ``SigV4Auth``, botocore 1.44), which the
tests check this against request by request:

- the canonical request is the method, the path with dot segments and empty segments
  removed and then quoted with ``/~`` safe (``_normalize_url_path``), the query pairs
  sorted as they stand (``_canonical_query_string_url``), every header except the
  hop-by-hop and tracing ones (``SIGNED_HEADERS_BLACKLIST``), names lower-cased and
  sorted, values with runs of white space made one space and repeated names joined with
  ``,`` (``canonical_headers``), plus ``host`` (``_host_from_url``: no default port) when
  the request has none, then the signed header names and the body's SHA-256;
- the string to sign is ``AWS4-HMAC-SHA256``, the ``X-Amz-Date`` timestamp, the scope
  ``date/region/service/aws4_request`` and the canonical request's SHA-256;
- the key is HMAC-SHA256 chained over date, region, service, ``aws4_request`` from
  ``"AWS4" + secret``; a session token goes in ``X-Amz-Security-Token`` and is signed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_HEADERS = frozenset(
    {
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)
"""botocore's ``SIGNED_HEADERS_BLACKLIST``: headers a proxy may change, never signed."""
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Credentials:
    """An access key, its secret and, for temporary credentials, the session token."""

    access_key: str
    secret_key: str
    token: str = ""

    def __repr__(self) -> str:  # never the secret in a log line
        return f"Credentials(access_key={self.access_key!r})"


def signed_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Credentials,
    region: str,
    service: str,
    now: datetime,
) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date``, the session token (if any) and ``Authorization``."""
    timestamp = now.strftime(TIMESTAMP_FORMAT)
    replaced = {"authorization", "x-amz-date"} | ({"x-amz-security-token"} if credentials.token else set())
    out = {name: value for name, value in headers.items() if name.lower() not in replaced}
    out["X-Amz-Date"] = timestamp
    if credentials.token:
        out["X-Amz-Security-Token"] = credentials.token
    to_sign: dict[str, list[str]] = {}
    for name, value in out.items():
        if name.lower() not in UNSIGNED_HEADERS:
            to_sign.setdefault(name.lower(), []).append(value)
    if "host" not in to_sign:
        to_sign["host"] = [host_header(url)]
    names = sorted(to_sign)
    canonical_headers = "".join(
        f"{name}:{','.join(' '.join(v.split()) for v in to_sign[name])}\n" for name in names
    )
    parts = urlsplit(url)
    canonical = "\n".join(
        [
            method.upper(),
            quote(_without_dot_segments(parts.path), safe="/~"),
            _canonical_query(parts.query),
            canonical_headers,
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{timestamp[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{credentials.secret_key}".encode()
    for part in (timestamp[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    out["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return out


def host_header(url: str) -> str:
    """The ``Host`` value of ``url``: lower case, the port only when not the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def _without_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 dot-segment removal, empty segments dropped (botocore's
    ``utils.remove_dot_segments``; an empty path is ``/``)."""
    if not path:
        return "/"
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and kept else ""
    return first + "/".join(kept) + last


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = sorted(pair.partition("=")[::2] for pair in query.split("&"))
    return "&".join(f"{key}={value}" for key, value in pairs)
