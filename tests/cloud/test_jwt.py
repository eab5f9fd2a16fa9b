"""The local JWT check applies the HTTP API authorizer's rules (PyJWT, tokens signed here).

The JWKS is served over HTTP by a tiny server that counts its fetches, so the cache and the
refresh cooldown for unknown ``kid`` values are measured, not assumed. Group claims are
read back from the authorizer's string form as the list they are.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from ghela_cloud.api.auth import parse_groups
from ghela_cloud.local.jwt import InvalidToken, JwtVerifier, authorizer_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import hostile
from tests.support.jwks import JwksServer, jwk

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test"
CLIENT = "client-123"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer([])
    yield server
    server.close()


@pytest.fixture
def jwks(jwks_server: JwksServer) -> JwksServer:
    """The module's JWKS server with only key k1 and a fresh fetch count."""
    jwks_server.keys, jwks_server.fetches = [jwk(KEY, "k1")], 0
    return jwks_server


@pytest.fixture
def verifier(jwks: JwksServer) -> JwtVerifier:
    return JwtVerifier(ISSUER, [CLIENT], jwks.url)


def token(*, key: rsa.RSAPrivateKey = KEY, kid: str = "k1", alg: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "sub": "u-1",
        "email": "a@b.c",
        "cognito:groups": ["admins"],
        "iat": now - 60,
        "exp": now + 3600,
        **changes,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def test_a_good_id_token_gives_its_claims(verifier: JwtVerifier) -> None:
    assert verifier.verify(token())["email"] == "a@b.c"


def test_an_access_token_without_aud_is_checked_against_client_id(verifier: JwtVerifier) -> None:
    access = token(token_use="access", aud=None, client_id=CLIENT, scope="aws.cognito.signin.user.admin")
    assert verifier.verify(access)["client_id"] == CLIENT
    with pytest.raises(InvalidToken, match="another client"):
        verifier.verify(token(token_use="access", aud=None, client_id="other"))


def test_aud_wins_over_client_id_when_both_are_there(verifier: JwtVerifier) -> None:
    """API Gateway: "When both aud and client_id are present, API Gateway evaluates aud"."""
    assert verifier.verify(token(aud=CLIENT, client_id="other"))
    with pytest.raises(InvalidToken, match="another client"):
        verifier.verify(token(aud="other", client_id=CLIENT))


def test_aud_may_be_a_list_of_which_one_must_match(verifier: JwtVerifier) -> None:
    assert verifier.verify(token(aud=["someone-else", CLIENT]))["sub"] == "u-1"
    with pytest.raises(InvalidToken, match="another client"):
        verifier.verify(token(aud=["someone-else", "and-another"]))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"}, "another issuer"),
        ({"aud": "someone-else"}, "another client"),
        ({"exp": int(time.time()) - 60}, "expired"),
        ({"exp": None}, "exp"),
        ({"iat": int(time.time()) + 3600}, "iat"),
        ({"nbf": int(time.time()) + 3600}, "not yet valid"),
        ({"token_use": "refresh"}, "neither an ID nor an access token"),
        ({"token_use": None}, "neither an ID nor an access token"),
    ],
)
def test_claims_that_break_a_rule_are_refused(
    verifier: JwtVerifier, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidToken, match=reason):
        verifier.verify(token(**changes))


def test_a_token_signed_by_another_key_is_refused(verifier: JwtVerifier) -> None:
    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(token(key=OTHER_KEY))


@pytest.mark.parametrize(("alg", "key"), [("HS256", "s" * 64), ("none", None), ("RS512", KEY)])
def test_only_rs256_is_accepted(verifier: JwtVerifier, alg: str, key: Any) -> None:
    forged = jwt.encode({"iss": ISSUER, "aud": CLIENT}, key, algorithm=alg, headers={"kid": "k1"})
    with pytest.raises(InvalidToken, match="RS256"):
        verifier.verify(forged)


def test_the_jwks_is_fetched_once_and_unknown_kids_do_not_refetch_it_each_time(
    verifier: JwtVerifier, jwks: JwksServer
) -> None:
    for _ in range(5):
        verifier.verify(token())
    assert jwks.fetches == 1
    for number in range(20):
        with pytest.raises(InvalidToken, match="not in the pool's JWKS"):
            verifier.verify(token(kid=f"forged-{number}"))
    assert jwks.fetches <= 2  # at most one refresh within the cooldown


def test_a_rotated_key_is_found_by_one_refresh(jwks: JwksServer) -> None:
    verifier = JwtVerifier(ISSUER, [CLIENT], jwks.url, cooldown=0)
    verifier.verify(token())
    jwks.keys = [jwk(KEY, "k1"), jwk(OTHER_KEY, "k2")]
    assert verifier.verify(token(key=OTHER_KEY, kid="k2"))["sub"] == "u-1"
    assert jwks.fetches == 2


def test_an_unreachable_jwks_is_a_refusal() -> None:
    gone = JwksServer([jwk(KEY, "k1")])
    url = gone.url
    gone.close()
    with pytest.raises(InvalidToken, match="JWKS"):
        JwtVerifier(ISSUER, [CLIENT], url, timeout=1).verify(token())


@pytest.mark.parametrize("bad", ["", "abc", "a.b", "a.b.c", "e30.e30.e30", "..", "\x00.\xff.x"])
def test_garbage_is_refused(verifier: JwtVerifier, bad: str) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(bad)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(hostile.raw_bodies(), hostile.values()))
def test_a_hostile_token_is_always_just_invalid(verifier: JwtVerifier, value: Any) -> None:
    """Random bytes, and hostile values as header or claims of a well-formed JWT."""

    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    body = value if isinstance(value, bytes) else hostile.json_text(value).encode()
    empty = part(b"{}")
    for candidate in (body.decode("latin-1"), f"{part(body)}.{empty}.x", f"{empty}.{part(body)}.x"):
        with pytest.raises(InvalidToken):
            verifier.verify(candidate)


def test_authorizer_context_is_shaped_like_api_gateways() -> None:
    context = authorizer_context(
        {"sub": "u", "cognito:groups": ["admins", "staff"], "exp": 5, "email_verified": True}
    )
    assert context == {
        "jwt": {
            "claims": {"sub": "u", "cognito:groups": "[admins staff]", "exp": "5", "email_verified": "true"},
            "scopes": None,
        }
    }


GROUP_NAMES = st.text(
    st.characters(categories=["L", "M", "S", "N", "P"]), min_size=1, max_size=20
)
"""Cognito's GroupName pattern: letters, marks, symbols, numbers, punctuation; no whitespace."""


@settings(max_examples=200, deadline=None)
@given(st.lists(GROUP_NAMES, max_size=6))
def test_group_claims_read_back_are_exactly_the_groups(groups: list[str]) -> None:
    as_passed = authorizer_context({"cognito:groups": groups})["jwt"]["claims"]["cognito:groups"]
    assert parse_groups(as_passed) == set(groups)
    assert parse_groups(groups) == set(groups)


def test_a_group_named_with_a_comma_is_one_group_not_admin() -> None:
    assert parse_groups("[staff,admins]") == {"staff,admins"}
    assert "admins" not in parse_groups("[staff,admins]")
    assert parse_groups("[staff admins]") == {"staff", "admins"}
    assert parse_groups("admins") == {"admins"}
    assert parse_groups("") == set() and parse_groups(None) == set() and parse_groups(5) == set()
