"""The Scheduler as a real process under the local Greengrass runtime, over real IPC."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ghela.core import topics
from ghela.core.messages import Message
from ghela.core.messages.commands import (
    CommandRequest,
    CommandResult,
    CommandStatus,
    CreateEvent,
    SnoozeAlert,
)
from ghela.core.messages.light import LightCommand

from tests.support.runtime import SCHEDULER, LocalRuntime


@pytest.mark.runtime
def test_commands_over_ipc_get_their_results(tmp_path: Path) -> None:
    db = tmp_path / "scheduler.db"
    with LocalRuntime(
        tmp_path, components=[SCHEDULER], config_overrides={SCHEDULER: {"dbPath": str(db)}}
    ) as rt:
        bus = rt.probe(publish=[topics.COMMAND], subscribe=[topics.COMMAND_RESULT, topics.LIGHT_SET])
        results: dict[str, CommandResult] = {}
        lights: list[LightCommand] = []
        changed = threading.Condition()

        def on_message(message: Message) -> None:
            with changed:
                if isinstance(message, CommandResult):
                    results[message.command_id] = message
                elif isinstance(message, LightCommand):
                    lights.append(message)
                changed.notify_all()

        bus.subscribe(topics.COMMAND_RESULT, on_message)
        bus.subscribe(topics.LIGHT_SET, on_message)
        rt.wait_for_state(SCHEDULER, "RUNNING")
        rt.wait_for_output(SCHEDULER, "Scheduler started")

        bus.publish(topics.COMMAND, CommandRequest(command_id="ipc-1", command=SnoozeAlert(alert_id=31)))
        # The process runs on the real clock, so "the future" is the real one.
        start = datetime.now(UTC) + timedelta(days=2)
        bus.publish(
            topics.COMMAND,
            CommandRequest(command_id="ipc-2", command=CreateEvent(title="Gig", start=start)),
        )
        with changed:
            done = changed.wait_for(lambda: {"ipc-1", "ipc-2"} <= set(results) and lights, timeout=20)
        assert done, rt.log(SCHEDULER)[-3000:]
        rejected, applied = results["ipc-1"], results["ipc-2"]
        assert (rejected.status, rejected.field, rejected.message) == (
            CommandStatus.REJECTED,
            "alert_id",
            "alert 31 does not exist",
        )
        assert applied.status is CommandStatus.APPLIED and applied.revision == 1
        assert lights[-1].next_alert_at == start - timedelta(hours=6)
        assert db.exists()
