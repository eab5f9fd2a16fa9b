"""Cognito's SRP-6a, the server's half, so the local stand-in checks the page's proof.

moto answers ``USER_SRP_AUTH`` with random ``SALT``/``SRP_B`` and accepts any
``PASSWORD_CLAIM_SIGNATURE`` (moto/cognitoidp/models.py, ``initiate_auth`` and
``respond_to_auth_challenge``): a wrong password would sign in. This module does what
Cognito does instead, with Cognito's constants and derivations as the AWS SDKs implement
the client side (amazon-cognito-identity-js ``AuthenticationHelper``; the page's
``cloud/web/js/srp.js`` is the same client in the browser):

- the 3072-bit group of RFC 5054 with g = 2, k = H(N | g), hashes SHA-256 over padded hex
- x = H(salt | H(pool name | user id | ":" | password)), v = g^x
- u = H(A | B), S = (A · v^u)^b, key = HKDF-SHA256(S, salt u, "Caldera Derived Key")[:16]
- signature = HMAC-SHA256(key, pool name | user id | secret block | timestamp), base64
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"


def pad_hex(value: int) -> str:
    """Hex of ``value`` as Java's BigInteger would sign it: even length, a leading 00 when
    the first digit is 8 or higher (Cognito hashes this form)."""
    text = format(value, "x")
    if len(text) % 2:
        text = "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hash_hex(pad_hex(N) + pad_hex(G)), 16)


def private_key(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(int(salt_hex, 16)) + inner), 16)


def session_key(shared: int, scrambler: int) -> bytes:
    prk = hmac.new(bytes.fromhex(pad_hex(scrambler)), bytes.fromhex(pad_hex(shared)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def signature(key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str) -> str:
    message = pool_name.encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Challenge:
    """One PASSWORD_VERIFIER challenge: what the server keeps and what it sends."""

    pool_name: str
    user_id: str
    salt_hex: str
    verifier: int
    b: int
    B: int
    secret_block: str

    @classmethod
    def start(cls, pool_name: str, user_id: str, password: str) -> Challenge:
        salt_hex = secrets.token_hex(16)
        verifier = pow(G, private_key(pool_name, user_id, password, salt_hex), N)
        b = secrets.randbelow(N - 2) + 2
        B = (K * verifier + pow(G, b, N)) % N
        return cls(
            pool_name, user_id, salt_hex, verifier, b, B, base64.b64encode(secrets.token_bytes(64)).decode()
        )

    def parameters(self) -> dict[str, str]:
        return {
            "SALT": self.salt_hex,
            "SRP_B": format(self.B, "x"),
            "SECRET_BLOCK": self.secret_block,
            "USERNAME": self.user_id,
            "USER_ID_FOR_SRP": self.user_id,
        }

    def proves(self, srp_a_hex: str, claimed_signature: str, timestamp: str) -> bool:
        """Whether the client that sent A knows the password (its signature matches)."""
        try:
            A = int(srp_a_hex, 16)
        except ValueError:
            return False
        if A % N == 0:
            return False  # SRP-6a: a client sending A = 0 (mod N) would know S without the password
        scrambler = int(hash_hex(pad_hex(A) + pad_hex(self.B)), 16)
        shared = pow(A * pow(self.verifier, scrambler, N), self.b, N)
        expected = signature(
            session_key(shared, scrambler), self.pool_name, self.user_id, self.secret_block, timestamp
        )
        return hmac.compare_digest(expected, claimed_signature)
