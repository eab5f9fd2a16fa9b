"""Bodies of the jobs route: what the device still has to do, and what it recently did.

Without ``from __future__ import annotations``: :mod:`ghela_cloud.api.models` says why.
"""

from enum import StrEnum
from typing import Any

from ghela.core.wiretypes import UtcDatetime

from ghela_cloud.api.models import ApiModel


class JobState(StrEnum):
    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"
    TIMED_OUT = "TIMED_OUT"


PENDING_STATES = frozenset({JobState.QUEUED, JobState.IN_PROGRESS})


class JobView(ApiModel):
    job_id: str
    device: str
    operation: str
    document: dict[str, Any]
    requested_by: str
    status: JobState
    reason: str = ""
    created_at: UtcDatetime
    updated_at: UtcDatetime


class JobList(ApiModel):
    device: str
    pending: list[JobView]
    finished: list[JobView]
    """Finished within the last ``hours``, newest first, with their reasons."""
    hours: int
