"""Each user's notification choices: channels, which alerts, late changes, push subscriptions.

The preferences body and a push subscription are hostile input: pydantic refuses anything
else with the field named (the API answers 422). A push endpoint must be https (Web Push
services are; RFC 8030), or http on this machine for the local push receiver.
"""

from __future__ import annotations

import base64
import binascii
import json
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationError

from ghela_cloud.api.models import ApiModel
from ghela_cloud.notify.chat import ChatKind

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _web_url(value: str) -> str:
    """https, or http to this machine (the local receivers); nothing else."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError("not a URL") from exc
    if not host or parts.username or parts.password:
        raise ValueError("a URL with a host and no user or password")
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
        return value
    raise ValueError("must be an https URL")


def _b64url_bytes(length: int) -> Any:
    def check(value: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not base64url") from exc
        if len(raw) != length:
            raise ValueError(f"must decode to {length} bytes")
        return value

    return AfterValidator(check)


WebUrl = Annotated[str, Field(min_length=9, max_length=2000), AfterValidator(_web_url)]


class AlertChoice(StrEnum):
    FINAL_CALL = "final-call"
    """Steady alerts only (the standard plan's final call)."""
    ALL = "all"


class Channel(StrEnum):
    EMAIL = "email"
    PUSH = "push"


class PushKeys(ApiModel):
    p256dh: Annotated[str, Field(max_length=200, alias="p256dh"), _b64url_bytes(65)]
    auth: Annotated[str, Field(max_length=50), _b64url_bytes(16)]


class PushSubscription(ApiModel):
    """``PushSubscription.toJSON()`` as the browser gives it (expirationTime may be null)."""

    model_config = ApiModel.model_config | {"extra": "ignore"}
    endpoint: WebUrl
    keys: PushKeys
    expiration_time: Annotated[int, Field(ge=0, le=2**53)] | None = None


class PreferencesBody(ApiModel):
    channels: Annotated[list[Channel], Field(max_length=2)] = Field(default_factory=list)
    alerts: AlertChoice = AlertChoice.FINAL_CALL
    late_changes: bool = True


class Preferences(PreferencesBody):
    email: Annotated[str, Field(max_length=320)] = ""
    push_subscriptions: Annotated[list[PushSubscription], Field(max_length=5)] = Field(default_factory=list)


class WebhookBody(ApiModel):
    """A Teams or Slack incoming webhook (``url: null`` removes it); the admin says which,
    as each takes its own message format (:mod:`ghela_cloud.notify.chat`)."""

    url: WebUrl | None
    kind: ChatKind
    alerts: AlertChoice = AlertChoice.FINAL_CALL
    """Which alert starts the channel hears of (late changes always)."""


class PreferenceStore:
    """The prefs table: one item per Cognito user (``sub``), the preferences as JSON."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._ddb = dynamodb
        self._table = table

    def get(self, user: str) -> Preferences:
        found = self._ddb.get_item(TableName=self._table, Key={"user": {"S": user}}).get("Item")
        return _decode(found) or Preferences()

    def put(self, user: str, prefs: Preferences) -> None:
        self._ddb.put_item(
            TableName=self._table,
            Item={"user": {"S": user}, "prefs": {"S": prefs.model_dump_json(by_alias=False)}},
        )

    def everyone(self) -> list[tuple[str, Preferences]]:
        out: list[tuple[str, Preferences]] = []
        kwargs: dict[str, Any] = {"TableName": self._table}
        while True:
            page = self._ddb.scan(**kwargs)
            for item in page.get("Items", []):
                prefs = _decode(item)
                if prefs is not None:
                    out.append((item["user"]["S"], prefs))
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _decode(item: dict[str, Any] | None) -> Preferences | None:
    if not item or "prefs" not in item:
        return None
    try:
        return Preferences.model_validate(json.loads(item["prefs"]["S"]))
    except (ValidationError, ValueError, KeyError, TypeError, RecursionError):
        return None
