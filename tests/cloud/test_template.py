"""cloud/template.yaml: cfn-lint clean, least privilege, and in step with the code.

The names, table shapes, routes and device policy are declared once in code
(``ghela_cloud.names``, ``routing``, ``policies``) and written again in the template; these
tests are what keeps the two the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file
from ghela_cloud import names, userpool
from ghela_cloud.api.routing import FUNCTIONS, ROUTES, WITHOUT_COGNITO
from ghela_cloud.policies import device_policy_document, device_role_policy, device_role_trust_policy
from ghela_cloud.webheaders import aws_connect_sources, content_security_policy, security_headers

from tests.cloud.template_render import ACCOUNT, REGION, TEMPLATE, Renderer, load_template, policy_statements

DEVICES = ["ghela-office-pi", "ghela-annex-pi"]
PARAMETERS = {
    "NamePrefix": "ghela",
    "Stage": "dev",
    "DeviceThingNames": DEVICES,
    "AlarmEmail": "ops@example.com",
}


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def _resources(statement: dict[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return [resource] if isinstance(resource, str) else list(resource)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def render(template: dict[str, Any]) -> Renderer:
    return Renderer(template, PARAMETERS)


def test_cfn_lint_is_clean() -> None:
    matches = lint_file(Path(TEMPLATE))
    assert [str(m) for m in matches] == []


def test_there_are_policies_to_check(template: dict[str, Any], render: Renderer) -> None:
    where = {name for name, _ in policy_statements(template, render)}
    assert {
        "EventsFunction",
        "JobsFunction",
        "DeviceFunction",
        "MetricsFunction",
        "DevicePolicy",
        "DeviceRole",
        "WebBucketPolicy",
        "ArtifactsBucketPolicy",
    } <= where


def test_put_metric_data_is_limited_to_the_project_namespace(
    template: dict[str, Any], render: Renderer
) -> None:
    [statement] = [
        s
        for _, s in policy_statements(template, render)
        if "cloudwatch:PutMetricData" in _actions(s) and "Principal" not in s
    ]
    assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": names.METRICS_NAMESPACE}}


def test_device_policy_is_the_one_in_code(template: dict[str, Any], render: Renderer) -> None:
    rendered = render.render(template["Resources"]["DevicePolicy"]["Properties"]["PolicyDocument"])
    expected = device_policy_document("aws", REGION, ACCOUNT, names.ResourceNames("ghela", "dev").role_alias)
    assert rendered == expected
    for statement in expected["Statement"]:
        for resource in _resources(statement):
            assert (
                "${iot:Connection.Thing.ThingName}" in resource
                or "rolealias/" in resource
                or ":components:" in resource
            )


def test_device_role_policy_is_the_one_in_code(template: dict[str, Any], render: Renderer) -> None:
    role = template["Resources"]["DeviceRole"]["Properties"]
    [policy] = role["Policies"]
    rendered = render.render(policy["PolicyDocument"])
    expected = device_role_policy(
        "aws",
        REGION,
        ACCOUNT,
        events_table_arn=render.render({"Fn::GetAtt": ["EventsTable", "Arn"]}),
        jobs_table_arn=render.render({"Fn::GetAtt": ["JobsTable", "Arn"]}),
        artifacts_bucket_arn=render.render({"Fn::GetAtt": ["ArtifactsBucket", "Arn"]}),
    )
    assert rendered == expected
    alias = names.ResourceNames("ghela", "dev").role_alias
    assert render.render(role["AssumeRolePolicyDocument"]) == device_role_trust_policy(
        "aws", REGION, ACCOUNT, alias
    )


def test_user_pool_is_the_one_in_code(template: dict[str, Any]) -> None:
    pool = template["Resources"]["UserPool"]["Properties"]
    assert pool["Policies"]["PasswordPolicy"] == userpool.PASSWORD_POLICY
    assert pool["MfaConfiguration"] == userpool.MFA_CONFIGURATION
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert client["ExplicitAuthFlows"] == list(userpool.WEB_CLIENT_AUTH_FLOWS)
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["ExplicitAuthFlows"]
    assert (client["RefreshTokenValidity"], client["TokenValidityUnits"]["RefreshToken"]) == (
        userpool.REFRESH_TOKEN_HOURS,
        "hours",
    )
    assert (client["AccessTokenValidity"], client["IdTokenValidity"]) == (
        userpool.ACCESS_TOKEN_MINUTES,
        userpool.ID_TOKEN_MINUTES,
    )


def test_cloudfront_sends_the_security_headers_in_code(template: dict[str, Any], render: Renderer) -> None:
    resources = template["Resources"]
    behaviour = resources["WebDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebResponseHeadersPolicy"}
    config = render.render(resources["WebResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"])
    security = config["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]
    assert csp == {
        "ContentSecurityPolicy": content_security_policy(aws_connect_sources(REGION, "amazonaws.com")),
        "Override": True,
    }
    assert "frame-ancestors 'none'" in csp["ContentSecurityPolicy"]
    assert security["ContentTypeOptions"] == {"Override": True}  # X-Content-Type-Options: nosniff
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["IncludeSubdomains"] and hsts["Override"]
    local = security_headers()
    assert local["X-Frame-Options"] == security["FrameOptions"]["FrameOption"]
    assert local["Referrer-Policy"] == security["ReferrerPolicy"]["ReferrerPolicy"]


def test_resource_names_are_the_ones_in_code(template: dict[str, Any], render: Renderer) -> None:
    rn = names.ResourceNames(prefix="ghela", stage="dev")
    props = {
        name: render.render(r.get("Properties", {}))
        for name, r in template["Resources"].items()
        if isinstance(r, dict) and "Type" in r
    }
    assert props["EventsTable"]["TableName"] == rn.events_table == "ghela-events"
    assert props["JobsTable"]["TableName"] == rn.jobs_table == "ghela-jobs"
    assert props["FeedsTable"]["TableName"] == rn.feeds_table == "ghela-feeds"
    assert props["UserPool"]["UserPoolName"] == rn.user_pool
    assert props["UserPoolClient"]["ClientName"] == rn.app_client
    assert props["AdminsGroup"]["GroupName"] == names.ADMIN_GROUP
    assert props["OfficeThingGroup"]["ThingGroupName"] == rn.thing_group == "ghela-offices"
    assert props["DevicePolicy"]["PolicyName"] == rn.device_policy
    assert props["DeviceRole"]["RoleName"] == rn.device_role
    assert props["TokenExchangeRoleAlias"]["RoleAlias"] == rn.role_alias


@pytest.mark.parametrize(
    ("resource", "spec"),
    [
        ("EventsTable", names.events_table_spec("ghela-events")),
        ("JobsTable", names.jobs_table_spec("ghela-jobs")),
        ("FeedsTable", names.feeds_table_spec("ghela-feeds")),
    ],
)
def test_table_shapes_are_the_ones_in_code(
    template: dict[str, Any], render: Renderer, resource: str, spec: dict[str, Any]
) -> None:
    props = render.render(template["Resources"][resource]["Properties"])
    for key, value in spec.items():
        assert props[key] == value, key
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_jobs_table_expires_finished_jobs(template: dict[str, Any]) -> None:
    ttl = template["Resources"]["JobsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": names.JOBS_TTL_ATTRIBUTE, "Enabled": True}


def test_every_route_is_on_its_function_behind_the_jwt_authorizer(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    api = resources["HttpApi"]["Properties"]["Auth"]
    assert api["DefaultAuthorizer"] == "CognitoJwt"
    jwt = api["Authorizers"]["CognitoJwt"]["JwtConfiguration"]
    assert jwt["audience"] == [{"Ref": "UserPoolClient"}]
    assert "${UserPool}" in jwt["issuer"]["Fn::Sub"]
    declared = set()
    for function in FUNCTIONS:
        props = resources[function.name]["Properties"]
        assert props["Handler"] == function.handler
        for event in props["Events"].values():
            assert event["Type"] == "HttpApi"
            assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}
            route = (event["Properties"]["Method"], event["Properties"]["Path"])
            if route in WITHOUT_COGNITO:  # the calendar feed: its URL's token is the key
                assert event["Properties"]["Auth"] == {"Authorizer": "NONE"}
            else:
                assert "Auth" not in event["Properties"]  # no other route opts out of the authorizer
            declared.add((event["Properties"]["Method"], event["Properties"]["Path"], function.name))
    assert declared == {(method, path, function.name) for method, path, function in ROUTES}


def test_heartbeat_alarm_per_device(template: dict[str, Any]) -> None:
    loop = template["Resources"]["Fn::ForEach::HeartbeatAlarms"]
    variable, collection, body = loop
    assert collection == {"Ref": "DeviceThingNames"}
    [alarm] = body.values()
    props = alarm["Properties"]
    rendered = Renderer(template, {**PARAMETERS, variable: "pi-a"}).render(props["AlarmName"])
    assert rendered == names.ResourceNames("ghela", "dev").heartbeat_alarm("pi-a")
    assert props["Namespace"] == names.METRICS_NAMESPACE
    assert props["MetricName"] == names.HEARTBEAT_METRIC
    assert props["Dimensions"] == [{"Name": names.METRICS_DIMENSION, "Value": {"Ref": variable}}]
    assert props["Period"] == names.HEARTBEAT_PERIOD_SECONDS
    assert props["EvaluationPeriods"] == names.HEARTBEAT_EVALUATION_PERIODS
    assert props["TreatMissingData"] == "breaching"
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_web_bucket_is_private_and_read_only_by_the_distribution(
    template: dict[str, Any], render: Renderer
) -> None:
    resources = template["Resources"]
    block = resources["WebBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    statements = render.render(resources["WebBucketPolicy"]["Properties"]["PolicyDocument"])["Statement"]
    [statement] = [s for s in statements if s["Effect"] == "Allow"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["AWS:SourceArn"].endswith("distribution/<WebDistribution>")
    origin = resources["WebDistribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}


def test_outputs_cover_the_web_config_and_the_device(template: dict[str, Any]) -> None:
    from ghela_cloud.deploy.web import CONFIG_OUTPUTS

    outputs = set(template["Outputs"])
    assert set(CONFIG_OUTPUTS.values()) <= outputs
    assert {
        "WebBucketName",
        "WebDistributionId",
        "ArtifactsBucketName",
        "EventsTableName",
        "JobsTableName",
        "TokenExchangeRoleAlias",
        "ThingGroupArn",
        "DevicePolicyName",
    } <= outputs
