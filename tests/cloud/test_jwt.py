"""The local JWT check applies the HTTP API authorizer's rules (signed tokens made here)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from ghela_cloud.local.jwt import InvalidToken, JwtVerifier, authorizer_context

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test"
CLIENT = "client-123"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")  # noqa: E731
    return {
        "kty": "RSA",
        "alg": "RS256",
        "kid": kid,
        "n": _b64(as_bytes(numbers.n)),
        "e": _b64(as_bytes(numbers.e)),
    }


def token(
    claims: dict[str, Any] | None = None,
    *,
    key: rsa.RSAPrivateKey = KEY,
    kid: str = "k1",
    alg: str = "RS256",
    **changes: Any,
) -> str:
    now = int(NOW.timestamp())
    body = {
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "sub": "u-1",
        "email": "a@b.c",
        "cognito:groups": ["admins"],
        "iat": now - 60,
        "exp": now + 3600,
        **(claims or {}),
        **changes,
    }
    body = {k: v for k, v in body.items() if v is not None}
    head = _b64(json.dumps({"kid": kid, "alg": alg}).encode())
    payload = _b64(json.dumps(body).encode())
    signature = key.sign(f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{payload}.{_b64(signature)}"


@pytest.fixture
def verifier() -> JwtVerifier:
    return JwtVerifier(ISSUER, [CLIENT], lambda: {"keys": [_jwk(KEY, "k1")]}, lambda: NOW)


def test_a_good_id_token_gives_its_claims(verifier: JwtVerifier) -> None:
    assert verifier.verify(token())["email"] == "a@b.c"


def test_an_access_token_is_checked_against_client_id(verifier: JwtVerifier) -> None:
    access = token(token_use="access", aud=None, client_id=CLIENT, scope="aws.cognito.signin.user.admin")
    assert verifier.verify(access)["client_id"] == CLIENT
    with pytest.raises(InvalidToken, match="another client"):
        verifier.verify(token(token_use="access", aud=CLIENT, client_id="other"))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"}, "another issuer"),
        ({"aud": "someone-else"}, "another client"),
        ({"exp": int(NOW.timestamp()) - 60}, "expired"),
        ({"exp": None}, "expired"),
        ({"iat": int(NOW.timestamp()) + 3600}, "iat is in the future"),
        ({"token_use": "refresh"}, "neither an ID nor an access token"),
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


def test_an_unknown_key_id_is_refused_after_refreshing_the_keys(verifier: JwtVerifier) -> None:
    with pytest.raises(InvalidToken, match="not in the pool's JWKS"):
        verifier.verify(token(kid="k2"))


@pytest.mark.parametrize("bad", ["", "abc", "a.b", "a.b.c", "e30.e30.e30"])
def test_garbage_is_refused(verifier: JwtVerifier, bad: str) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(bad)


def test_alg_none_is_refused(verifier: JwtVerifier) -> None:
    with pytest.raises(InvalidToken, match="RS256"):
        verifier.verify(token(alg="none"))


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
