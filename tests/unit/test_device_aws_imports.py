"""CloudSync's and Metrics' AWS calls load neither botocore nor boto3 (nor pyOpenSSL): their
processes stay near the floor every component has (``bench/footprint.py``)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

CODE = """\
import sys
from datetime import UTC, datetime
import ghela.cloudsync.service, ghela.metrics.service
from ghela.cloudsync.aws import DynamoDb, dynamodb_client
from ghela.cloudsync.items import to_attributes
from ghela.core.errors import TransientError
from ghela.metrics.buffer import Datapoint
from ghela.metrics.cloudwatch import CloudWatchMetrics
failed = []
try:
    DynamoDb(dynamodb_client("http://127.0.0.1:9")).put("events", to_attributes({"device": "pi"}))
except TransientError as exc:
    failed.append(type(exc).__name__)
try:
    CloudWatchMetrics.connect("GhelamcoAlert", "http://127.0.0.1:9").put(
        [Datapoint("Heartbeat", "pi", datetime.now(UTC), 1.0)]
    )
except TransientError as exc:
    failed.append(type(exc).__name__)
print(repr({
    "failed": failed,
    "same": dynamodb_client("http://127.0.0.1:9") is dynamodb_client("http://127.0.0.1:9"),
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"boto3", "botocore", "OpenSSL", "urllib3"}),
}))
"""


def test_cloudsync_and_metrics_call_aws_without_botocore() -> None:
    env = dict(
        os.environ, AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing"
    )
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True, env=env)
    made = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    assert made == {"failed": ["TransientError", "TransientError"], "same": True, "loaded": []}


def test_a_component_that_makes_no_aws_call_loads_no_tls() -> None:
    """TLS (``ssl``, 3.5 MiB a process) comes with an AWS client (CloudSync, Metrics) or
    SQLAlchemy's asyncio (the Scheduler), not with the modules every component imports (the
    runner, log shipping, the region rule): the Scraper and the AlertLight have none."""
    code = (
        "import sys\n"
        "import ghela.core.component, ghela.core.logship, ghela.core.awsclient, ghela.core.nucleus\n"
        "import ghela.scraper.service, ghela.light.service\n"
        "print(sorted({'ssl', 'http.client'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]"]
