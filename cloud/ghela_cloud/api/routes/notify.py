"""/notify: each user's notification choices and push subscriptions; the team's webhook (admins).

Bodies are hostile input (:mod:`ghela_cloud.notify.prefs`): anything that does not decode
is a 422 naming the field. The webhook URL goes to SSM Parameter Store as a SecureString
and is never returned (the answer says only whether one is set).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ForbiddenError
from aws_lambda_powertools.event_handler.openapi.params import Body

from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.models import ApiModel
from ghela_cloud.api.params import ServicesDep
from ghela_cloud.notify.prefs import (
    AlertChoice,
    Channel,
    Preferences,
    PreferencesBody,
    PushSubscription,
    WebhookBody,
)
from ghela_cloud.notify.secrets import application_server_key

router = Router()


class PreferencesView(ApiModel):
    channels: list[Channel]
    alerts: AlertChoice
    late_changes: bool
    email: str
    push_devices: int
    """How many browsers or phones of this user get Web Push."""
    vapid_public_key: str
    """The ``applicationServerKey`` for ``pushManager.subscribe``."""
    webhook_set: bool
    can_set_webhook: bool


class WebhookView(ApiModel):
    webhook_set: bool
    kind: str = ""


def _view(caller: CallerDep, services: ServicesDep) -> PreferencesView:
    parts = services.notify
    prefs = parts.prefs.get(caller.subject)
    return PreferencesView(
        channels=prefs.channels,
        alerts=prefs.alerts,
        late_changes=prefs.late_changes,
        email=prefs.email or _email(caller.name),
        push_devices=len(prefs.push_subscriptions),
        vapid_public_key=application_server_key(parts.secrets.vapid(create=True)),
        webhook_set=parts.secrets.webhook() is not None,
        can_set_webhook=caller.is_admin,
    )


def _change(
    caller: CallerDep, services: ServicesDep, update: Callable[[Preferences], dict[str, Any]]
) -> PreferencesView:
    """Read the caller's preferences, store them with ``update(current)`` applied, answer the view."""
    store = services.notify.prefs
    current = store.get(caller.subject)
    store.put(caller.subject, current.model_copy(update=update(current)))
    return _view(caller, services)


def _email(name: str) -> str:
    return name if "@" in name and len(name) <= 320 else ""


@router.get("/notify/preferences", summary="Your notification channels and choices")
def get_preferences(caller: CallerDep, services: ServicesDep) -> PreferencesView:
    return _view(caller, services)


@router.put("/notify/preferences", summary="Choose channels (email, push), which alerts, late changes")
def put_preferences(
    body: Annotated[PreferencesBody, Body()], caller: CallerDep, services: ServicesDep
) -> PreferencesView:
    return _change(
        caller,
        services,
        lambda current: {**body.model_dump(by_alias=False), "email": _email(caller.name) or current.email},
    )


@router.post("/notify/push-subscriptions", summary="Add this browser's Web Push subscription")
def add_push_subscription(
    body: Annotated[PushSubscription, Body()], caller: CallerDep, services: ServicesDep
) -> PreferencesView:

    def keep_last_five(current: Preferences) -> dict[str, Any]:
        others = [s for s in current.push_subscriptions if s.endpoint != body.endpoint]
        return {"push_subscriptions": [*others, body][-5:]}

    return _change(caller, services, keep_last_five)


@router.put("/notify/webhook", summary="Set or remove the team's Teams/Slack incoming webhook (admins)")
def put_webhook(
    body: Annotated[WebhookBody, Body()], caller: CallerDep, services: ServicesDep
) -> WebhookView:
    if not caller.is_admin:
        raise ForbiddenError("only administrators may set the team's webhook")
    services.notify.secrets.set_webhook(body)
    return WebhookView(webhook_set=body.url is not None, kind=body.kind if body.url else "")
