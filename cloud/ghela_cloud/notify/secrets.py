"""The channel secrets in SSM Parameter Store, as SecureString (never in the repo or template).

- the Teams/Slack webhook URL, which an admin sets through ``PUT /notify/webhook``;
- the VAPID private key (PEM), made on first use with ``Overwrite=False`` so two cold
  starts racing keep one key; its public half is the page's ``applicationServerKey``.

py_vapid and cryptography are imported where a key is used: the routes and the planner
that never touch one do not load them (``bench/api.py``, the notify function).
"""

from __future__ import annotations

import base64
import contextlib
from typing import TYPE_CHECKING, Any

from ghela_cloud.notify.prefs import WebhookBody

if TYPE_CHECKING:
    from py_vapid import Vapid


class Secrets:
    def __init__(self, ssm: Any, webhook_parameter: str, vapid_parameter: str) -> None:
        self._ssm = ssm
        self._webhook = webhook_parameter
        self._vapid = vapid_parameter

    def _get(self, name: str) -> str | None:
        try:
            value: str = self._ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
            return value
        except self._ssm.exceptions.ParameterNotFound:
            return None

    def webhook(self) -> WebhookBody | None:
        raw = self._get(self._webhook)
        if not raw:
            return None
        body = WebhookBody.model_validate_json(raw)
        return body if body.url else None

    def set_webhook(self, body: WebhookBody) -> None:
        if body.url is None:
            with contextlib.suppress(self._ssm.exceptions.ParameterNotFound):
                self._ssm.delete_parameter(Name=self._webhook)
            return
        self._ssm.put_parameter(
            Name=self._webhook, Value=body.model_dump_json(), Type="SecureString", Overwrite=True
        )

    def vapid(self, *, create: bool = False) -> Vapid:
        """The VAPID key; ``create`` (the API, when a page asks for the public key) makes it
        the first time. The sender only reads it (its role cannot write parameters)."""
        from py_vapid import Vapid

        pem = self._get(self._vapid)
        if pem is None and create:
            fresh = Vapid()
            fresh.generate_keys()
            with contextlib.suppress(self._ssm.exceptions.ParameterAlreadyExists):
                self._ssm.put_parameter(
                    Name=self._vapid, Value=fresh.private_pem().decode(), Type="SecureString", Overwrite=False
                )
            pem = self._get(self._vapid)
        if pem is None:
            raise LookupError(f"no VAPID key at {self._vapid}: no page has asked for push yet")
        return Vapid.from_pem(pem.encode())


def application_server_key(vapid: Vapid) -> str:
    """The public key as the Push API's ``applicationServerKey``: the uncompressed point, base64url."""
    from cryptography.hazmat.primitives import serialization

    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
