"""What a Lambda handler module loads when the runtime imports it, and its Tracer.

GIVEN a fresh interpreter, WHEN it imports one function's handler module (what a cold start
runs before the first request), THEN nothing only some routes or other functions use is
loaded: no boto3 (clients are made on the first request), no X-Ray SDK (the Tracer is made
on the first call), no cryptography, py_vapid, pywebpush, requests, aiohttp or icalendar;
and of the device's message models (:mod:`ghela.core.messages`) only the topics its routes
read or take as bodies (a write route loads its command's model when first called).
``bench/api.py`` prints what the import costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from ghela_cloud.api import routing, tracing
from ghela_cloud.api.routing import FUNCTIONS

NEVER_AT_IMPORT = (
    "boto3",
    "botocore.client",
    "botocore.exceptions",
    "aws_xray_sdk",
    "cryptography",
    "py_vapid",
    "pywebpush",
    "requests",
    "aiohttp",
    "icalendar",
)
NOTIFY_HANDLERS = "ghela_cloud.notify.handlers"
MESSAGES = "ghela.core.messages"
MESSAGE_TOPICS: dict[str, set[str]] = {
    routing.EVENTS.name: {"changes", "snapshots"},  # the bodies; each command's model on its first write
    routing.DEVICE.name: {"snapshots", "health"},  # the next event; components' and scrapes' reports
    routing.CALENDAR_FEED.name: {"snapshots"},  # the events in the feed
}
"""The topics of the device's messages (:mod:`ghela.core.messages`) a function's routes use;
the others (jobs, metrics, the calendar feed's management, notify) load none of them."""


def _loaded_after_import(module: str, env: dict[str, str] | None = None) -> list[str]:
    code = (
        "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, module], capture_output=True, text=True, timeout=120, check=True, env=env
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def _heavy(loaded: list[str], allowed: tuple[str, ...] = ()) -> list[str]:
    return [
        name
        for name in loaded
        for heavy in NEVER_AT_IMPORT
        if heavy not in allowed and (name == heavy or name.startswith(heavy + "."))
    ]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_a_handler_module_loads_nothing_heavy_at_import(function: Any) -> None:
    module = function.handler.rsplit(".", 1)[0]
    assert _heavy(_loaded_after_import(module)) == []


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_a_handler_module_creates_only_the_message_topics_its_routes_use(function: Any) -> None:
    loaded = _loaded_after_import(function.handler.rsplit(".", 1)[0])
    topics = {name.removeprefix(MESSAGES + ".") for name in loaded if name.startswith(MESSAGES + ".")}
    assert topics == MESSAGE_TOPICS.get(function.name, set())
    assert (MESSAGES in loaded) == bool(topics)


def test_the_notify_functions_load_no_web_push_nor_calendar_at_import() -> None:
    # the sender loads pywebpush (and with it requests, aiohttp, cryptography) when it delivers
    assert _heavy(_loaded_after_import(NOTIFY_HANDLERS)) == []


def test_the_tracer_is_made_on_the_first_call_once_and_patches_only_botocore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aws_lambda_powertools

    made: list[tuple[str, tuple[str, ...]]] = []

    class RecordingTracer:
        def __init__(self, service: str, patch_modules: tuple[str, ...]) -> None:
            made.append((service, patch_modules))

        def capture_lambda_handler(self, handler: tracing.Handler) -> tracing.Handler:
            return lambda event, context: {"traced": handler(event, context)}

    monkeypatch.setattr(aws_lambda_powertools, "Tracer", RecordingTracer)
    handler = tracing.traced(lambda event, context: {"n": event["n"]})
    assert made == []
    assert handler({"n": 1}, None) == {"traced": {"n": 1}}
    assert handler({"n": 2}, None) == {"traced": {"n": 2}}
    assert made == [("ghela-api", ("botocore",))]


def test_in_lambda_the_first_call_traces_with_the_x_ray_sdk_patching_botocore_only() -> None:
    """Where powertools traces (LAMBDA_TASK_ROOT set, as in Lambda with ``Tracing: Active``),
    the real Tracer is made on the first call: the X-Ray SDK is loaded then, not before,
    and has patched botocore and nothing else."""
    code = (
        "import json, sys\n"
        "from ghela_cloud.api.tracing import traced\n"
        "handler = traced(lambda event, context: {'statusCode': 200})\n"
        "before = 'aws_xray_sdk' in sys.modules\n"
        "answer = handler({}, None)\n"
        "from aws_xray_sdk.core import patcher\n"
        "print(json.dumps([before, answer, sorted(patcher._PATCHED_MODULES)]))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_LAMBDA_FUNCTION_NAME": "ghela-EventsFunction",
        "AWS_REGION": "eu-west-1",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",  # no trace header outside a real invocation
        "POWERTOOLS_SERVICE_NAME": "ghela-api",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, env=env
    )
    before, answer, patched = json.loads(result.stdout.strip().splitlines()[-1])
    assert before is False
    assert answer == {"statusCode": 200}
    assert patched == ["botocore"]
