"""The device AWS client's credentials: the environment first, else the Token Exchange
Service over HTTP (its token checked, refreshed before expiry, a failure transient)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from ghela.core.awscredentials import AUTH_TOKEN_ENV, FULL_URI_ENV, CredentialSource
from ghela.core.awssigv4 import Credentials
from ghela.core.clock import FrozenClock
from ghela.core.errors import TransientError
from ghela_tools.runtime.credentials import CredentialsEndpoint

from tests.support.cannedhttp import Answer, Asked, CannedServer

START = datetime(2026, 11, 25, 12, tzinfo=UTC)
TOKEN = "the-component-token"
TES_PATH = "/2016-11-01/credentialprovider/"


class Tes:
    """A TES stand-in: answers token holders with credentials ``key-<n>`` valid one hour
    from the clock; anyone else gets 403, as the nucleus's CredentialRequestHandler does."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.served = 0

    def __call__(self, asked: Asked) -> Answer:
        if asked.headers.get("authorization") != TOKEN:
            return Answer(403, b"")
        self.served += 1
        expiration = (self.clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "AccessKeyId": f"key-{self.served}",
            "SecretAccessKey": "s",
            "Token": "t",
            "Expiration": expiration,
        }
        return Answer(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def tes_environment(url: str, token: str = TOKEN) -> dict[str, str]:
    return {FULL_URI_ENV: url + TES_PATH, AUTH_TOKEN_ENV: token}


def test_the_environment_comes_first_with_its_session_token() -> None:
    environ = {
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "session",
        FULL_URI_ENV: "http://127.0.0.1:9/never-asked",
    }
    assert CredentialSource(environ).get() == Credentials("AKID", "secret", "session")


def test_half_a_key_in_the_environment_is_named() -> None:
    with pytest.raises(TransientError, match="AWS_SECRET_ACCESS_KEY is not set"):
        CredentialSource({"AWS_ACCESS_KEY_ID": "AKID"}).get()


def test_no_source_at_all_says_what_to_set() -> None:
    with pytest.raises(TransientError, match="TokenExchangeService"):
        CredentialSource({}).get()


def test_the_tes_is_asked_with_the_token_and_its_answer_kept_until_near_expiry() -> None:
    clock = FrozenClock(START)
    tes = Tes(clock)
    with CannedServer(tes) as server:
        source = CredentialSource(tes_environment(server.url), now=clock.now)
        assert source.get() == Credentials("key-1", "s", "t")
        clock.advance(timedelta(minutes=54))
        assert source.get().access_key == "key-1"  # six minutes left: still the same
        clock.advance(timedelta(minutes=2))
        assert source.get().access_key == "key-2"  # four left: fetched again
        assert [asked.path for asked in server.asked] == [TES_PATH, TES_PATH]
        assert {asked.headers["authorization"] for asked in server.asked} == {TOKEN}


def test_a_wrong_token_is_refused_and_transient() -> None:
    clock = FrozenClock(START)
    with CannedServer(Tes(clock)) as server, pytest.raises(TransientError, match="answered 403"):
        CredentialSource(tes_environment(server.url, "not-the-token"), now=clock.now).get()


def test_a_tes_that_is_down_is_transient_and_asked_again_later() -> None:
    clock = FrozenClock(START)
    tes = Tes(clock)
    with CannedServer(tes) as server:
        url = server.url
        source = CredentialSource(tes_environment(url), now=clock.now)
        server.answer = Answer(500, b"")
        with pytest.raises(TransientError, match="answered 500"):
            source.get()
        server.answer = tes
        assert source.get().access_key == "key-1"
    with pytest.raises(TransientError, match="could not be reached"):
        CredentialSource(tes_environment(url), now=clock.now).get()  # nothing listens any more


def test_the_runtime_s_own_tes_stand_in_serves_the_client() -> None:
    endpoint = CredentialsEndpoint()
    endpoint.start()
    try:
        assert CredentialSource(endpoint.environment()).get() == Credentials("testing", "testing", "testing")
    finally:
        endpoint.stop()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"<html>gateway</html>", "not JSON"),
        (b'["AccessKeyId"]', "a list, not an object"),
        (b'{"AccessKeyId": 5, "SecretAccessKey": "s", "Token": "t", "Expiration": "x"}', "AccessKeyId"),
        (b'{"AccessKeyId": "a", "SecretAccessKey": "s", "Token": "t"}', "Expiration"),
        (b'{"AccessKeyId": "a", "SecretAccessKey": "s", "Token": "t", "Expiration": "soon"}', "not a time"),
        (
            b'{"AccessKeyId": "a", "SecretAccessKey": "s", "Token": "t", '
            b'"Expiration": "2026-11-25T13:00:00"}',
            "no zone",
        ),
        (b'{"a":' * 5000 + b"{}" + b"}" * 5000, "not JSON"),
        (b"9" * 5000, "not JSON"),
        (b'{"AccessKeyId": "' + b"x" * 100_000 + b'"}', "over 65536 bytes"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_a_hostile_tes_answer_is_transient_and_named(body: bytes, named: str) -> None:
    with CannedServer(Answer(200, body)) as server, pytest.raises(TransientError, match=named):
        CredentialSource(tes_environment(server.url)).get()


def test_plain_http_goes_only_to_a_loopback_address() -> None:
    with pytest.raises(TransientError, match="loopback"):
        CredentialSource({FULL_URI_ENV: "http://example.com/creds"}).get()


def test_a_token_with_a_line_break_is_never_sent() -> None:
    with pytest.raises(TransientError, match="line break"):
        CredentialSource({FULL_URI_ENV: "http://127.0.0.1:9/", AUTH_TOKEN_ENV: "a\r\nX-Evil: 1"}).get()
