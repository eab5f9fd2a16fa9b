"""Writes: a validated command becomes an IoT job for the device and a row in the jobs table.

The events table is never written here; the device applies the job and syncs back.
The row is written first (QUEUED), so the device can never report on a job the table does
not know; if IoT then refuses the job, the row is marked FAILED with the reason and the
caller gets 502.
"""

from __future__ import annotations

import json
from datetime import timedelta

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from ghela.core.messages import Message

from ghela_cloud.api.auth import Caller
from ghela_cloud.api.commandbodies import Accepted
from ghela_cloud.api.services import Services

log = Logger(service="ghela-api", child=True)

FINISHED_JOB_TTL = timedelta(days=30)


def submit(command: Message, device: str, caller: Caller, services: Services) -> Accepted:
    # On the first write, not with the module: jobdocs brings every command model, and the
    # function's read routes never need botocore's exceptions.
    from botocore.exceptions import BotoCoreError, ClientError
    from ghela.core.jobdocs import job_document

    document = job_document(command)
    operation = document["operation"]
    job_id = services.settings.new_job_id()
    now = services.clock.now()
    services.jobs.record(
        {
            "job_id": job_id,
            "device": device,
            "operation": operation,
            "document": json.dumps(document, separators=(",", ":")),
            "requested_by": caller.name,
            "status": "QUEUED",
            "reason": "",
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        }
    )
    try:
        services.queue.create(
            job_id,
            services.settings.thing_arn(device),
            document,
            description=f"{operation} for {device} by {caller.name}",
        )
    except (ClientError, BotoCoreError) as exc:
        reason = f"IoT refused the job: {exc}"
        log.error("job %s for %s not created: %s", job_id, device, exc)
        expires = int((now + FINISHED_JOB_TTL).timestamp())
        services.jobs.mark_failed(device, job_id, reason[:2000], now, expires)
        raise ServiceError(502, "the job could not be created; try again") from None
    log.info("job %s (%s) queued for %s by %s", job_id, operation, device, caller.name)
    return Accepted(job_id=job_id, device=device, operation=operation)

