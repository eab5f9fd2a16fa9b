"""The notification parts built from :class:`NotifySettings` and a boto3 session."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ghela.core.clock import Clock, SystemClock, venue_zone

from ghela_cloud.api.stores import EventStore
from ghela_cloud.notify.ledger import Ledger
from ghela_cloud.notify.prefs import PreferenceStore
from ghela_cloud.notify.schedules import Schedules, Target
from ghela_cloud.notify.secrets import Secrets
from ghela_cloud.notify.settings import NotifySettings

if TYPE_CHECKING:
    from ghela_cloud.notify.sender import Sender


@dataclass
class Notify:
    settings: NotifySettings
    clock: Clock = field(default_factory=SystemClock)
    session: Any = None

    def client(self, service: str) -> Any:
        if self.session is None:
            import boto3

            self.session = boto3.session.Session()
        return self.session.client(
            service, region_name=self.settings.region, endpoint_url=self.settings.aws_endpoint_url or None
        )

    @cached_property
    def _dynamodb(self) -> Any:
        return self.client("dynamodb")

    @cached_property
    def prefs(self) -> PreferenceStore:
        return PreferenceStore(self._dynamodb, self.settings.prefs_table)

    @cached_property
    def secrets(self) -> Secrets:
        return Secrets(self.client("ssm"), self.settings.webhook_parameter, self.settings.vapid_parameter)

    @cached_property
    def schedules(self) -> Schedules:
        target = Target(self.settings.sender_arn, self.settings.scheduler_role_arn)
        return Schedules(self.client("scheduler"), self.settings.schedule_group, target)

    @cached_property
    def sender(self) -> Sender:
        """Imported here: only the sender function delivers (pywebpush brings requests and aiohttp)."""
        from ghela_cloud.notify.sender import Sender

        return Sender(
            events=EventStore(self._dynamodb, self.settings.events_table),
            prefs=self.prefs,
            ledger=Ledger(self._dynamodb, self.settings.sent_table),
            secrets=self.secrets,
            ses=self.client("ses"),
            mail_from=self.settings.mail_from,
            zone=venue_zone(),
            now=self.clock.now,
        )
