"""Our SigV4 signer gives the same ``Authorization`` header as botocore's ``SigV4Auth`` for
the same request, credentials and instant (botocore stays a test dependency for this)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from ghela.core.awssigv4 import Credentials, signed_headers
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = dt.datetime(2026, 11, 25, 12, 34, 56, tzinfo=dt.UTC)

header_names = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True).filter(
    lambda name: (
        not name.lower().startswith("x-amz-") and name.lower() not in ("authorization", "host", "date")
    )
)
header_values = st.from_regex(r"[!-~]([ !-~]{0,30}[!-~])?", fullmatch=True)
segments = st.sampled_from(["", ".", "..", "a", "b c", "ümlaut", "%41", "~x", "tab\t", "d;e"])
paths = st.lists(segments, max_size=6).map(lambda parts: "/" + "/".join(parts))
queries = st.lists(
    st.tuples(
        st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9._~%-]{0,8}", fullmatch=True),
    ),
    max_size=4,
).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
hosts = st.sampled_from(
    [
        "https://dynamodb.eu-west-1.amazonaws.com",
        "http://127.0.0.1:5000",
        "https://MONITORING.eu-west-1.amazonaws.com:443",
    ]
)


def botocore_authorization(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    headers: dict[str, str],
    body: bytes,
    credentials: Credentials,
) -> tuple[str, dict[str, str]]:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW.replace(tzinfo=None))
    request = AWSRequest(method="POST", url=url, headers=headers, data=body)
    boto = BotoCredentials(credentials.access_key, credentials.secret_key, credentials.token or None)
    botocore.auth.SigV4Auth(boto, "dynamodb", "eu-west-1").add_auth(request)
    return request.headers["Authorization"], dict(request.headers.items())


@settings(max_examples=300, deadline=None)
@given(
    host=hosts,
    path=paths,
    query=queries,
    headers=st.dictionaries(header_names, header_values, max_size=5),
    body=st.binary(max_size=300),
    token=st.sampled_from(["", "a-session-token/+="]),
    secret=st.from_regex(r"[A-Za-z0-9/+]{40}", fullmatch=True),
)
def test_the_same_signature_as_botocore(
    host: str, path: str, query: str, headers: dict[str, str], body: bytes, token: str, secret: str
) -> None:
    url = host + path + (f"?{query}" if query else "")
    credentials = Credentials("AKIDEXAMPLE", secret, token)
    ours = signed_headers("POST", url, headers, body, credentials, "eu-west-1", "dynamodb", NOW)
    with pytest.MonkeyPatch.context() as patch:
        theirs, their_headers = botocore_authorization(patch, url, dict(headers), body, credentials)
    assert ours["Authorization"] == theirs
    assert ours["X-Amz-Date"] == their_headers["X-Amz-Date"] == "20261125T123456Z"
    assert ours.get("X-Amz-Security-Token") == their_headers.get("X-Amz-Security-Token")


def test_a_request_of_the_client_signs_as_botocore_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """The headers the client really sends (host, content type, target) and a session token."""
    headers: dict[str, Any] = {
        "Host": "dynamodb.eu-west-1.amazonaws.com",
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.PutItem",
    }
    url, body = "https://dynamodb.eu-west-1.amazonaws.com", b'{"TableName":"events"}'
    credentials = Credentials("ASIAEXAMPLE", "secret", "token")
    ours = signed_headers("POST", url, headers, body, credentials, "eu-west-1", "dynamodb", NOW)
    theirs, _ = botocore_authorization(monkeypatch, url, dict(headers), body, credentials)
    assert ours["Authorization"] == theirs
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target," in theirs


def test_credentials_never_show_their_secret() -> None:
    assert "secret" not in repr(Credentials("AKID", "secret", "token"))
