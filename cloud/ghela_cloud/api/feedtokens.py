"""The calendar feed's secret: one high-entropy token per device, kept only as a hash.

Calendar apps cannot sign in, so the feed's URL carries the secret. The feeds table holds
its SHA-256 (a leaked table item does not give the URL), and a presented token is compared
with :func:`hmac.compare_digest` so the time taken says nothing about how much matched.
Rotating writes a new hash over the old one: the old URL then answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ghela_cloud import names

TOKEN_BYTES = 32
"""256 random bits: ``secrets.token_urlsafe(32)`` is 43 characters of [A-Za-z0-9_-]."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    """Only what :func:`new_token` makes; anything else is refused before hashing."""
    return _TOKEN.fullmatch(token) is not None


@dataclass(frozen=True)
class FeedToken:
    device: str
    token_sha256: str
    rotated_at: str
    rotated_by: str


class FeedTokenStore:
    """The feeds table: one item per device (partition key ``device``)."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._ddb = dynamodb
        self._table = table

    def get(self, device: str) -> FeedToken | None:
        found = self._ddb.get_item(
            TableName=self._table, Key={names.FEEDS_PARTITION_KEY: {"S": device}}, ConsistentRead=True
        )
        item = found.get("Item")
        if not item:
            return None
        return FeedToken(
            device=device,
            token_sha256=item["token_sha256"]["S"],
            rotated_at=item.get("rotated_at", {}).get("S", ""),
            rotated_by=item.get("rotated_by", {}).get("S", ""),
        )

    def matches(self, device: str, token: str) -> bool:
        """Whether ``token`` is the device's current feed token (constant-time comparison)."""
        if not well_formed(token):
            return False
        stored = self.get(device)
        return stored is not None and hmac.compare_digest(token_hash(token), stored.token_sha256)

    def rotate(self, device: str, by: str, at: datetime) -> str:
        """A new token for the device (returned once, never stored); the old one stops working."""
        token = new_token()
        self._ddb.put_item(
            TableName=self._table,
            Item={
                names.FEEDS_PARTITION_KEY: {"S": device},
                "token_sha256": {"S": token_hash(token)},
                "rotated_at": {"S": at.isoformat()},
                "rotated_by": {"S": by[:200]},
            },
        )
        return token
