"""/jobs: what the device still has to do, and what it recently did (with reasons)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import ValidationError

from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.models import PENDING_STATES, JobList, JobView
from ghela_cloud.api.params import DeviceQuery, ServicesDep
from ghela_cloud.api.views import pick_device

router = Router()
log = Logger(service="ghela-api", child=True)


@router.get("/jobs", summary="Pending jobs and recently finished ones")
def list_jobs(
    caller: CallerDep,
    services: ServicesDep,
    device: DeviceQuery = None,
    hours: Annotated[
        int | None, Query(ge=1, le=24 * 30, description="How far back finished jobs are listed (hours)")
    ] = None,
) -> JobList:
    thing = pick_device(device, services)
    window = hours or services.settings.recent_jobs_hours
    since = services.clock.now() - timedelta(hours=window)
    pending: list[JobView] = []
    finished: list[JobView] = []
    for item in services.jobs.list_for_device(thing):
        view = _job_view(item)
        if view is None:
            continue
        if view.status in PENDING_STATES:
            pending.append(view)
        elif view.updated_at >= since:
            finished.append(view)
    finished.sort(key=lambda job: job.updated_at, reverse=True)
    return JobList(device=thing, pending=pending, finished=finished, hours=window)


def _job_view(item: dict[str, Any]) -> JobView | None:
    fields = dict(item)
    try:
        fields["document"] = json.loads(fields.get("document") or "{}")
        fields.setdefault("updated_at", fields.get("created_at"))
        fields.pop("expires_at", None)
        return JobView.model_validate(fields)
    except (ValueError, ValidationError) as exc:
        log.warning("skipping malformed job item %s: %s", item.get("job_id"), exc)
        return None
