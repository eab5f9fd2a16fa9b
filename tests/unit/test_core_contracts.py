"""The shared contracts: message validation, job documents, topic matching, the clock."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ghela.core import componentnames, topics
from ghela.core.bus import InMemoryBus, parse_incoming, topic_matches
from ghela.core.clock import FrozenClock, as_utc, venue_zone
from ghela.core.config import ComponentConfig, load_config
from ghela.core.countedbus import CountedBus
from ghela.core.countoutbox import CountOutbox
from ghela.core.errors import ConfigurationError, InvalidInput
from ghela.core.jobdocs import job_document, parse_job_document
from ghela.core.messages.commands import CommandRequest, CreateEvent, SnoozeAlert
from ghela.core.messages.scrape import Fixture, ScrapeRequest
from ghela.core.messages.topicmodels import TOPIC_MODELS
from ghela.core.nucleus import REPORTABLE_STATES, thing_name
from ghela.core.nucleusenv import THING_NAME_ENV


def test_every_topic_has_a_model() -> None:
    names = [v for k, v in vars(topics).items() if k.isupper() and k != "PREFIX"]
    assert sorted(names) == sorted(TOPIC_MODELS)


def test_message_models_and_adapters_are_built_on_first_use_only() -> None:
    # A fresh process: the models this one's tests used are built already.
    code = (
        "from ghela.core import messages as m\n"
        "from ghela.core import jobdocs\n"
        "from ghela.core.messages.commands import SnoozeAlert\n"
        "def every(model):\n"
        "    for sub in model.__subclasses__():\n"
        "        yield sub\n"
        "        yield from every(sub)\n"
        "print(sum(model.__pydantic_complete__ for model in every(m.Message)))\n"
        "SnoozeAlert(alert_id=3)\n"
        "print(sorted(model.__name__ for model in every(m.Message) if model.__pydantic_complete__))\n"
        "print(jobdocs._COMMAND.pydantic_complete)\n"
        "jobdocs.parse_job_document({'operation': 'snoozeAlert', 'alertId': 3})\n"
        "print(jobdocs._COMMAND.pydantic_complete)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["0", "['SnoozeAlert']", "False", "True"]


FIRST_USES_AT_ONCE = """
import sys
import threading
from datetime import UTC, datetime
from ghela.core import jobdocs
from ghela.core.messages.commands import CommandRequest, SnoozeAlert
from ghela.core.messages.light import LightState
from ghela.core.wiretypes import LightPattern, new_id

sys.setswitchinterval(1e-6)  # switch threads as often as possible: without the lock, 2 runs in 3 fail
barrier = threading.Barrier(12)
failures = []

def first_use(index):
    barrier.wait()
    try:
        for _ in range(3):
            request = CommandRequest(command_id=new_id(), command=SnoozeAlert(alert_id=index + 1))
            assert CommandRequest.model_validate_json(request.model_dump_json()) == request
            state = LightState(on=bool(index % 2), pattern=LightPattern.STEADY, since=datetime.now(UTC))
            assert LightState.model_validate(state.model_dump()) == state
            command = jobdocs.parse_job_document({"operation": "unsnoozeAlert", "alertId": index + 1})
            assert command.alert_id == index + 1
    except Exception as exc:
        failures.append(repr(exc))

threads = [threading.Thread(target=first_use, args=(i,)) for i in range(12)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures)
"""


def test_twelve_threads_first_using_the_same_models_at_once_all_succeed() -> None:
    """No component builds its models before its threads start: the first build of each is
    under one lock (``ghela.core.firstbuild``), so threads racing for it all get a whole
    validator (pydantic #13419). Each process is fresh, so every round races the first build."""
    for _ in range(4):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_USES_AT_ONCE], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_times_are_normalised_to_utc_and_naive_times_refused() -> None:
    event = CreateEvent(title="Concert", start="2026-07-01T20:00:00+02:00")
    assert event.start == datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
    assert event.model_dump(mode="json")["start"] == "2026-07-01T18:00:00+00:00"
    with pytest.raises(ValueError, match="timezone"):
        CreateEvent(title="Concert", start="2026-07-01T20:00:00")


def test_fixture_needs_exactly_one_of_kickoff_or_date() -> None:
    base = {"key": "k", "home": "KAA Gent", "away": "Club Brugge", "competition": "Jupiler Pro League"}
    with pytest.raises(ValueError, match="exactly one"):
        Fixture(**base)
    assert Fixture(**base, date="2026-12-06").kickoff is None


def test_invalid_message_names_the_field_and_never_reaches_the_handler() -> None:
    invalid: list[tuple[str, str]] = []
    bus = InMemoryBus(on_invalid=lambda topic, reason: invalid.append((topic, reason)))
    got: list[object] = []
    bus.subscribe(topics.COMMAND, got.append)
    bad = '{"command_id": "c1", "command": {"op": "snooze_alert", "alert_id": "x"}}'
    bus.publish_raw(topics.COMMAND, bad)
    assert got == []
    assert invalid and "alert_id" in invalid[0][1]
    bus.publish(topics.COMMAND, CommandRequest(command_id="c2", command=SnoozeAlert(alert_id=3)))
    assert len(got) == 1


def test_publishing_the_wrong_model_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="carries CommandRequest"):
        InMemoryBus().publish(topics.COMMAND, ScrapeRequest())


def test_a_reconnect_reaches_callbacks_through_the_counted_bus(clock: FrozenClock, tmp_path: Path) -> None:
    inner = InMemoryBus()
    bus = CountedBus(inner, CountOutbox(tmp_path / "outbox.sqlite3", "CloudSync"), clock).start()
    try:
        reconnects: list[str] = []
        registration = bus.on_reconnect(lambda: reconnects.append("back"))
        inner.reconnect()
        assert reconnects == ["back"]
        registration.close()
        inner.reconnect()
        assert reconnects == ["back"]  # closed: no more calls
    finally:
        bus.close()


def test_parse_incoming_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="surprise"):
        parse_incoming(topics.SCRAPE_REQUEST, {"surprise": 1})


@pytest.mark.parametrize(
    ("topic_filter", "topic", "matches"),
    [
        ("$aws/things/pi/jobs/notify-next", "$aws/things/pi/jobs/notify-next", True),
        ("$aws/things/+/jobs/#", "$aws/things/pi/jobs/j1/update/accepted", True),
        ("$aws/things/+/jobs/+/update/accepted", "$aws/things/pi/jobs/j1/update/rejected", False),
        ("a/#", "a", True),
        ("a/+", "a/b/c", False),
        ("a/b", "a", False),
    ],
)
def test_mqtt_topic_matching(topic_filter: str, topic: str, matches: bool) -> None:
    assert topic_matches(topic_filter, topic) is matches


def test_job_documents_round_trip_and_accept_the_original_shape() -> None:
    command = SnoozeAlert(alert_id=31, minutes=30)
    document = job_document(command)
    assert document == {"operation": "snoozeAlert", "alertId": 31, "minutes": 30}
    assert parse_job_document(document) == command
    assert parse_job_document({"operation": "snoozeAlert", "local_alert_id": 31}) == SnoozeAlert(alert_id=31)
    assert isinstance(parse_job_document(b'{"operation": "scrapeNow"}'), ScrapeRequest)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        ({"alertId": 1}, "no operation"),
        ({"operation": "launchRocket"}, "unknown operation"),
        ({"operation": "snoozeAlert", "alertId": "many"}, "alert_id"),
        ({"operation": "createEvent", "title": "x" * 500, "start": "2026-01-01T00:00:00Z"}, "title"),
        (b"{" + b" " * 40_000 + b"}", "more than"),
    ],
)
def test_bad_job_documents_give_a_readable_reason(document: object, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_job_document(document)


def test_configuration_errors_name_the_key() -> None:
    class LightConfig(ComponentConfig):
        pin: int = 17

    assert load_config(LightConfig, {"pin": 27, "accessControl": {}}).pin == 27
    with pytest.raises(ConfigurationError, match="pin"):
        load_config(LightConfig, {"pin": "seventeen"})
    with pytest.raises(ConfigurationError, match="zone"):
        load_config(LightConfig, {"zone": "Mars/Olympus"})
    assert load_config(LightConfig, {"logLevel": "debug"}).log_level == "debug"
    with pytest.raises(ConfigurationError, match="logLevel"):
        load_config(LightConfig, {"logLevel": "LOUD"})


def test_frozen_clock_waits_return_when_time_is_advanced() -> None:
    clock = FrozenClock(datetime(2026, 3, 29, 0, 0, tzinfo=UTC))
    wake = threading.Event()
    deadline = clock.now() + timedelta(hours=1)
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(clock.wait(wake, deadline)))
    waiter.start()
    clock.advance(minutes=61)
    waiter.join(timeout=5)
    assert result == [False]
    wake.set()
    assert clock.wait(wake, None) is True


def test_naive_times_and_unknown_zones_are_refused() -> None:
    with pytest.raises(InvalidInput):
        as_utc(datetime(2026, 1, 1))
    with pytest.raises(InvalidInput, match="zone"):
        venue_zone("Nowhere/City")


def test_the_thing_name_is_configured_or_the_nucleus_s_and_never_guessed() -> None:
    assert thing_name("office-pi-1", {}) == "office-pi-1"
    assert thing_name("", {THING_NAME_ENV: "from-nucleus"}) == "from-nucleus"
    with pytest.raises(ConfigurationError, match=f"device is empty and {THING_NAME_ENV} is not set"):
        thing_name("", {}, setting="device")


def test_the_reportable_states_are_the_ipc_model_s() -> None:
    from awsiot.greengrasscoreipc.model import ReportedLifecycleState

    assert REPORTABLE_STATES == (ReportedLifecycleState.RUNNING, ReportedLifecycleState.ERRORED)


def test_the_component_names_are_the_recipes() -> None:
    import yaml

    recipes = Path(__file__).resolve().parents[2] / "recipes"
    named = {yaml.safe_load(path.read_text())["ComponentName"] for path in recipes.glob("*.yaml")}
    assert named == set(componentnames.ALL)
    assert all(name.startswith(componentnames.PREFIX) for name in named)
