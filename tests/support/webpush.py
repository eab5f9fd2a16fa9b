"""A browser's side of Web Push, for tests: a subscription with its own keys, the
payload decrypted with ``http_ece`` (RFC 8291), the VAPID JWT verified (RFC 8292) by hand
and by ``py_vapid``, the Web Push library's own check."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from ghela_cloud.notify.prefs import PushSubscription
from py_vapid import Vapid02


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A push subscription as a browser makes one: its own P-256 key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str

    @classmethod
    def new(cls, endpoint: str) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16), endpoint)

    @classmethod
    def from_page(cls, private_jwk: dict[str, Any], auth: str, endpoint: str) -> Browser:
        """The key pair a page made with WebCrypto (its private half exported as a JWK)."""
        assert private_jwk["kty"] == "EC" and private_jwk["crv"] == "P-256"
        key = ec.derive_private_key(int.from_bytes(unb64url(private_jwk["d"]), "big"), ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        assert (numbers.x, numbers.y) == (
            int.from_bytes(unb64url(private_jwk["x"]), "big"),
            int.from_bytes(unb64url(private_jwk["y"]), "big"),
        )
        return cls(key, unb64url(auth), endpoint)

    def subscription_json(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def subscription(self) -> PushSubscription:
        return PushSubscription.model_validate(self.subscription_json())

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def verify_vapid(authorization: str, application_server_key: str, endpoint: str) -> dict[str, Any]:
    """RFC 8292: ``vapid t=<JWT>, k=<key>``; an ES256 JWT whose aud is the push service's origin."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == application_server_key
    header, payload, signature = fields["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(application_server_key))
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    assert Vapid02.verify(authorization)  # the Web Push library's own check of the token
    claims = json.loads(unb64url(payload))
    origin = "/".join(endpoint.split("/")[:3])
    assert claims["aud"] == origin and claims["sub"].startswith("mailto:")
    return claims
