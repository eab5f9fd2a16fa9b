"""Local provisioning creates the template's resources in moto, the same every time."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from ghela_cloud import names, userpool
from ghela_cloud.local.provision import LocalResources, provision
from ghela_cloud.policies import device_policy_document, device_role_trust_policy

from tests.cloud.conftest import CachingSession, sign_in

pytestmark = pytest.mark.moto


def test_provisioning_again_finds_the_same_resources(cloud: LocalResources) -> None:
    again = provision(cloud.endpoint_url)
    same = {k: v for k, v in again.as_dict().items() if k != "demo_password"}
    assert same == {k: v for k, v in cloud.as_dict().items() if k != "demo_password"}
    # the password was set anew and is the one that works now
    assert sign_in(again, again.demo_email, again.demo_password)["IdToken"]
    cloud_password = provision(cloud.endpoint_url, demo_password=cloud.demo_password).demo_password
    assert cloud_password == cloud.demo_password


def test_tables_have_the_brief_shapes(cloud: LocalResources, aws: CachingSession) -> None:
    ddb = aws.client("dynamodb", endpoint_url=cloud.endpoint_url)
    for name, spec in (
        (cloud.events_table, names.events_table_spec),
        (cloud.jobs_table, names.jobs_table_spec),
        (cloud.feeds_table, names.feeds_table_spec),
    ):
        table = ddb.describe_table(TableName=name)["Table"]
        expected = spec(name)
        assert table["KeySchema"] == expected["KeySchema"]
        assert sorted(table["AttributeDefinitions"], key=str) == sorted(
            expected["AttributeDefinitions"], key=str
        )
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    jobs = ddb.describe_table(TableName=cloud.jobs_table)["Table"]
    [index] = jobs["LocalSecondaryIndexes"]
    assert index["IndexName"] == names.JOBS_BY_CREATED_INDEX
    assert index["KeySchema"] == [
        {"AttributeName": "device", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    ttl = ddb.describe_time_to_live(TableName=cloud.jobs_table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_cognito_pool_signs_in_by_email_and_the_demo_user_is_admin(
    cloud: LocalResources, admin_tokens: dict[str, str]
) -> None:
    import base64

    payload = admin_tokens["IdToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["email"] == cloud.demo_email
    assert claims["cognito:groups"] == [names.ADMIN_GROUP]
    assert claims["iss"] == cloud.issuer and claims["aud"] == cloud.client_id


def test_cognito_pool_has_the_templates_password_policy_mfa_and_client(
    cloud: LocalResources, aws: CachingSession
) -> None:
    idp = aws.client("cognito-idp", endpoint_url=cloud.endpoint_url)
    pool = idp.describe_user_pool(UserPoolId=cloud.user_pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"] == userpool.PASSWORD_POLICY
    mfa = idp.get_user_pool_mfa_config(UserPoolId=cloud.user_pool_id)
    assert mfa["MfaConfiguration"] == userpool.MFA_CONFIGURATION
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    client = idp.describe_user_pool_client(UserPoolId=cloud.user_pool_id, ClientId=cloud.client_id)
    flows = client["UserPoolClient"]["ExplicitAuthFlows"]
    # USER_PASSWORD_AUTH only locally: moto's SRP does not check the password (see local/cognito.py)
    assert sorted(flows) == sorted([*userpool.WEB_CLIENT_AUTH_FLOWS, *userpool.LOCAL_ONLY_AUTH_FLOWS])
    assert client["UserPoolClient"]["RefreshTokenValidity"] == userpool.REFRESH_TOKEN_HOURS
    with pytest.raises(ClientError, match="InvalidPassword"):  # symbols are required now
        idp.admin_set_user_password(
            UserPoolId=cloud.user_pool_id,
            Username=cloud.demo_email,
            Password="NoSymbolsHere12345",
            Permanent=True,
        )


def test_thing_group_policy_and_role_alias(cloud: LocalResources, aws: CachingSession) -> None:
    iot = aws.client("iot", endpoint_url=cloud.endpoint_url)
    assert cloud.thing_name == "ghela-local-pi" and cloud.thing_group == "ghela-offices"
    assert cloud.thing_name in iot.list_things_in_thing_group(thingGroupName=cloud.thing_group)["things"]
    document = json.loads(iot.get_policy(policyName=cloud.device_policy)["policyDocument"])
    assert document == device_policy_document("aws", cloud.region, "123456789012", cloud.role_alias)
    alias = iot.describe_role_alias(roleAlias=cloud.role_alias)["roleAliasDescription"]
    role = names.ResourceNames().device_role
    assert alias["roleArn"].endswith(f"role/{role}")
    iam = aws.client("iam", endpoint_url=cloud.endpoint_url)
    stored = iam.get_role_policy(RoleName=role, PolicyName="ghela-device")["PolicyDocument"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    statements = {s["Sid"]: s for s in stored["Statement"]}
    tables = f"arn:aws:dynamodb:{cloud.region}:123456789012:table"
    own_events = statements["SyncOwnReadCopy"]
    assert own_events["Resource"] == f"{tables}/{cloud.events_table}"
    assert own_events["Condition"] == {
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${credentials-iot:ThingName}"]}
    }
    assert statements["RecordOwnJobOutcomes"] == {
        "Sid": "RecordOwnJobOutcomes",
        "Effect": "Allow",
        "Action": "dynamodb:UpdateItem",
        "Resource": f"{tables}/{cloud.jobs_table}",
        "Condition": {
            "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${credentials-iot:ThingName}"]}
        },
    }
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust == device_role_trust_policy("aws", cloud.region, "123456789012", cloud.role_alias)
    assert statements["ReadComponentArtifacts"]["Resource"] == f"arn:aws:s3:::{cloud.artifacts_bucket}/*"


def test_heartbeat_alarm_matches_the_template(cloud: LocalResources, aws: CachingSession) -> None:
    cloudwatch = aws.client("cloudwatch", endpoint_url=cloud.endpoint_url)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[cloud.heartbeat_alarm])["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (names.METRICS_NAMESPACE, names.HEARTBEAT_METRIC)
    assert (alarm["Period"], alarm["EvaluationPeriods"]) == (300, 3)
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["Dimensions"] == [{"Name": "Device", "Value": cloud.thing_name}]
