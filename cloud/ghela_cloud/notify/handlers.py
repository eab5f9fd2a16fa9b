"""Lambda entry points: the planner (DynamoDB Streams) and the sender (schedules, planner)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from ghela_cloud.notify.messages import Notification, decode_notification
from ghela_cloud.notify.planner import plan_records
from ghela_cloud.notify.settings import NotifySettings
from ghela_cloud.notify.wiring import Notify

logger = Logger(service="ghela-notify")
_notify: Notify | None = None


def notify() -> Notify:
    global _notify
    if _notify is None:
        _notify = Notify(NotifySettings.from_env())
    return _notify


def _invoke_sender(notification: Notification) -> None:
    """A late change goes to the sender function at once (asynchronously)."""
    parts = notify()
    parts.client("lambda").invoke(
        FunctionName=parts.settings.sender_arn,
        InvocationType="Event",
        Payload=notification.model_dump_json().encode(),
    )


@logger.inject_lambda_context
def planner_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    parts = notify()
    records = event.get("Records") if isinstance(event, dict) else None
    result = plan_records(records or [], parts.schedules, _invoke_sender, parts.clock.now())
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in result.failed]}


@logger.inject_lambda_context
def sender_handler(event: Any, context: Any) -> dict[str, Any]:
    notification = decode_notification(event)
    if isinstance(notification, str):
        logger.warning("refusing a notification that does not decode: %s", notification)
        return {"sent": [], "rejected": notification}
    outbox = notify().sender.deliver(notification)
    logger.info("delivered", extra={"sent": outbox.sent, "skipped": outbox.skipped})
    return {"sent": outbox.sent, "skipped": outbox.skipped}
