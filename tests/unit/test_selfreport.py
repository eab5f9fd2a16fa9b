"""A component's own health report (ghela.core.selfreport): its start count survives
restarts, a corrupt count file never stops it, and it answers CloudSync's request."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ghela.core import topics
from ghela.core.bus import Handler, InMemoryBus, Rejecter, Subscription
from ghela.core.clock import FrozenClock
from ghela.core.messages import Message
from ghela.core.messages.health import ComponentHealth, ComponentState, HealthRequest
from ghela.core.selfreport import HealthReporter, count_start
from hypothesis import given, settings
from hypothesis import strategies as st


def test_each_process_start_is_counted_in_the_work_folder(tmp_path: Path) -> None:
    path = tmp_path / "process-starts"
    assert [count_start(path) for _ in range(3)] == [1, 2, 3]
    assert path.read_text() == "3\n"


@settings(max_examples=60)
@given(st.binary(max_size=64))
def test_a_count_file_that_is_not_a_count_starts_again_at_one(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "process-starts"
        path.write_bytes(content)
        text = content.decode("ascii", errors="replace").strip()
        expected = int(text) + 1 if text.isdigit() and text.isascii() and int(text) < 10**9 else 1
        assert count_start(path) == expected


def test_huge_and_negative_counts_start_again_at_one(tmp_path: Path) -> None:
    path = tmp_path / "process-starts"
    for content in ("9" * 5000, "-4", "1e9", "1000000000"):
        path.write_text(content)
        assert count_start(path) == 1, content


def test_a_count_that_cannot_be_written_still_lets_the_component_run(tmp_path: Path) -> None:
    assert count_start(tmp_path / "missing-folder" / "process-starts") == 1


def test_the_reporter_says_running_answers_a_request_and_says_how_it_ended(clock: FrozenClock) -> None:
    bus = InMemoryBus()
    heard: list[ComponentHealth] = []
    bus.subscribe(topics.COMPONENT_HEALTH, lambda m: heard.append(m))  # type: ignore[arg-type]
    started = clock.now()
    reporter = HealthReporter(bus, "Scheduler", clock, starts=4, started_at=started).start()
    clock.advance(seconds=30)
    bus.publish(topics.HEALTH_REQUEST, HealthRequest())
    reporter.report(ComponentState.ERRORED)
    reporter.close()
    bus.publish(topics.HEALTH_REQUEST, HealthRequest())  # closed: no longer answers
    assert [(h.state, h.starts, h.started_at) for h in heard] == [
        (ComponentState.RUNNING, 4, started),
        (ComponentState.RUNNING, 4, started),
        (ComponentState.ERRORED, 4, started),
    ]
    assert heard[0].at == started and heard[1].at == clock.now()


def test_a_refused_subscription_and_a_refused_publish_leave_the_component_running(clock: FrozenClock) -> None:
    class RefusingBus(InMemoryBus):
        def subscribe(
            self, topic: str, handler: Handler, *, on_invalid: Rejecter | None = None
        ) -> Subscription:
            raise PermissionError(f"not authorized to subscribe to {topic}")

        def publish(self, topic: str, message: Message) -> None:
            raise PermissionError(f"not authorized to publish to {topic}")

    reporter = HealthReporter(RefusingBus(), "Scraper", clock, starts=1, started_at=clock.now()).start()
    reporter.report(ComponentState.STOPPING)
    reporter.close()
