"""Optional shipping of a component's logs to CloudWatch Logs with watchtower.

Every component already logs JSON lines to stdout, which the nucleus keeps in its own log
files; this adds a copy in CloudWatch Logs, one log group per component, when the
component's configuration sets ``logGroup``. It must never hurt the component:

- nothing touches the network while the component starts: the handler is made without
  creating the log group, and a background thread creates it (with capped back-off);
- records wait in watchtower's queue and a watchtower thread sends them in batches; the
  queue and the batch are each capped at ``maxQueuedRecords``; records beyond that are
  dropped and the number dropped is logged once there is room again;
- every AWS call has short connect/read timeouts and few retries, and closing waits at most
  ``flushTimeoutSeconds``, so a dead or black-holed endpoint cannot hang shutdown;
- records of boto3/botocore/urllib3/watchtower themselves are not shipped (they are made by
  the sending thread and would feed back into the queue).

While CloudWatch Logs is unreachable, watchtower drops a batch after its retries; stdout
(and the nucleus's log files) still has every line.

A component opts in by having ``log_group`` (and optionally ``log_shipping`` and
``aws_endpoint_url``) in its configuration model: :func:`ghela.core.component.run_component`
wraps every starter with :func:`with_log_shipping`, which ships nothing while ``log_group``
is absent or empty.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ghela.core.awsclient import aws_client
from ghela.core.backoff import Backoff
from ghela.core.clock import Clock
from ghela.core.config import ComponentConfig
from ghela.core.logging import JsonFormatter
from ghela.core.nucleus import thing_name

log = logging.getLogger(__name__)

_OWN_LOGGERS = ("boto3", "botocore", "urllib3", "s3transfer", "watchtower", __name__)


class LogShippingSettings(BaseModel):
    """How logs are shipped once a log group is configured."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    level: Annotated[str, Field(pattern=r"^(?i:DEBUG|INFO|WARNING|ERROR|CRITICAL)$")] = "INFO"
    """Lowest level that is shipped (stdout keeps the component's own logLevel)."""
    stream_name: Annotated[str, Field(min_length=1, max_length=512)] = "{thing}"
    """Log stream; ``{thing}`` and ``{component}`` are replaced."""
    send_interval_seconds: Annotated[float, Field(ge=1, le=600)] = 10.0
    """Longest a record waits in the queue before its batch is sent."""
    max_queued_records: Annotated[int, Field(ge=10, le=100_000)] = 10_000
    """Records waiting beyond this are dropped (and the drop is logged) until there is room."""
    flush_timeout_seconds: Annotated[float, Field(ge=0.1, le=60)] = 5.0
    """Longest that stopping waits for queued records to be sent."""
    timeout_seconds: Annotated[float, Field(ge=0.1, le=60)] = 3.0
    """Connect and read timeout of each CloudWatch Logs call."""
    retention_days: Annotated[int, Field(ge=1, le=3653)] | None = None
    """Retention set on the log group when it is created (None = never expire)."""


def _not_own(record: logging.LogRecord) -> bool:
    return not record.name.startswith(_OWN_LOGGERS)


def _capped_handler_class() -> Callable[..., logging.Handler]:
    """watchtower's handler with a bounded queue (imported late: only shipping needs it)."""
    import watchtower

    class CappedCloudWatchLogHandler(watchtower.CloudWatchLogHandler):
        def __init__(self, *args: Any, max_queued: int, flush_timeout: float, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.max_queued = max_queued
            self.dropped = 0
            # watchtower's wait bound in flush() and close(); it declares the class default as
            # an int (30), but only ever passes it on as a float timeout.
            self.FLUSH_TIMEOUT = flush_timeout  # type: ignore[assignment]  # see above

        def queued(self) -> int:
            return sum(q.qsize() for q in self.queues.values())

        def emit(self, record: logging.LogRecord) -> None:
            if self.queued() >= self.max_queued:
                self.dropped += 1
                return
            if self.dropped:
                note = logging.LogRecord(
                    __name__, logging.WARNING, __file__, 0,
                    "%d log records were dropped while CloudWatch Logs was unreachable",
                    (self.dropped,), None,
                )
                self.dropped = 0
                super().emit(note)
            super().emit(record)

    return CappedCloudWatchLogHandler


class LogShipper:
    """One CloudWatch Logs handler on the root logger, and the thread that prepares its group."""

    def __init__(
        self,
        component: str,
        log_group: str,
        settings: LogShippingSettings,
        client: Any,
        thing: str | None = None,
    ) -> None:
        thing = thing_name(thing or "")
        self.log_group = log_group.format(component=component, thing=thing)
        self.stream = settings.stream_name.format(component=component, thing=thing)
        self._settings = settings
        self._client = client
        self._closed = threading.Event()
        self.ready = threading.Event()
        """Set once the log group exists (tests and diagnostics wait on it)."""
        self.handler = _capped_handler_class()(
            log_group_name=self.log_group,
            log_stream_name=self.stream,
            boto3_client=client,
            create_log_group=False,
            send_interval=settings.send_interval_seconds,
            # watchtower's thread holds up to one batch besides the queue: bound both.
            max_batch_count=min(settings.max_queued_records, 10_000),
            max_queued=settings.max_queued_records,
            flush_timeout=settings.flush_timeout_seconds,
        )
        self.handler.setFormatter(JsonFormatter(component))  # the same JSON lines as stdout
        self.handler.setLevel(settings.level.upper())
        self.handler.addFilter(_not_own)
        self._preparer = threading.Thread(target=self._prepare, name="logship-prepare", daemon=True)

    def start(self) -> LogShipper:
        logging.getLogger().addHandler(self.handler)
        self._preparer.start()
        return self

    def _prepare(self) -> None:
        """Create the log group (and its retention), retrying with capped back-off."""
        backoff = Backoff(initial=1.0, cap=300.0)
        while not self._closed.is_set():
            try:
                self._ensure_group()
            except Exception as exc:  # network down, throttled, credentials not there yet
                code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
                if code == "AccessDeniedException":
                    # A role that may not create groups: the group is expected to exist already.
                    log.warning("may not create log group %s, using it as is: %s", self.log_group, exc)
                else:
                    delay = backoff.next_delay()
                    log.warning("log group %s not ready, retrying in %.0f s: %s", self.log_group, delay, exc)
                    if self._closed.wait(delay):
                        return
                    continue
            self.ready.set()
            return

    def _ensure_group(self) -> None:
        with contextlib.suppress(self._client.exceptions.ResourceAlreadyExistsException):
            self._client.create_log_group(logGroupName=self.log_group)
        if self._settings.retention_days is not None:
            self._client.put_retention_policy(
                logGroupName=self.log_group, retentionInDays=self._settings.retention_days
            )

    def close(self) -> None:
        """Stop shipping: detach, then send what is queued, waiting at most the flush timeout."""
        self._closed.set()
        logging.getLogger().removeHandler(self.handler)
        self.handler.close()


def start_log_shipping(
    component: str,
    log_group: str,
    settings: LogShippingSettings | None = None,
    endpoint_url: str = "",
    thing: str | None = None,
) -> LogShipper:
    """Attach a shipper for ``component`` to the root logger and return it (close it on stop)."""
    settings = settings or LogShippingSettings()
    client = aws_client("logs", endpoint_url, settings.timeout_seconds, attempts=1)
    shipper = LogShipper(component, log_group, settings, client, thing).start()
    log.info("shipping logs to CloudWatch Logs group %s, stream %s", shipper.log_group, shipper.stream)
    return shipper


def from_config(component: str, config: ComponentConfig) -> LogShipper | None:
    """A started shipper when the configuration has a non-empty ``log_group``, else None."""
    log_group = getattr(config, "log_group", "")
    if not log_group:
        return None
    settings = getattr(config, "log_shipping", None) or LogShippingSettings()
    return start_log_shipping(component, log_group, settings, getattr(config, "aws_endpoint_url", ""))


class _ShippingService:
    def __init__(self, service: Any, shipper: LogShipper | None) -> None:
        self._service = service
        self._shipper = shipper

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def stop(self) -> None:
        try:
            self._service.stop()
        finally:
            if self._shipper is not None:
                self._shipper.close()


StartFunction = Callable[[Any, Any, Clock], Any]


def with_log_shipping(component: str, start: StartFunction) -> StartFunction:
    """Wrap a component's starter so its logs are shipped while the service runs.

    :func:`ghela.core.component.run_component` wraps every component's starter; a config
    model without ``log_group`` (or with it empty) ships nothing. Idempotent: wrapping an
    already wrapped starter returns it unchanged.
    """
    if getattr(start, "ships_logs", False):
        return start

    def starter(bus: Any, config: Any, clock: Clock) -> Any:
        shipper = from_config(component, config)
        try:
            service = start(bus, config, clock)
        except BaseException:
            if shipper is not None:
                shipper.close()
            raise
        return _ShippingService(service, shipper)

    starter.ships_logs = True  # type: ignore[attr-defined]  # a marker, read back by getattr above
    return starter
