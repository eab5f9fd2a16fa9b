"""Deliver one notification: read the event as it is now, then e-mail, webhook and Web Push.

Every delivery (channel and recipient) is claimed in the ledger first, so a second delivery
of the same change sends nothing; a failed one is released and raised, so the retry sends
only what did not go out. An alert that was snoozed, silenced or cancelled since it was
planned, that has ended, or that moved to another start sends nothing (its schedule is
normally gone or moved already; the moved one's own notice comes at its new start).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ghela.core.messages.snapshots import EventSnapshot
from ghela.core.wiretypes import LightPattern
from pydantic import ValidationError
from pywebpush import WebPushException, webpush

from ghela_cloud.api.stores import EventStore
from ghela_cloud.notify.chat import chat_payload
from ghela_cloud.notify.ledger import Ledger
from ghela_cloud.notify.messages import Kind, Notification, render
from ghela_cloud.notify.planning import QUIET_STATES, will_light
from ghela_cloud.notify.prefs import AlertChoice, Channel, Preferences, PreferenceStore
from ghela_cloud.notify.secrets import Secrets

WEBHOOK_TIMEOUT_SECONDS = 5
PUSH_TTL_SECONDS = 3600
VAPID_SUBJECT = "mailto:alerts@ghelamco-alert.local"
VAPID_LIFETIME = 12 * 3600


@dataclass
class Outbox:
    """What one delivery sent (for the log and the tests)."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class Sender:
    events: EventStore
    prefs: PreferenceStore
    ledger: Ledger
    secrets: Secrets
    ses: Any
    mail_from: str
    zone: ZoneInfo
    now: Callable[[], datetime]
    post: Callable[[str, bytes], None] = field(default=lambda url, body: _post(url, body))

    def deliver(self, notification: Notification) -> Outbox:
        outbox = Outbox()
        event = self._current(notification)
        if event is None:
            outbox.skipped.append(f"{notification.key}: no longer due")
            return outbox
        title, text = render(notification, event, self.zone)
        deliveries: list[tuple[str, Callable[[], None]]] = []
        hook = self.secrets.webhook()
        if hook is not None and hook.url and _team_wants(hook.alerts, notification, event):
            url, kind = hook.url, hook.kind
            deliveries.append(("webhook", lambda: self.post(url, chat_payload(kind, title, text))))
        for user, prefs in self.prefs.everyone():
            if not _wants(prefs, notification, event):
                continue
            if Channel.EMAIL in prefs.channels and prefs.email:
                deliveries.append(
                    (f"email#{user}", _mail(self.ses, self.mail_from, prefs.email, title, text))
                )
            if Channel.PUSH in prefs.channels:
                for sub in prefs.push_subscriptions:
                    deliveries.append((f"push#{user}#{sub.endpoint[-40:]}", self._push(sub, title, text)))
        errors: list[Exception] = []
        for name, send in deliveries:
            key = f"{notification.key}#{name}"
            if not self.ledger.claim(key, self.now()):
                outbox.skipped.append(key)
                continue
            try:
                send()
            except Exception as exc:  # each channel's failure is released for the retry
                self.ledger.release(key)
                outbox.failed.append(f"{key}: {type(exc).__name__}: {exc}"[:300])
                errors.append(exc)
                continue
            outbox.sent.append(key)
        if errors:
            raise DeliveryFailed(outbox)
        return outbox

    def _current(self, notification: Notification) -> EventSnapshot | None:
        item = self.events.get_event(notification.device, notification.event_id)
        if item is None:
            return None
        try:
            event = EventSnapshot.model_validate(
                {k: v for k, v in item.items() if k in EventSnapshot.model_fields}
            )
        except ValidationError:
            return None
        if notification.kind is Kind.LATE_CHANGE:
            return None if event.state in QUIET_STATES else event
        alert = next((a for a in event.alerts if a.alert_id == notification.alert_id), None)
        if alert is None or alert.starts_at != notification.starts_at or self.now() >= alert.ends_at:
            return None
        return event if will_light(event, alert) else None

    def _push(self, sub: Any, title: str, text: str) -> Callable[[], None]:
        def send() -> None:
            try:
                webpush(
                    sub.model_dump(by_alias=True, exclude_none=True, mode="json"),
                    data=json.dumps({"title": title, "body": text}),
                    vapid_private_key=self.secrets.vapid(),
                    # exp from the injected clock (RFC 8292: at most 24 hours ahead)
                    vapid_claims={"sub": VAPID_SUBJECT, "exp": int(self.now().timestamp()) + VAPID_LIFETIME},
                    ttl=PUSH_TTL_SECONDS,
                    timeout=WEBHOOK_TIMEOUT_SECONDS,
                )
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else "no answer"
                raise RuntimeError(f"push service answered {status}: {exc}") from exc

        return send


class DeliveryFailed(Exception):
    def __init__(self, outbox: Outbox) -> None:
        super().__init__("; ".join(outbox.failed))
        self.outbox = outbox


def _is_final_call(event: EventSnapshot, alert_id: int | None) -> bool:
    return any(a.alert_id == alert_id and a.pattern is LightPattern.STEADY for a in event.alerts)


def _team_wants(choice: AlertChoice, notification: Notification, event: EventSnapshot) -> bool:
    """The channel hears of late changes, and of the alerts it chose (final calls by default)."""
    if notification.kind is Kind.LATE_CHANGE:
        return True
    return choice is AlertChoice.ALL or _is_final_call(event, notification.alert_id)


def _wants(prefs: Preferences, notification: Notification, event: EventSnapshot) -> bool:
    if notification.kind is Kind.LATE_CHANGE:
        return prefs.late_changes
    return prefs.alerts is AlertChoice.ALL or _is_final_call(event, notification.alert_id)


def _mail(ses: Any, source: str, to: str, title: str, text: str) -> Callable[[], None]:
    def send() -> None:
        ses.send_email(
            Source=source,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": title, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )

    return send


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read(1024)
