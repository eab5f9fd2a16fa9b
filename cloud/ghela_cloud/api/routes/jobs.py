"""/jobs: what the device still has to do, and what it recently did (with reasons).

Stored rows are read back as the untrusted input they are (any writer of the table could
have put them there). A document that cannot be read (nested 5,000 levels deep, cut
short) is listed as ``{}`` with the row's status and reason, so a REJECTED job still
shows why; a row that cannot be read at all (a time outside 2000–2100, a wrong type) is
logged and left out. The others are listed either way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from ghela.core.decoding import read_json, validate
from ghela.core.errors import InvalidInput

from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.jobmodels import PENDING_STATES, JobList, JobView
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device

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
    job_id = str(item.get("job_id"))[:100]
    try:
        fields["document"] = read_json(str(fields.get("document") or "{}"), "stored job document")
        if not isinstance(fields["document"], dict):
            raise InvalidInput(f"stored job document is a {type(fields['document']).__name__}, not an object")
    except InvalidInput as exc:
        log.warning("job item %s: listing its document as {}: %s", job_id, exc)
        fields["document"] = {}
    try:
        fields.setdefault("updated_at", fields.get("created_at"))
        fields.pop("expires_at", None)
        return validate(JobView, fields, "stored job")
    except InvalidInput as exc:
        log.warning("skipping malformed job item %s: %s", job_id, exc)
        return None
