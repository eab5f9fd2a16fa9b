"""The API, the CLI and the Scheduler refuse the same bad commands with the same words.

Each rule lives once, on the core command models (:mod:`ghela.core.rules`). GIVEN one bad
change, written as each side takes it (an HTTP body in camelCase, ``ghela`` arguments, a
command message on the Scheduler's topic), THEN the API answers 422, the CLI exits 1 and
the Scheduler answers ``rejected``, and all three give the rule's reason.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ghela.cli import main
from ghela.core import rules, topics
from ghela.core.bus import InMemoryBus
from ghela.core.clock import FrozenClock
from ghela.core.messages.commands import CommandResult, CommandStatus
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.service import SchedulerService
from ghela.scheduler.store import Store
from ghela_cloud.local.lambda_events import LocalLambdaContext, match_route

from tests.cloud.conftest import Device, concert, game, load_event

pytestmark = pytest.mark.moto

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = "2030-06-01T15:00:00+02:00"


@dataclass(frozen=True)
class BadChange:
    """One bad change as the API, the CLI and the Scheduler's command topic take it."""

    api: tuple[str, dict[str, Any]]
    """A recorded API event's name and the body to send with it."""
    cli: list[str]
    scheduler: dict[str, Any]
    reason: str


BAD_CHANGES = {
    "an alert moved by offset and time": BadChange(
        ("update_alert", {"offsetMinutes": -5, "at": LATER}),
        ["alert", "update", "1", "--offset", "-5", "--at", LATER],
        {"op": "update_alert", "alert_id": 1, "offset_minutes": -5, "at": LATER},
        rules.ONE_TIME_NOT_BOTH,
    ),
    "an alert change that changes nothing": BadChange(
        ("update_alert", {}),
        ["alert", "update", "1"],
        {"op": "update_alert", "alert_id": 1},
        rules.NOTHING_TO_UPDATE_ALERT,
    ),
    "an alert changed to off": BadChange(
        ("update_alert", {"pattern": "off"}),
        ["alert", "update", "1", "--pattern", "off"],
        {"op": "update_alert", "alert_id": 1, "pattern": "off"},
        rules.STEADY_OR_BLINK,
    ),
    "a new alert that is off": BadChange(
        ("add_alert", {"offsetMinutes": -30, "pattern": "off"}),
        ["alert", "add", "1", "--offset", "-30", "--pattern", "off"],
        {"op": "add_alert", "event_id": 1, "alert": {"offset_minutes": -30, "pattern": "off"}},
        rules.STEADY_OR_BLINK,
    ),
    "a new alert at an offset and a time": BadChange(
        ("add_alert", {"offsetMinutes": -30, "at": LATER}),
        ["alert", "add", "1", "--offset", "-30", "--at", LATER],
        {"op": "add_alert", "event_id": 1, "alert": {"offset_minutes": -30, "at": LATER}},
        rules.ONE_TIME_NOT_BOTH,
    ),
    "a new alert with neither offset nor time": BadChange(
        ("add_alert", {"durationMinutes": 10}),
        ["alert", "add", "1", "--duration", "10"],
        {"op": "add_alert", "event_id": 1, "alert": {"duration_minutes": 10}},
        rules.ONE_TIME_NEEDED,
    ),
    "an event change that changes nothing": BadChange(
        ("update_event", {}),
        ["event", "update", "1"],
        {"op": "update_event", "event_id": 1},
        rules.NOTHING_TO_UPDATE_EVENT,
    ),
    "a new event that ends before it starts": BadChange(
        ("create_event", {"title": "Concert", "start": LATER, "end": "2030-06-01T14:00:00+02:00"}),
        ["event", "add", "--title", "Concert", "--start", LATER, "--end", "2030-06-01T14:00:00+02:00"],
        {"op": "create_event", "title": "Concert", "start": LATER, "end": "2030-06-01T14:00:00+02:00"},
        rules.END_AFTER_START,
    ),
}


def api_refusal(name: str, body: dict[str, Any]) -> tuple[int, str]:
    """The status and first field message of the API's answer to ``body`` on a recorded route."""
    event = copy.deepcopy(load_event(name))
    event["body"] = json.dumps(body)
    route = match_route(event["requestContext"]["http"]["method"], event["rawPath"])
    assert route is not None
    module, attribute = route.function.handler.rsplit(".", 1)
    handler = getattr(importlib.import_module(module), attribute)
    answer = handler(event, LocalLambdaContext(route.function.name))
    errors = json.loads(answer["body"])["errors"]
    return answer["statusCode"], errors[0]["message"] if errors else ""


@pytest.fixture
def database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A Scheduler database for the CLI (the demo's events and alerts)."""
    path = str(tmp_path / "cli.db")
    main(["db", "demo", "--db", path])
    capsys.readouterr()
    return path


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[InMemoryBus]:
    bus = InMemoryBus()
    config = SchedulerConfig(db_path=str(tmp_path / "ghela.db"))
    service = SchedulerService(bus, config, FrozenClock(NOW), Store(config.db_path)).start()
    yield bus
    service.stop()


def scheduler_refusal(bus: InMemoryBus, command: dict[str, Any], command_id: str) -> CommandResult:
    bus.publish_raw(topics.COMMAND, json.dumps({"command_id": command_id, "command": command}))
    [answer] = [
        message
        for topic, message in list(bus.published)
        if topic == topics.COMMAND_RESULT and isinstance(message, CommandResult)
        if message.command_id == command_id
    ]
    return answer


@pytest.mark.parametrize("case", BAD_CHANGES, ids=list(BAD_CHANGES))
def test_api_cli_and_scheduler_refuse_with_the_same_reason(
    device: Device,
    database: str,
    scheduler: InMemoryBus,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    bad = BAD_CHANGES[case]
    device.put_event(game())
    device.put_event(concert())

    status, api_reason = api_refusal(*bad.api)
    assert (status, api_reason) == (422, bad.reason)
    assert device.jobs() == []

    code = main([*bad.cli, "--db", database])
    _, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("ghela: error: ") and err.rstrip().endswith(bad.reason), err

    answer = scheduler_refusal(scheduler, bad.scheduler, "bad-1")
    assert answer.status is CommandStatus.REJECTED
    assert answer.message.endswith(bad.reason), answer.message
