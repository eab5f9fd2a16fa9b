"""An authenticator app for tests: RFC 6238 codes (SHA-1, 6 digits, 30 s) from a secret."""

from __future__ import annotations

import base64
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

STEP_SECONDS = 30


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an app shows for ``secret`` (base32, as Cognito gives it) at ``at`` (now)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    moment = int(time.time() if at is None else at)
    return TOTP(key, 6, SHA1(), STEP_SECONDS, enforce_key_length=False).generate(moment).decode()


def fresh_totp_window(margin: float = 8.0) -> None:
    """Wait, in short steps, until the current window has ``margin`` seconds left: the
    verifier (moto) checks the code against real time with no tolerance for the next one."""
    while STEP_SECONDS - time.time() % STEP_SECONDS < margin:
        time.sleep(0.5)
