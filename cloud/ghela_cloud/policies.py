"""The device's policies, as data, so local provisioning and tests share the template's.

- :func:`device_policy_document`: the IoT policy, least privilege with IoT policy
  variables: a core device may connect only as its own thing name and use only its own
  jobs, shadow and Greengrass topics (the template's ``DevicePolicy``).
- :func:`device_role_policy`: what the components may do with the Token Exchange Service's
  credentials (the template's ``DeviceRole``).
- :func:`device_role_trust_policy`: who may assume that role: the IoT credentials provider
  of this account, through the stack's role alias only.

``tests/cloud/test_template.py`` checks that the template writes the same documents.
"""

from __future__ import annotations

from typing import Any

from ghela_cloud import names

THING = "${iot:Connection.Thing.ThingName}"
THING_NAME_VARIABLE = "${credentials-iot:ThingName}"
"""The device's thing name in an IAM policy of the role the Token Exchange Service assumes."""
OWN_PARTITION_ONLY = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [THING_NAME_VARIABLE]}}
"""A DynamoDB statement's condition: only items whose partition key is the device's thing name."""


def device_policy_document(partition: str, region: str, account: str, role_alias: str) -> dict[str, Any]:
    """The IoT policy of every office device (one document for all devices)."""
    iot = f"arn:{partition}:iot:{region}:{account}"
    greengrass = f"arn:{partition}:greengrass:{region}:{account}"
    own_topics = [
        f"$aws/things/{THING}/jobs/*",
        f"$aws/things/{THING}/shadow/*",
        f"$aws/things/{THING}/greengrassv2/health/json",
        f"$aws/things/{THING}-gci/shadow/*",
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{iot}:client/{THING}"},
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Receive"],
                "Resource": [f"{iot}:topic/{t}" for t in own_topics],
            },
            {
                "Effect": "Allow",
                "Action": "iot:Subscribe",
                "Resource": [f"{iot}:topicfilter/{t}" for t in own_topics],
            },
            {
                "Effect": "Allow",
                "Action": ["iot:GetThingShadow", "iot:UpdateThingShadow", "iot:DeleteThingShadow"],
                "Resource": f"{iot}:thing/{THING}",
            },
            {
                "Effect": "Allow",
                "Action": "iot:AssumeRoleWithCertificate",
                "Resource": f"{iot}:rolealias/{role_alias}",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "greengrass:GetDeploymentConfiguration",
                    "greengrass:ListThingGroupsForCoreDevice",
                ],
                "Resource": f"{greengrass}:coreDevices:{THING}",
            },
            {
                "Effect": "Allow",
                "Action": ["greengrass:GetComponentVersionArtifact", "greengrass:ResolveComponentCandidates"],
                "Resource": [
                    f"{greengrass}:components:com.ghelamco.alert.*",
                    f"{greengrass}:components:aws.greengrass.*",
                ],
            },
        ],
    }


def device_role_trust_policy(partition: str, region: str, account: str, role_alias: str) -> dict[str, Any]:
    """The credentials provider may assume the role only for this account's role alias
    (https://docs.aws.amazon.com/iot/latest/developerguide/cross-service-confused-deputy-prevention.html)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "credentials.iot.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnEquals": {
                        "aws:SourceArn": f"arn:{partition}:iot:{region}:{account}:rolealias/{role_alias}"
                    },
                },
            }
        ],
    }


def device_role_policy(
    partition: str,
    region: str,
    account: str,
    *,
    events_table_arn: str,
    jobs_table_arn: str,
    artifacts_bucket_arn: str,
) -> dict[str, Any]:
    """DynamoDB writes to the two tables, metrics in the project's namespace, the components'
    own log groups, and reading the components' artifacts."""
    logs = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/greengrass"
    log_groups = [
        f"{logs}/UserComponent/{region}/com.ghelamco.alert.*",
        f"{logs}/GreengrassSystemComponent/{region}/System",
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                # Its own partition only: the events table's partition key is the thing name,
                # which the credentials provider passes as credentials-iot:ThingName.
                # Transactions need no action of their own: each put/delete in one is checked.
                "Sid": "SyncOwnReadCopy",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",  # the repair resync lists the device's stored events
                ],
                "Resource": events_table_arn,
                "Condition": OWN_PARTITION_ONLY,
            },
            {
                # Its own rows only: the jobs table's partition key is the device too, so one
                # device cannot rewrite another's job history.
                "Sid": "RecordOwnJobOutcomes",
                "Effect": "Allow",
                "Action": "dynamodb:UpdateItem",
                "Resource": jobs_table_arn,
                "Condition": OWN_PARTITION_ONLY,
            },
            {
                "Sid": "PushMetrics",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": names.METRICS_NAMESPACE}},
            },
            {
                "Sid": "ShipOwnLogs",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                "Resource": [arn for group in log_groups for arn in (group, f"{group}:log-stream:*")],
            },
            {
                "Sid": "ReadComponentArtifacts",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"{artifacts_bucket_arn}/*",
            },
            {
                "Sid": "LocateArtifactsBucket",
                "Effect": "Allow",
                "Action": "s3:GetBucketLocation",
                "Resource": artifacts_bucket_arn,
            },
        ],
    }
