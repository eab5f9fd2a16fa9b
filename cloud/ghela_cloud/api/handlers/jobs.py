"""Lambda entry point: The jobs overview: pending and recently finished jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from ghela_cloud.api.app import build_app
from ghela_cloud.api.routes import jobs
from ghela_cloud.api.tracing import traced

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext  # an annotation only

logger = Logger(service="ghela-api")
app = build_app(jobs.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@traced
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
