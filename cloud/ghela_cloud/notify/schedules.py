"""One EventBridge Scheduler schedule per alert, in the project's schedule group.

Each is a one-time ``at(...)`` schedule in UTC whose target is the sender function with
the :class:`~ghela_cloud.notify.messages.Notification` as input; it deletes itself after it
fired (``ActionAfterCompletion: DELETE``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ghela_cloud.notify.messages import Notification


@dataclass(frozen=True)
class Target:
    sender_arn: str
    role_arn: str
    """The role EventBridge Scheduler assumes to invoke the sender (lambda:InvokeFunction only)."""


def at_expression(moment: datetime) -> str:
    return f"at({moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S})"


class Schedules:
    def __init__(self, scheduler: Any, group: str, target: Target) -> None:
        self._scheduler = scheduler
        self._group = group
        self._target = target

    def put(self, name: str, at: datetime, notification: Notification) -> None:
        """Create the schedule, or update it when it exists (a moved alert)."""
        request = {
            "Name": name,
            "GroupName": self._group,
            "ScheduleExpression": at_expression(at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": self._target.sender_arn,
                "RoleArn": self._target.role_arn,
                "Input": notification.model_dump_json(),
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            },
        }
        try:
            self._scheduler.create_schedule(**request)
        except self._scheduler.exceptions.ConflictException:
            self._scheduler.update_schedule(**request)

    def delete(self, name: str) -> None:
        with contextlib.suppress(self._scheduler.exceptions.ResourceNotFoundException):
            self._scheduler.delete_schedule(Name=name, GroupName=self._group)

    def names(self) -> list[str]:
        return list(self.modified())

    def modified(self) -> dict[str, Any]:
        """Each schedule of the group by name, with when it was last modified (ListSchedules'
        ``LastModificationDate``: a schedule created again or updated has a new one)."""
        out: dict[str, Any] = {}
        kwargs: dict[str, Any] = {"GroupName": self._group}
        while True:
            page = self._scheduler.list_schedules(**kwargs)
            out.update((s["Name"], s.get("LastModificationDate")) for s in page.get("Schedules", []))
            if not page.get("NextToken"):
                return out
            kwargs["NextToken"] = page["NextToken"]

    def get(self, name: str) -> dict[str, Any]:
        schedule: dict[str, Any] = self._scheduler.get_schedule(Name=name, GroupName=self._group)
        return schedule
