"""The API's dependencies, built once per Lambda container and injected with ``Depends``.

A route asks for :func:`get_services` or :func:`get_clock`; in AWS they are built from the
environment on the first request (not at import, so a cold start pays only for the
clients a function uses). Tests hand in their own with :func:`configure`; the local
server with :func:`use_services` around each request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ghela.core.awsclient import without_pyopenssl
from ghela.core.clock import Clock, SystemClock

from ghela_cloud.api.settings import Settings
from ghela_cloud.api.stores import EventStore, JobQueue, JobStore, MetricsSource

if TYPE_CHECKING:
    from ghela_cloud.api.feedtokens import FeedTokenStore
    from ghela_cloud.notify.wiring import Notify


@dataclass
class Services:
    """The AWS-facing objects of one process, created on first use."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    session: Any = None
    """A boto3 session (default: a new one from the default credential chain)."""

    def _client(self, service: str) -> Any:
        if self.session is None:
            without_pyopenssl()
            import boto3  # imported on first use: keeps the handler's cold import small

            self.session = boto3.session.Session()
        return self.session.client(
            service,
            region_name=self.settings.region,
            endpoint_url=self.settings.aws_endpoint_url or None,
        )

    @cached_property
    def _dynamodb(self) -> Any:
        return self._client("dynamodb")

    @cached_property
    def events(self) -> EventStore:
        return EventStore(self._dynamodb, self.settings.events_table)

    @cached_property
    def jobs(self) -> JobStore:
        return JobStore(self._dynamodb, self.settings.jobs_table)

    @cached_property
    def feed_tokens(self) -> FeedTokenStore:
        """The calendar feeds' tokens (only the two calendar functions use them)."""
        from ghela_cloud.api.feedtokens import FeedTokenStore

        return FeedTokenStore(self._dynamodb, self.settings.feeds_table)

    @cached_property
    def queue(self) -> JobQueue:
        return JobQueue(self._client("iot"))

    @cached_property
    def notify(self) -> Notify:
        """The notification stores and secrets (preferences, webhook, VAPID key)."""
        from ghela_cloud.notify.settings import NotifySettings
        from ghela_cloud.notify.wiring import Notify

        return Notify(NotifySettings.from_env(), self.clock, self.session)

    @cached_property
    def metrics(self) -> MetricsSource:
        return MetricsSource(self._client("cloudwatch"))


_configured: Services | None = None
_in_context: ContextVar[Services | None] = ContextVar("ghela_api_services", default=None)


def configure(services: Services | None) -> None:
    """Use ``services`` for every request in this process (``None``: back to the environment)."""
    global _configured
    _configured = services


@contextmanager
def use_services(services: Services) -> Iterator[None]:
    """Use ``services`` for the requests handled inside this block, in this thread only
    (several local servers in one process each keep their own)."""
    token = _in_context.set(services)
    try:
        yield
    finally:
        _in_context.reset(token)


def get_services() -> Services:
    global _configured
    chosen = _in_context.get()
    if chosen is not None:
        return chosen
    if _configured is None:
        _configured = Services(Settings.from_env())
    return _configured


def get_clock() -> Clock:
    return get_services().clock
