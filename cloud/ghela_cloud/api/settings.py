"""What the Lambda functions are told through their environment (set by the template).

=========================== ============================ ========================================
variable                    default                      meaning
=========================== ============================ ========================================
GHELA_EVENTS_TABLE          ghela-events                 the events read copy (DynamoDB)
GHELA_JOBS_TABLE            ghela-jobs                   the jobs table (DynamoDB)
GHELA_FEEDS_TABLE           ghela-feeds                  calendar feed token hashes (DynamoDB)
GHELA_DEVICES               ghela-local-pi               comma-separated thing names; the first
                                                         is the default ``device``
GHELA_THING_ARN_PREFIX      arn:aws:iot:<region>:        prefix of a thing's ARN (job target)
                            123456789012:thing/
GHELA_ADMIN_GROUP           admins                       the Cognito group of administrators
GHELA_JOB_ID_PREFIX         ghela-                       the start of every job id (IAM names
                                                         ``job/<prefix>*``)
GHELA_AWS_ENDPOINT_URL      "" (real AWS)                one endpoint for every AWS call (moto)
GHELA_ONLINE_WITHIN_MINUTES 15                           a device is online if seen this recently
GHELA_RECENT_JOBS_HOURS     24                           finished jobs younger than this are listed
GHELA_WIDGET_IMAGES         false                        fetch CloudWatch widget images (AWS only)
GHELA_VENUE_ZONE            Europe/Brussels              the venues' zone (the "next up" line)
AWS_REGION                  eu-west-1                    set by Lambda itself
=========================== ============================ ========================================
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ghela.core.clock import DEFAULT_ZONE, venue_zone
from ghela.core.errors import ConfigurationError, InvalidInput
from ghela.core.wiretypes import new_id

from ghela_cloud import names


@dataclass(frozen=True)
class Settings:
    events_table: str = "ghela-events"
    jobs_table: str = "ghela-jobs"
    feeds_table: str = "ghela-feeds"
    devices: tuple[str, ...] = (names.LOCAL_THING,)
    thing_arn_prefix: str = f"arn:aws:iot:{names.DEFAULT_REGION}:123456789012:thing/"
    admin_group: str = names.ADMIN_GROUP
    job_id_prefix: str = names.ResourceNames().job_id_prefix
    aws_endpoint_url: str = ""
    region: str = names.DEFAULT_REGION
    online_within_minutes: int = 15
    recent_jobs_hours: int = 24
    widget_images: bool = False
    venue_zone: str = DEFAULT_ZONE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        region = names.region_from(env)
        devices = tuple(
            d.strip() for d in env.get("GHELA_DEVICES", names.LOCAL_THING).split(",") if d.strip()
        )
        if not devices:
            raise ConfigurationError("GHELA_DEVICES must name at least one thing")
        return cls(
            events_table=env.get("GHELA_EVENTS_TABLE", cls.events_table),
            jobs_table=env.get("GHELA_JOBS_TABLE", cls.jobs_table),
            feeds_table=env.get("GHELA_FEEDS_TABLE", cls.feeds_table),
            devices=devices,
            thing_arn_prefix=env.get("GHELA_THING_ARN_PREFIX", f"arn:aws:iot:{region}:123456789012:thing/"),
            admin_group=env.get("GHELA_ADMIN_GROUP", cls.admin_group),
            job_id_prefix=_job_id_prefix(env.get("GHELA_JOB_ID_PREFIX", cls.job_id_prefix)),
            aws_endpoint_url=env.get("GHELA_AWS_ENDPOINT_URL", ""),
            region=region,
            online_within_minutes=_int(env, "GHELA_ONLINE_WITHIN_MINUTES", cls.online_within_minutes),
            recent_jobs_hours=_int(env, "GHELA_RECENT_JOBS_HOURS", cls.recent_jobs_hours),
            widget_images=env.get("GHELA_WIDGET_IMAGES", "false").lower() == "true",
            venue_zone=_zone(env.get("GHELA_VENUE_ZONE") or DEFAULT_ZONE),
        )

    def thing_arn(self, device: str) -> str:
        return f"{self.thing_arn_prefix}{device}"

    def new_job_id(self) -> str:
        """A fresh job id: the prefix and a uuid (also the command id on the device)."""
        return f"{self.job_id_prefix}{new_id()}"


def _zone(name: str) -> str:
    try:
        return venue_zone(name).key
    except InvalidInput as exc:
        raise ConfigurationError(f"GHELA_VENUE_ZONE: {exc}") from None


# IoT Jobs: a job id is [a-zA-Z0-9_-]{1,64}; the prefix leaves room for a 32-digit uuid.
_JOB_ID_PREFIX = re.compile(r"[a-zA-Z0-9_-]{1,31}")


def _job_id_prefix(raw: str) -> str:
    if not _JOB_ID_PREFIX.fullmatch(raw):
        raise ConfigurationError(f"GHELA_JOB_ID_PREFIX must be 1 to 31 of a-z A-Z 0-9 _ -, not {raw[:40]!r}")
    return raw


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{key} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ConfigurationError(f"{key} must be at least 1, not {value}")
    return value
