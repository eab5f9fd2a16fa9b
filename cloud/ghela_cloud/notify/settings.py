"""What the notification functions are told through their environment (set by the template).

============================ ============================ ====================================
variable                     default                      meaning
============================ ============================ ====================================
GHELA_EVENTS_TABLE           ghela-events                 the events read copy (streamed)
GHELA_NOTIFY_PREFS_TABLE     ghela-notify-prefs           each user's channels and choices
GHELA_NOTIFY_SENT_TABLE      ghela-notify-sent            one item per delivery (idempotency)
GHELA_SCHEDULE_GROUP         ghela-alerts                 the EventBridge Scheduler group
GHELA_SENDER_ARN             ""                           the sender function (schedule target)
GHELA_SCHEDULER_ROLE_ARN     ""                           the role schedules invoke it with
GHELA_MAIL_FROM              alerts@ghelamco-alert.local  the SES-verified sender address
GHELA_SSM_PREFIX             /ghela/notify                SecureString parameters live below
GHELA_AWS_ENDPOINT_URL       "" (real AWS)                one endpoint for every call (moto)
============================ ============================ ====================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ghela_cloud import names


@dataclass(frozen=True)
class NotifySettings:
    events_table: str = "ghela-events"
    prefs_table: str = "ghela-notify-prefs"
    sent_table: str = "ghela-notify-sent"
    schedule_group: str = "ghela-alerts"
    sender_arn: str = ""
    scheduler_role_arn: str = ""
    mail_from: str = "alerts@ghelamco-alert.local"
    ssm_prefix: str = "/ghela/notify"
    aws_endpoint_url: str = ""
    region: str = names.DEFAULT_REGION

    @property
    def webhook_parameter(self) -> str:
        return f"{self.ssm_prefix}/webhook-url"

    @property
    def vapid_parameter(self) -> str:
        return f"{self.ssm_prefix}/vapid-private-key"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NotifySettings:
        env = os.environ if env is None else env
        return cls(
            events_table=env.get("GHELA_EVENTS_TABLE", cls.events_table),
            prefs_table=env.get("GHELA_NOTIFY_PREFS_TABLE", cls.prefs_table),
            sent_table=env.get("GHELA_NOTIFY_SENT_TABLE", cls.sent_table),
            schedule_group=env.get("GHELA_SCHEDULE_GROUP", cls.schedule_group),
            sender_arn=env.get("GHELA_SENDER_ARN", ""),
            scheduler_role_arn=env.get("GHELA_SCHEDULER_ROLE_ARN", ""),
            mail_from=env.get("GHELA_MAIL_FROM", cls.mail_from),
            ssm_prefix=env.get("GHELA_SSM_PREFIX", cls.ssm_prefix),
            aws_endpoint_url=env.get("GHELA_AWS_ENDPOINT_URL", ""),
            region=names.region_from(env),
        )
