"""CloudSync's configuration; the defaults are its recipe's DefaultConfiguration."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ghela.core import nucleus
from ghela.core.config import ComponentConfig

Seconds = Annotated[float, Field(gt=0, le=24 * 3600)]


class CloudSyncConfig(ComponentConfig):
    """What CloudSync needs to know; every key is camelCase in the recipe.

    ``thingName`` empty means "the core device's own thing", which the nucleus passes as
    ``AWS_IOT_THING_NAME``. ``statePath`` is relative to the component's work directory
    (the process's working directory under Greengrass).
    """

    thing_name: Annotated[str, Field(max_length=128)] = ""
    events_table: Annotated[str, Field(min_length=3, max_length=255)] = "ghela-events"
    jobs_table: Annotated[str, Field(min_length=3, max_length=255)] = "ghela-jobs"
    aws_endpoint_url: Annotated[str, Field(max_length=2000)] = ""
    command_timeout_seconds: Seconds = 30
    """How long to wait for the Scheduler's answer to a command or a changes request (the
    request is re-sent after 1, 2, 4 … s within that time)."""
    command_attempts: Annotated[int, Field(ge=1, le=10)] = 2
    """A job is FAILED after ``commandAttempts`` × ``commandTimeoutSeconds`` without an answer."""
    jobs_recheck_seconds: Seconds = 600
    """Ask IoT for the next job after this long without any job traffic (reconnect safety net)."""
    state_path: Annotated[str, Field(min_length=1, max_length=4096)] = "cloudsync-state.sqlite3"
    """SQLite file holding the synced revision and the outbox of undelivered job results."""
    batch_size: Annotated[int, Field(ge=1, le=25)] = 25
    """Event items per DynamoDB write request (25 is DynamoDB's cap for a batch)."""
    changes_page_size: Annotated[int, Field(ge=1, le=1000)] = 100
    """Events asked of the Scheduler per CHANGES request."""
    retry_initial_seconds: Seconds = 1
    retry_max_seconds: Seconds = 300
    """Backoff for an unreachable endpoint doubles from the initial delay up to this cap."""
    job_update_timeout_seconds: Seconds = 30
    """How long to wait for IoT's accepted/rejected answer to a job status update."""
    status_interval_seconds: Seconds = 300
    """How often the device status item's ``last_seen`` is refreshed."""
    status_min_gap_seconds: Seconds = 5
    """Light state changes are written to the status item at most this often."""
    job_record_ttl_days: Annotated[int, Field(ge=1, le=3650)] = 30
    """A finished job's row in the jobs table expires (DynamoDB TTL) after this many days."""

    @model_validator(mode="after")
    def _backoff_cap_above_start(self) -> CloudSyncConfig:
        if self.retry_max_seconds < self.retry_initial_seconds:
            raise ValueError("retryMaxSeconds must be at least retryInitialSeconds")
        return self

    def resolved_thing_name(self) -> str:
        """The thing this device is: ``thingName``, else the nucleus's AWS_IOT_THING_NAME."""
        return nucleus.thing_name(self.thing_name)
