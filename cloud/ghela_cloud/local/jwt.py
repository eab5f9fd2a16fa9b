"""Check a Cognito JWT the way the HTTP API's JWT authorizer does, for the local server.

The rules (API Gateway's, plus Cognito's ``token_use``): an RS256 signature by a key in the
pool's JWKS (fetched from moto's ``/<pool>/.well-known/jwks.json``), ``iss`` equal to the
pool's issuer, ``aud`` (ID token) or ``client_id`` (access token) one of the app clients,
``exp`` in the future, ``nbf``/``iat`` not in the future, ``token_use`` id or access.
The claims then go into the event exactly as API Gateway puts them: every value a string,
lists as ``"[a b]"``.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from ghela.core.errors import GhelaError

LEEWAY_SECONDS = 5


class InvalidToken(GhelaError):
    """The token is missing, malformed, badly signed, expired or for someone else."""


def fetch_jwks(url: str, timeout: float = 5.0) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class JwtVerifier:
    def __init__(
        self,
        issuer: str,
        audiences: Iterable[str],
        load_jwks: Callable[[], dict[str, Any]],
        now: Callable[[], datetime],
    ) -> None:
        self._issuer = issuer
        self._audiences = frozenset(audiences)
        self._load_jwks = load_jwks
        self._now = now
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidToken naming what was wrong."""
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            header = json.loads(_b64(header_b64))
            claims = json.loads(_b64(payload_b64))
            signature = _b64(signature_b64)
        except ValueError:
            raise InvalidToken("the token is not a JWT") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise InvalidToken("the token is not a JWT")
        if header.get("alg") != "RS256":
            raise InvalidToken("the token is not signed with RS256")
        key = self._key(str(header.get("kid")))
        try:
            key.verify(signature, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise InvalidToken("the token's signature is wrong") from None
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        if claims.get("iss") != self._issuer:
            raise InvalidToken("the token is from another issuer")
        token_use = claims.get("token_use")
        if token_use not in ("id", "access"):
            raise InvalidToken("the token is neither an ID nor an access token")
        audience = claims.get("aud") if token_use == "id" else claims.get("client_id")
        if audience not in self._audiences:
            raise InvalidToken("the token is for another client")
        now = self._now().timestamp()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now - LEEWAY_SECONDS:
            raise InvalidToken("the token has expired")
        for claim in ("nbf", "iat"):
            value = claims.get(claim)
            if isinstance(value, int | float) and value > now + LEEWAY_SECONDS:
                raise InvalidToken(f"the token's {claim} is in the future")

    def _key(self, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            if kid not in self._keys:
                self._keys = _public_keys(self._load_jwks())
            key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("the token's key is not in the pool's JWKS")
        return key


def authorizer_context(claims: dict[str, Any]) -> dict[str, Any]:
    """``requestContext.authorizer`` as the HTTP API's JWT authorizer builds it."""
    scope = claims.get("scope")
    return {
        "jwt": {
            "claims": {k: _claim_string(v) for k, v in claims.items()},
            "scopes": scope.split() if isinstance(scope, str) else None,
        }
    }


def _claim_string(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _public_keys(jwks: dict[str, Any]) -> dict[str, rsa.RSAPublicKey]:
    keys = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "RSA" and "n" in jwk and "e" in jwk:
            numbers = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"]))
            keys[str(jwk.get("kid"))] = numbers.public_key()
    return keys


def _int(value: str) -> int:
    return int.from_bytes(_b64(value), "big")


def _b64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
