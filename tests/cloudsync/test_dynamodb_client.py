"""CloudSync's DynamoDB requests through the device's own AWS client: valid for botocore's
model and serialized as botocore would, items typed as boto3 types them, and every hostile
answer a transient or permanent error that names what was wrong."""

from __future__ import annotations

import json
import subprocess
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.serialize import create_serializer
from botocore.validate import ParamValidator
from ghela.cloudsync.aws import ConditionFailed, DynamoDb
from ghela.cloudsync.items import JobRecord, job_update, status_update, to_attributes
from ghela.cloudsync.writer import EventsWriter
from ghela.core.awsjson import DYNAMODB, AwsJsonClient
from ghela.core.errors import InvalidInput, PermanentError, TransientError
from ghela.core.messages.light import LightState
from ghela.core.wiretypes import LightPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cloudsync.conftest import THING, Tables
from tests.cloudsync.fakes import snapshot
from tests.support.awscalls import CountingClient
from tests.support.cannedhttp import Answer, CannedServer
from tests.support.hostile import deep_json, raw_bodies

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MODEL = botocore.session.get_session().get_service_model("dynamodb")


def every_request_cloudsync_makes(tables: Tables) -> list[tuple[str, dict[str, Any]]]:
    """Puts and deletes, alone and in transactions, guarded and forced, a refused
    transaction, the status and a job outcome, and the query of stored sort keys."""
    client = CountingClient(tables.endpoint_url, [])
    db = DynamoDb(client)
    writer = EventsWriter(db, tables.events, THING)
    writer.write(writer.writes([snapshot(1, 3)], [], 3, NOW))
    writer.write(writer.writes([snapshot(2, 4), snapshot(3, 9)], [], 9, NOW))
    writer.write(writer.writes([], [1], 5, NOW))
    writer.write(writer.writes([], [2, 3], 6, NOW))  # 3 is newer: refused, then item by item
    writer.write(writer.writes([snapshot(4, 1), snapshot(5, 1)], [9], 1, NOW), force=True)
    light = LightState(on=True, pattern=LightPattern.BLINK, since=NOW)
    status = status_update(THING, last_seen=NOW, revision=9, software_version="1.2.3", light=light)
    db.update(tables.events, status.key, status.expression, status.values, status.names)
    record = JobRecord("job-1", THING, "snooze_alert", {"minutes": 5}, "SUCCEEDED", "", NOW)
    job = job_update(record, timedelta(days=30))
    db.update(tables.jobs, job.key, job.expression, job.values, job.names)
    assert sorted(db.query_sort_keys(tables.events, THING, "event#")) == [
        "event#0000000003",
        "event#0000000004",
        "event#0000000005",
    ]
    return client.requests


@pytest.mark.moto
def test_every_request_is_valid_for_botocore_s_model_and_serialized_as_botocore_would(tables: Tables) -> None:
    requests = every_request_cloudsync_makes(tables)
    assert {operation for operation, _ in requests} == {
        "PutItem",
        "DeleteItem",
        "TransactWriteItems",
        "UpdateItem",
        "Query",
    }
    serializer = create_serializer(MODEL.metadata["protocol"])
    for operation, request in requests:
        model = MODEL.operation_model(operation)
        sent = json.loads(json.dumps(request))  # what went on the wire
        report = ParamValidator().validate(sent, model.input_shape)
        assert not report.has_errors(), f"{operation}: {report.generate_report()}"
        theirs = serializer.serialize_to_request(sent, model)
        assert json.loads(theirs["body"]) == sent
        assert theirs["headers"]["X-Amz-Target"] == f"{DYNAMODB.target_prefix}.{operation}"
        assert theirs["headers"]["Content-Type"] == "application/x-amz-json-1.0"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**37), 10**37) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=6))
def test_items_are_typed_as_boto3_s_serializer_types_them(values: dict[str, Any]) -> None:
    boto3_typed = {name: TypeSerializer().serialize(value) for name, value in values.items()}
    assert to_attributes(values) == boto3_typed


@pytest.mark.parametrize(("value", "named"), [(1.5, "alerts.a: a float"), (10**38, "alerts.a: a number")])
def test_a_value_dynamodb_cannot_keep_is_refused_naming_the_field(value: Any, named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        to_attributes({"alerts": {"a": value}})


# ---------------------------------------------------------------------- answers


def db_answered(server: CannedServer) -> DynamoDb:
    return DynamoDb(AwsJsonClient(DYNAMODB, "eu-west-1", server.url))


def dynamodb_error(code: str, status: int = 400, **extra: Any) -> Answer:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"the {code} message", **extra}
    return Answer(status, json.dumps(body).encode(), {"Content-Type": "application/x-amz-json-1.0"})


@pytest.mark.parametrize(
    ("answer", "raised", "named"),
    [
        (dynamodb_error("ProvisionedThroughputExceededException"), TransientError, "ProvisionedThroughput"),
        (dynamodb_error("ThrottlingException"), TransientError, "ThrottlingException"),
        (dynamodb_error("InternalServerError", 500), TransientError, "InternalServerError"),
        (dynamodb_error("AccessDeniedException"), TransientError, "AccessDeniedException"),
        (dynamodb_error("ResourceNotFoundException"), TransientError, "ResourceNotFound"),
        (dynamodb_error("ValidationException"), PermanentError, "ValidationException: the Validation"),
        (dynamodb_error("SerializationException"), PermanentError, "SerializationException"),
        (dynamodb_error("ConditionalCheckFailedException"), ConditionFailed, "a newer item"),
        (Answer(503, b"<html>Service Unavailable</html>"), TransientError, "503.*Service Unavailable"),
        (Answer(400, b'{"__type": ["x"], "message": {"a": 1}}'), TransientError, r"\['x'\]: \{'a': 1\}"),
        (
            Answer(429, b"", {"x-amzn-ErrorType": "ThrottlingException:http://internal"}),
            TransientError,
            "Throttling",
        ),
        (Answer(200, b"<html>a captive portal</html>"), TransientError, "not JSON"),
        (Answer(200, b"[1, 2]"), TransientError, "a JSON list, not an object"),
        (Answer(200, deep_json().encode()), TransientError, "not JSON.*RecursionError"),
        (Answer(200, b"9" * 5_000), TransientError, "not JSON"),
        (Answer(200, b"{}", {"x-amz-crc32": "12345"}), TransientError, "CRC32"),
        (Answer(200, b" " * (8 * 1024 * 1024 + 1)), TransientError, "over 8388608 bytes"),
    ],
)
def test_each_answer_to_a_write_is_the_error_its_callers_handle(
    answer: Answer, raised: type[Exception], named: str
) -> None:
    with CannedServer(answer) as server, pytest.raises(raised, match=named):
        db_answered(server).put("events", to_attributes({"device": THING, "sk": "event#1"}))


def test_a_cancelled_transaction_is_a_condition_failure_only_when_a_condition_failed() -> None:
    failed = dynamodb_error(
        "TransactionCanceledException",
        CancellationReasons=[{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "no"}],
    )
    conflict = dynamodb_error(
        "TransactionCanceledException", CancellationReasons=[{"Code": "TransactionConflict"}]
    )
    with CannedServer(failed) as server:
        with pytest.raises(ConditionFailed):
            db_answered(server).transact([])
        server.answer = conflict
        with pytest.raises(TransientError, match="TransactionCanceledException"):
            db_answered(server).transact([])


@pytest.mark.parametrize(
    ("page", "named"),
    [
        ({"Items": {"sk": {"S": "event#1"}}}, "Items is a dict, not a list"),
        ({"Items": [{"sk": {"N": "1"}}]}, r"Items\[0\].sk is not a string"),
        ({"Items": ["event#1"]}, r"Items\[0\].sk"),
        ({"Items": [], "LastEvaluatedKey": "event#1"}, "LastEvaluatedKey is not a key"),
    ],
)
def test_a_query_page_of_the_wrong_shape_is_transient_and_named(page: dict[str, Any], named: str) -> None:
    body = json.dumps(page).encode()
    crc = {"x-amz-crc32": str(zlib.crc32(body))}
    with CannedServer(Answer(200, body, crc)) as server, pytest.raises(TransientError, match=named):
        db_answered(server).query_sort_keys("events", THING, "event#")


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(status=st.sampled_from([200, 400, 500]), body=raw_bodies())
def test_no_answer_at_all_breaks_the_client(status: int, body: bytes) -> None:
    with CannedServer(Answer(status, body)) as server:
        try:
            keys = db_answered(server).query_sort_keys("events", THING, "event#")
        except (TransientError, PermanentError, ConditionFailed):
            return
        assert isinstance(keys, list) and all(isinstance(key, str) for key in keys)


def test_nothing_listening_is_transient_and_names_the_endpoint() -> None:
    client = AwsJsonClient(DYNAMODB, "eu-west-1", "http://127.0.0.1:9")
    with pytest.raises(TransientError, match=r"127\.0\.0\.1:9 unreachable"):
        DynamoDb(client).put("events", to_attributes({"device": THING}))


def test_the_request_on_the_wire_is_signed_for_dynamodb_in_the_region() -> None:
    with CannedServer() as server:
        db_answered(server).put("events", to_attributes({"device": THING, "sk": "status"}))
    (asked,) = server.asked
    assert asked.path == "/"
    assert asked.headers["x-amz-target"] == "DynamoDB_20120810.PutItem"
    assert asked.headers["content-type"] == "application/x-amz-json-1.0"
    assert "/eu-west-1/dynamodb/aws4_request, SignedHeaders=" in asked.headers["authorization"]
    assert json.loads(asked.body) == {
        "TableName": "events",
        "Item": {"device": {"S": THING}, "sk": {"S": "status"}},
    }


def test_a_kept_connection_the_server_closed_is_opened_again_once() -> None:
    with CannedServer(Answer(hang_up=True)) as server:
        db = db_answered(server)
        for sk in ("event#1", "event#2", "event#3"):
            db.put("events", to_attributes({"device": THING, "sk": sk}))
    assert [json.loads(asked.body)["Item"]["sk"]["S"] for asked in server.asked] == [
        "event#1",
        "event#2",
        "event#3",
    ]


def test_an_endpoint_that_does_not_answer_in_the_read_timeout_is_transient() -> None:
    with CannedServer(Answer(delay=0.6)) as server:
        client = AwsJsonClient(DYNAMODB, "eu-west-1", server.url, read_timeout=0.2)
        with pytest.raises(TransientError, match=r"unreachable.*timed out"):
            DynamoDb(client).put("events", to_attributes({"device": THING}))


def test_an_https_endpoint_whose_certificate_does_not_verify_is_never_talked_to(tmp_path: Path) -> None:
    """TLS as on the Pi: the system's CAs and the host name checked (a self-signed cert fails)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=x"]
    subprocess.run(
        [*request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    with CannedServer() as server:
        server.wrap_tls(cert, key)
        client = AwsJsonClient(DYNAMODB, "eu-west-1", server.url.replace("http://", "https://"))
        with pytest.raises(TransientError, match="CERTIFICATE_VERIFY_FAILED"):
            DynamoDb(client).put("events", to_attributes({"device": THING}))
    assert server.asked == []
