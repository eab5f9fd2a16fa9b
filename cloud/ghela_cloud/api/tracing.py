"""X-Ray tracing of the API's Lambda handlers, with the X-Ray SDK loaded on the first call.

The template keeps ``Tracing: Active``; what changes is when the SDK loads and what it patches:

- powertools' ``Tracer()`` imports the X-Ray SDK even where it will not trace
  (``aws_lambda_powertools/tracing/tracer.py``: ``__build_config`` always calls
  ``_patch_xray_provider``), and the SDK's recorder builds a botocore X-Ray client as it is
  imported (``aws_xray_sdk/core/__init__.py`` → ``sampling/connector.py``): a third of a
  handler's cold import. So the Tracer is made on the handler's first call, once per
  container; powertools still decides whether it traces (``POWERTOOLS_TRACE_DISABLED``, off
  outside Lambda) and still annotates the first call as the cold start.
- without ``patch_modules`` it calls ``patch_all()``, which imports and patches every library
  the SDK knows that is installed (requests and aiohttp come with pywebpush, sqlite3,
  httplib, ...). The API's functions call out only through boto3, so only botocore is
  patched: each AWS call is still its own subsegment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

SERVICE = "ghela-api"
TRACED_MODULES = ("botocore",)
"""What the handlers make calls with (every AWS call goes through boto3)."""


def traced(handler: Handler) -> Handler:
    """``handler`` inside powertools' ``capture_lambda_handler``, its Tracer made on the first call."""

    @functools.cache
    def with_tracer() -> Handler:
        from aws_lambda_powertools import Tracer

        tracer = Tracer(service=SERVICE, patch_modules=TRACED_MODULES)
        wrapped: Handler = tracer.capture_lambda_handler(handler)
        return wrapped

    @functools.wraps(handler)
    def call(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return with_tracer()(event, context)

    return call
