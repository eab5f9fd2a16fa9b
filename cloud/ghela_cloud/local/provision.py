"""Create in a moto server the resources the SAM template declares (idempotent).

The names and table shapes come from :mod:`ghela_cloud.names` and the device policy from
:mod:`ghela_cloud.policies`, the same places the template is checked against, so the local
system and AWS cannot drift apart. Running :func:`provision` twice gives the same
resources; the demo user's password is set anew each time (and returned).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from ghela_cloud import names, userpool
from ghela_cloud.local.aws import local_session
from ghela_cloud.policies import device_policy_document, device_role_policy, device_role_trust_policy

T = TypeVar("T")

DEMO_EMAIL = "demo@ghelamco-alert.local"


@dataclass(frozen=True)
class LocalResources:
    """What :func:`provision` made, for the local server, the runtime and the person."""

    endpoint_url: str
    region: str
    stage: str
    events_table: str
    jobs_table: str
    feeds_table: str
    notify_prefs_table: str
    notify_sent_table: str
    schedule_group: str
    ssm_prefix: str
    user_pool_id: str
    user_pool_arn: str
    client_id: str
    issuer: str
    demo_email: str
    demo_password: str
    admin_group: str
    thing_name: str
    thing_arn: str
    thing_group: str
    thing_group_arn: str
    device_policy: str
    role_alias: str
    heartbeat_alarm: str
    artifacts_bucket: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def provision(
    endpoint_url: str,
    *,
    region: str = names.DEFAULT_REGION,
    thing_name: str = names.LOCAL_THING,
    stage: str = "local",
    prefix: str = names.DEFAULT_PREFIX,
    demo_password: str | None = None,
) -> LocalResources:
    """Create (or find) every resource in the moto server at ``endpoint_url``."""
    rn = names.ResourceNames(prefix=prefix, stage=stage)
    session = local_session(region)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url, region_name=region)

    ddb = client("dynamodb")
    _ensure_table(ddb, names.events_table_spec(rn.events_table))
    _ensure_table(ddb, names.jobs_table_spec(rn.jobs_table))
    _ensure_ttl(ddb, rn.jobs_table)
    _ensure_table(ddb, names.feeds_table_spec(rn.feeds_table))
    provision_notify(ddb, client("scheduler"), client("ses"), rn)

    idp = client("cognito-idp")
    pool_id, pool_arn = _ensure_user_pool(idp, rn.user_pool)
    client_id = _ensure_app_client(idp, pool_id, rn.app_client)
    _ensure_group(idp, pool_id, names.ADMIN_GROUP)
    password = demo_password or generate_password()
    ensure_user(idp, pool_id, DEMO_EMAIL, password, groups=(names.ADMIN_GROUP,))

    iam = client("iam")
    account = client("sts").get_caller_identity()["Account"]
    role_arn = _ensure_device_role(
        iam, rn.device_role, device_role_trust_policy("aws", region, account, rn.role_alias)
    )
    _ensure_artifacts_bucket(client("s3"), rn.artifacts_bucket(account), region)
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table"
    role_policy = device_role_policy(
        "aws",
        region,
        account,
        events_table_arn=f"{table_arn}/{rn.events_table}",
        jobs_table_arn=f"{table_arn}/{rn.jobs_table}",
        artifacts_bucket_arn=f"arn:aws:s3:::{rn.artifacts_bucket(account)}",
    )
    iam.put_role_policy(
        RoleName=rn.device_role, PolicyName="ghela-device", PolicyDocument=json.dumps(role_policy)
    )
    iot = client("iot")
    thing_arn, group_arn = _ensure_thing(iot, thing_name, rn.thing_group)
    _ensure_role_alias(iot, rn.role_alias, role_arn)
    _ensure_policy(iot, rn.device_policy, device_policy_document("aws", region, account, rn.role_alias))

    _ensure_heartbeat_alarm(client("cloudwatch"), rn.heartbeat_alarm(thing_name), thing_name)

    return LocalResources(
        endpoint_url=endpoint_url,
        region=region,
        stage=stage,
        events_table=rn.events_table,
        jobs_table=rn.jobs_table,
        feeds_table=rn.feeds_table,
        notify_prefs_table=rn.notify_prefs_table,
        notify_sent_table=rn.notify_sent_table,
        schedule_group=rn.schedule_group,
        ssm_prefix=rn.ssm_prefix,
        user_pool_id=pool_id,
        user_pool_arn=pool_arn,
        client_id=client_id,
        issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        demo_email=DEMO_EMAIL,
        demo_password=password,
        admin_group=names.ADMIN_GROUP,
        thing_name=thing_name,
        thing_arn=thing_arn,
        thing_group=rn.thing_group,
        thing_group_arn=group_arn,
        device_policy=rn.device_policy,
        role_alias=rn.role_alias,
        heartbeat_alarm=rn.heartbeat_alarm(thing_name),
        artifacts_bucket=rn.artifacts_bucket(account),
    )


def generate_password() -> str:
    """A password the pool's policy accepts: upper, lower, digit, symbol, 16 long."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"Gh{body}7!x"


def ensure_user(idp: Any, pool_id: str, email: str, password: str, *, groups: tuple[str, ...] = ()) -> None:
    """An admin-created, confirmed user with a permanent password, in ``groups``."""
    try:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "UsernameExistsException":
            raise
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=group)


MAIL_FROM = "alerts@ghelamco-alert.local"
"""The notification sender's address (verified in moto's SES, as SES requires in AWS)."""


def provision_notify(ddb: Any, scheduler: Any, ses: Any, rn: names.ResourceNames) -> None:
    """What the template makes for notifications: the events table's stream (new and old
    images), the preferences and delivery tables, the schedule group, a verified sender."""
    table = ddb.describe_table(TableName=rn.events_table)["Table"]
    if not table.get("StreamSpecification", {}).get("StreamEnabled"):
        ddb.update_table(
            TableName=rn.events_table,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    _ensure_table(ddb, names.key_table_spec(rn.notify_prefs_table, names.NOTIFY_PREFS_KEY))
    _ensure_table(ddb, names.key_table_spec(rn.notify_sent_table, names.NOTIFY_SENT_KEY))
    with contextlib.suppress(scheduler.exceptions.ConflictException):
        scheduler.create_schedule_group(Name=rn.schedule_group)
    ses.verify_email_identity(EmailAddress=MAIL_FROM)


def _ensure_table(ddb: Any, spec: dict[str, Any]) -> None:
    try:
        ddb.create_table(**spec)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise


def _ensure_ttl(ddb: Any, table: str) -> None:
    current = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") != "ENABLED":
        ddb.update_time_to_live(
            TableName=table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": names.JOBS_TTL_ATTRIBUTE},
        )


def _ensure_user_pool(idp: Any, name: str) -> tuple[str, str]:
    for pool in _paged(idp, "list_user_pools", "UserPools", MaxResults=60):
        if pool["Name"] == name:
            arn = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"]
            return pool["Id"], arn
    created = idp.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Policies={"PasswordPolicy": dict(userpool.PASSWORD_POLICY)},
    )["UserPool"]
    idp.set_user_pool_mfa_config(
        UserPoolId=created["Id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration=userpool.MFA_CONFIGURATION,
    )
    return created["Id"], created["Arn"]


def _ensure_app_client(idp: Any, pool_id: str, name: str) -> str:
    for found in _paged(idp, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool_id, MaxResults=60):
        if found["ClientName"] == name:
            return found["ClientId"]
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=name,
        GenerateSecret=False,
        ExplicitAuthFlows=[*userpool.WEB_CLIENT_AUTH_FLOWS, *userpool.LOCAL_ONLY_AUTH_FLOWS],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
        AccessTokenValidity=userpool.ACCESS_TOKEN_MINUTES,
        IdTokenValidity=userpool.ID_TOKEN_MINUTES,
        RefreshTokenValidity=userpool.REFRESH_TOKEN_HOURS,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "hours"},
    )
    return created["UserPoolClient"]["ClientId"]


def _ensure_group(idp: Any, pool_id: str, group: str) -> None:
    try:
        idp.create_group(UserPoolId=pool_id, GroupName=group, Description="Ghelamco Alert administrators")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "GroupExistsException":
            raise


def _ensure_device_role(iam: Any, name: str, trust: dict[str, Any]) -> str:
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _ensure_artifacts_bucket(s3: Any, bucket: str, region: str) -> None:
    try:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise


def _ensure_thing(iot: Any, thing_name: str, group: str) -> tuple[str, str]:
    thing_arn = _existing_or_created(
        lambda: iot.describe_thing(thingName=thing_name)["thingArn"],
        lambda: iot.create_thing(thingName=thing_name)["thingArn"],
    )
    group_arn = _existing_or_created(
        lambda: iot.describe_thing_group(thingGroupName=group)["thingGroupArn"],
        lambda: iot.create_thing_group(thingGroupName=group)["thingGroupArn"],
    )
    members = _paged(iot, "list_things_in_thing_group", "things", thingGroupName=group)
    if thing_name not in members:
        iot.add_thing_to_thing_group(thingGroupName=group, thingName=thing_name)
    return thing_arn, group_arn


def _ensure_role_alias(iot: Any, alias: str, role_arn: str) -> None:
    _existing_or_created(
        lambda: iot.describe_role_alias(roleAlias=alias),
        lambda: iot.create_role_alias(roleAlias=alias, roleArn=role_arn, credentialDurationSeconds=3600),
    )


def _ensure_policy(iot: Any, name: str, document: dict[str, Any]) -> None:
    _existing_or_created(
        lambda: iot.get_policy(policyName=name),
        lambda: iot.create_policy(policyName=name, policyDocument=json.dumps(document)),
    )


def _existing_or_created(describe: Callable[[], T], create: Callable[[], T]) -> T:
    """What ``describe()`` answers; ``create()``'s answer if IoT says there is no such resource."""
    try:
        return describe()
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return create()


def _ensure_heartbeat_alarm(cloudwatch: Any, name: str, thing_name: str) -> None:
    """The same alarm as the template's (put_metric_alarm is an upsert)."""
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        AlarmDescription=f"No heartbeat from {thing_name} for 15 minutes",
        Namespace=names.METRICS_NAMESPACE,
        MetricName=names.HEARTBEAT_METRIC,
        Dimensions=[{"Name": names.METRICS_DIMENSION, "Value": thing_name}],
        Statistic="Sum",
        Period=names.HEARTBEAT_PERIOD_SECONDS,
        EvaluationPeriods=names.HEARTBEAT_EVALUATION_PERIODS,
        Threshold=1,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching",
    )


def _paged(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated list call (moto and AWS page the same way)."""
    token_names = {"list_user_pools": "NextToken", "list_user_pool_clients": "NextToken"}
    token_name = token_names.get(operation, "nextToken")
    items: list[Any] = []
    while True:
        page = getattr(client, operation)(**kwargs)
        items.extend(page.get(key, []))
        token = page.get(token_name)
        if not token:
            return items
        kwargs[token_name] = token
