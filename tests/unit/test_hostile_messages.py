"""No input breaks the shared decode path: IPC messages, job documents, configuration.

Property tests (Hypothesis) plant hostile values (tests/support/hostile.py) in valid
messages of every topic, in job documents and in every component's configuration, and
throw whole hostile bodies at them. Each must end in the boundary's own rejection, whose
reason is short, readable and names the field, or in a valid message — never in another
exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from ghela.cloudsync.config import CloudSyncConfig
from ghela.core import topics
from ghela.core.bus import InMemoryBus, InvalidMessage, parse_incoming
from ghela.core.config import ComponentConfig, load_config
from ghela.core.decoding import WHOLE, read_json, read_json_cut
from ghela.core.errors import ConfigurationError, InvalidInput
from ghela.core.jobdocs import parse_job_document
from ghela.core.messages import Message
from ghela.core.messages.commands import CommandRequest, CommandResult, CommandStatus, CreateEvent
from ghela.core.messages.counted import Activity, ActivityKind, Counted, JobOutcome, JobStatus
from ghela.core.messages.health import ComponentHealth, ComponentState, HealthRequest
from ghela.core.messages.light import LightCommand, LightCommandRequest, LightState, LightStateRequest
from ghela.core.messages.scrape import Fixture, ScrapeRequest, ScrapeResult
from ghela.core.messages.snapshots import (
    AlertSnapshot,
    ChangesRequest,
    ChangesResponse,
    EventKind,
    EventSnapshot,
    EventState,
    RevisionChanged,
)
from ghela.core.messages.topicmodels import TOPIC_MODELS
from ghela.core.wiretypes import LightPattern
from ghela.light.config import LightConfig
from ghela.metrics.config import MetricsConfig
from ghela.scheduler.config import SchedulerConfig
from ghela.scraper.config import ScraperConfig
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.alias_generators import to_snake

from tests.support import hostile

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOSTILE = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
"""Examples per property; the counts are summed up in the README's test section."""

FIXTURE = Fixture(key="k", home="KAA Gent", away="Club Brugge", competition="JPL", kickoff=AT)
EXAMPLES: dict[str, Message] = {
    topics.SCRAPE_REQUEST: ScrapeRequest(request_id="r1", source="kaagent.be"),
    topics.SCRAPE_RESULT: ScrapeResult(
        scrape_id="s1", source="kaagent.be", scraped_at=AT, fixtures=[FIXTURE], healthy=True, complete=True
    ),
    topics.COMMAND: CommandRequest(
        command_id="c1", command=CreateEvent(title="Concert", start=AT, end=AT.replace(hour=14))
    ),
    topics.COMMAND_RESULT: CommandResult(command_id="c1", status=CommandStatus.APPLIED, data={"event_id": 1}),
    topics.STATE_CHANGED: RevisionChanged(revision=3, at=AT),
    topics.CHANGES_REQUEST: ChangesRequest(request_id="q1", since_revision=2),
    topics.CHANGES: ChangesResponse(
        request_id="q1",
        since_revision=2,
        revision=3,
        events=[
            EventSnapshot(
                event_id=1,
                kind=EventKind.GAME,
                key="k",
                title="KAA Gent - Club Brugge",
                start=AT,
                state=EventState.SCHEDULED,
                revision=3,
                alerts=[
                    AlertSnapshot(alert_id=4, starts_at=AT, ends_at=AT, pattern=LightPattern.STEADY)
                ],
            )
        ],
    ),
    topics.ACTIVITY: Activity(kind=ActivityKind.SCRAPE_OK, at=AT, component="Scraper"),
    topics.LIGHT_SET: LightCommand(pattern=LightPattern.BLINK, until=AT, issued_at=AT, alert_ids=[4]),
    topics.LIGHT_STATE: LightState(on=True, pattern=LightPattern.BLINK, since=AT, until=AT),
    topics.LIGHT_STATE_REQUEST: LightStateRequest(request_id="l1"),
    topics.JOB_OUTCOME: JobOutcome(job_id="j1", operation="snoozeAlert", status=JobStatus.SUCCEEDED, at=AT),
    topics.LIGHT_SET_REQUEST: LightCommandRequest(request_id="r2"),
    topics.COUNTED: Counted(sender="Scheduler", seq=7),
    topics.COMPONENT_HEALTH: ComponentHealth(
        component="Scheduler", state=ComponentState.RUNNING, starts=2, started_at=AT, at=AT
    ),
    topics.HEALTH_REQUEST: HealthRequest(request_id="r3"),
}
WIRE = {topic: message.model_dump(mode="json") for topic, message in EXAMPLES.items()}
NESTED = {  # one nested part per topic that has one, to plant values deeper down
    topics.SCRAPE_RESULT: "fixtures",
    topics.COMMAND: "command",
    topics.CHANGES: "events",
}


def _planted_in_message(topic: str) -> st.SearchStrategy[Case]:
    return st.tuples(st.just(topic), hostile.with_hostile_field(WIRE[topic]))


def assert_clean(exc: InvalidInput, field: str | None, same: Callable[[str], str] = str) -> None:
    """A rejection a person can read, naming ``field`` (or the input as a whole; None: any field).

    ``same`` maps both names before comparing (job documents are camelCase, models snake_case).
    """
    reason = str(exc)
    assert reason and len(reason) < 3000, reason[:300]
    assert "Traceback" not in reason
    assert exc.field is not None
    if field is not None:
        named = exc.field.split(".")[0]
        assert exc.field == WHOLE or same(named) == same(field), (exc.field, field, reason[:300])


def test_every_topic_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(TOPIC_MODELS)
    for topic, wire in WIRE.items():
        assert parse_incoming(topic, wire) == EXAMPLES[topic]


Case = tuple[str, tuple[dict[str, Any], str, Any]]
"""(topic, (payload, the field planted, its hostile value))."""


@HOSTILE
@given(st.sampled_from(sorted(WIRE)).flatmap(_planted_in_message))
def test_a_hostile_field_in_any_message_is_refused_naming_it(case: Case) -> None:
    topic, (payload, field, value) = case
    for form in (payload, hostile_wire(payload, field, value)):
        try:
            parse_incoming(topic, form)
        except InvalidMessage as exc:
            assert exc.topic == topic
            assert_clean(exc, field)


@HOSTILE
@given(
    st.sampled_from(sorted(NESTED)).flatmap(
        lambda t: st.tuples(st.just(t), hostile.with_hostile_field(_inner(WIRE[t][NESTED[t]])))
    )
)
def test_a_hostile_field_deeper_down_is_refused_naming_its_parent(case: Case) -> None:
    topic, (inner, _, _) = case
    part = NESTED[topic]
    payload = {**WIRE[topic], part: [inner] if isinstance(WIRE[topic][part], list) else inner}
    try:
        parse_incoming(topic, payload)
    except InvalidMessage as exc:
        assert_clean(exc, part)


@HOSTILE
@given(st.sampled_from(sorted(WIRE)), hostile.raw_bodies())
def test_a_hostile_body_on_any_topic_is_refused(topic: str, body: bytes) -> None:
    for form in (body, body.decode("utf-8", "surrogateescape")):
        try:
            parse_incoming(topic, form)
        except InvalidMessage as exc:
            assert_clean(exc, None)
        else:  # b"{}" is a whole valid LightStateRequest: only a JSON object may pass
            assert isinstance(json.loads(body), dict)


@pytest.mark.parametrize("instant", hostile.POISON_INSTANTS)
@pytest.mark.parametrize("topic", [topics.ACTIVITY, topics.STATE_CHANGED, topics.JOB_OUTCOME])
def test_instants_outside_2000_to_2100_are_refused_naming_the_field(topic: str, instant: str) -> None:
    with pytest.raises(InvalidMessage, match="at") as caught:
        parse_incoming(topic, {**WIRE[topic], "at": instant})
    assert caught.value.field == "at"


def test_the_edges_of_the_range_are_kept() -> None:
    for instant in ("2000-01-01T00:00:00Z", "2100-12-31T23:59:59Z", "2000-01-01T01:00:00+01:00"):
        parse_incoming(topics.ACTIVITY, {**WIRE[topics.ACTIVITY], "at": instant})


@HOSTILE
@given(st.lists(st.one_of(hostile.raw_bodies(), st.just(b"")), min_size=1, max_size=5))
def test_the_in_memory_bus_counts_every_invalid_message_and_never_calls_the_handler(
    bodies: list[bytes],
) -> None:
    invalid: list[tuple[str, str]] = []
    answered: list[InvalidMessage] = []
    got: list[Message] = []
    bus = InMemoryBus(on_invalid=lambda topic, reason: invalid.append((topic, reason)))
    bus.subscribe(topics.ACTIVITY, got.append, on_invalid=answered.append)
    for body in bodies:
        bus.publish_raw(topics.ACTIVITY, body)
    assert got == [] and len(invalid) == len(bodies) == len(answered)
    assert {topic for topic, _ in invalid} == {topics.ACTIVITY}


# --------------------------------------------------------------------------- job documents

DOCUMENTS: dict[str, dict[str, Any]] = {
    "createEvent": {"operation": "createEvent", "title": "Concert", "start": "2026-12-01T20:00:00+01:00"},
    "snoozeAlert": {"operation": "snoozeAlert", "alertId": 31, "minutes": 30},
    "updateAlert": {"operation": "updateAlert", "alertId": 31, "at": "2026-12-01T18:00:00Z"},
    "scrapeNow": {"operation": "scrapeNow", "source": "kaagent.be"},
}


@HOSTILE
@given(st.sampled_from(sorted(DOCUMENTS)).flatmap(lambda op: hostile.with_hostile_field(DOCUMENTS[op])))
def test_a_hostile_field_in_a_job_document_is_refused_naming_it(
    case: tuple[dict[str, Any], str, Any],
) -> None:
    document, field, value = case
    for form in (document, hostile_wire(document, field, value).encode()):
        try:
            parse_job_document(form)
        except InvalidInput as exc:
            assert_clean(exc, field, same=lambda name: to_snake(name).removeprefix("local_"))


@HOSTILE
@given(st.one_of(hostile.raw_bodies(), hostile.values()))
def test_a_hostile_job_document_is_refused(document: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_job_document(document)
    assert_clean(caught.value, None)


@pytest.mark.parametrize("instant", hostile.POISON_INSTANTS)
def test_the_poison_create_event_is_refused_naming_start(instant: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_job_document({**DOCUMENTS["createEvent"], "start": instant})
    assert caught.value.field == "start"


def test_a_job_envelope_around_a_too_deep_document_still_gives_its_job_id() -> None:
    envelope = '{"execution": {"jobId": "j-deep", "jobDocument": ' + hostile.deep_json() + "}}"
    with pytest.raises(InvalidInput, match="nested too deeply"):
        read_json(envelope, "message")
    body, cut = read_json_cut(envelope, "message")
    assert cut and body["execution"]["jobId"] == "j-deep"
    assert read_json_cut('{"a": "[[[{{{", "b": [1]}', "message") == ({"a": "[[[{{{", "b": [1]}, False)


# --------------------------------------------------------------------------- configuration

CONFIGS: list[type[ComponentConfig]] = [
    ScraperConfig, SchedulerConfig, LightConfig, CloudSyncConfig, MetricsConfig,
]


@HOSTILE
@given(
    st.sampled_from(CONFIGS).flatmap(
        lambda model: st.tuples(
            st.just(model), hostile.with_hostile_field(model().model_dump(by_alias=True, mode="json"))
        )
    )
)
def test_a_hostile_configuration_value_is_a_configuration_error_naming_the_key(
    case: tuple[type[ComponentConfig], tuple[dict[str, Any], str, Any]],
) -> None:
    model, (raw, key, _) = case
    try:
        load_config(model, raw)
    except ConfigurationError as exc:
        reason = str(exc)
        assert len(reason) < 3000 and (key in reason or "(message)" in reason), reason[:300]


@pytest.mark.parametrize("raw", [[], "x", 5, hostile.deep_dict()])
def test_a_configuration_that_is_not_a_mapping_is_refused(raw: Any) -> None:
    with pytest.raises(ConfigurationError):
        load_config(LightConfig, raw)


# --------------------------------------------------------------------------- helpers


def hostile_wire(payload: dict[str, Any], field: str, value: Any) -> str:
    """``payload`` as JSON text with ``value`` spliced in by hand where json cannot write it."""
    marker = "__HOSTILE__"
    return hostile.json_text({**payload, field: marker}).replace(f'"{marker}"', hostile.json_text(value))


def _inner(part: Any) -> dict[str, Any]:
    return part[0] if isinstance(part, list) else part

