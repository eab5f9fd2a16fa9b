"""Every resource name, key and metric name the SAM template and local moto share.

``cloud/template.yaml`` builds the same names from its ``NamePrefix`` and ``Stage``
parameters (``tests/cloud/test_template.py`` checks that the two agree), and
:mod:`ghela_cloud.local.provision` creates exactly these in moto.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ghela.core import metricnames

DEFAULT_PREFIX = "ghela"
DEFAULT_REGION = "eu-west-1"

LOCAL_THING = "ghela-local-pi"
ADMIN_GROUP = "admins"

# DynamoDB keys and index (the brief's table shapes).
EVENTS_PARTITION_KEY = "device"
EVENTS_SORT_KEY = "sk"
STATUS_SK = "status"
EVENT_SK_PREFIX = "event#"
JOBS_PARTITION_KEY = "device"  # the device role may write only its own rows (dynamodb:LeadingKeys)
JOBS_SORT_KEY = "job_id"
JOBS_BY_CREATED_INDEX = "by-created"  # local index: a device's jobs by created_at
JOBS_TTL_ATTRIBUTE = "expires_at"
FEEDS_PARTITION_KEY = "device"  # one calendar-feed token hash per device

# CloudWatch: the contract with the device lives in ghela.core.metricnames.
METRICS_NAMESPACE = metricnames.NAMESPACE
METRICS_DIMENSION = metricnames.DIMENSION
METRIC_NAMES = metricnames.METRIC_NAMES
HEARTBEAT_METRIC = metricnames.HEARTBEAT
HEARTBEAT_PERIOD_SECONDS = 300
HEARTBEAT_EVALUATION_PERIODS = 3


def event_sk(event_id: int) -> str:
    """The sort key of an event item: ``event#`` and the id as 10 zero-padded digits."""
    return f"{EVENT_SK_PREFIX}{event_id:010d}"


@dataclass(frozen=True)
class ResourceNames:
    """The names of one deployment's resources, derived from a prefix and a stage."""

    prefix: str = DEFAULT_PREFIX
    stage: str = "local"

    @property
    def events_table(self) -> str:
        return f"{self.prefix}-events"

    @property
    def jobs_table(self) -> str:
        return f"{self.prefix}-jobs"

    @property
    def feeds_table(self) -> str:
        return f"{self.prefix}-feeds"

    @property
    def notify_prefs_table(self) -> str:
        return f"{self.prefix}-notify-prefs"

    @property
    def notify_sent_table(self) -> str:
        return f"{self.prefix}-notify-sent"

    @property
    def schedule_group(self) -> str:
        """The EventBridge Scheduler group of the alert schedules (IAM names ``schedule/<group>/*``)."""
        return f"{self.prefix}-alerts-{self.stage}"

    @property
    def ssm_prefix(self) -> str:
        """SecureString parameters of the notification channels (webhook URL, VAPID key)."""
        return f"/{self.prefix}/{self.stage}/notify"

    @property
    def user_pool(self) -> str:
        return f"{self.prefix}-users-{self.stage}"

    @property
    def app_client(self) -> str:
        return f"{self.prefix}-web-{self.stage}"

    @property
    def thing_group(self) -> str:
        return f"{self.prefix}-offices"

    @property
    def device_policy(self) -> str:
        return f"{self.prefix}-device-policy-{self.stage}"

    @property
    def device_role(self) -> str:
        return f"{self.prefix}-device-role-{self.stage}"

    @property
    def role_alias(self) -> str:
        return f"{self.prefix}-token-exchange-{self.stage}"

    @property
    def job_id_prefix(self) -> str:
        """Every IoT job the API creates starts with it, so IAM can name ``job/<prefix>*``."""
        return f"{self.prefix}-"

    def artifacts_bucket(self, account: str) -> str:
        """Locally only: in AWS, CloudFormation names the bucket (output ArtifactsBucketName)."""
        return f"{self.prefix}-artifacts-{self.stage}-{account}"

    def heartbeat_alarm(self, device: str) -> str:
        """One alarm per device (the template makes them with Fn::ForEach)."""
        return f"{self.prefix}-heartbeat-{self.stage}-{device}"


def events_table_spec(name: str) -> dict[str, Any]:
    """``CreateTable`` arguments of the events table (the template declares the same)."""
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": EVENTS_PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": EVENTS_SORT_KEY, "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": EVENTS_PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": EVENTS_SORT_KEY, "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def jobs_table_spec(name: str) -> dict[str, Any]:
    """``CreateTable`` arguments of the jobs table, with its ``by-created`` index."""
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": JOBS_PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": JOBS_SORT_KEY, "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": JOBS_PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": JOBS_SORT_KEY, "KeyType": "RANGE"},
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": JOBS_BY_CREATED_INDEX,
                "KeySchema": [
                    {"AttributeName": JOBS_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def feeds_table_spec(name: str) -> dict[str, Any]:
    """``CreateTable`` arguments of the calendar feeds table (one item per device)."""
    return key_table_spec(name, FEEDS_PARTITION_KEY)


def key_table_spec(name: str, key: str) -> dict[str, Any]:
    """``CreateTable`` arguments of a table with one string partition key and nothing else."""
    return {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


NOTIFY_PREFS_KEY = "user"
NOTIFY_SENT_KEY = "key"


def region_from(env: Mapping[str, str]) -> str:
    """The function's region: Lambda sets ``AWS_REGION``; ``DEFAULT_REGION`` outside AWS."""
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
