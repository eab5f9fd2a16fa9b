"""The AWS client factory: botocore's client, made once per service and settings, and a
process that makes one loads neither boto3 nor pyOpenSSL (``bench/footprint.py``)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

CODE = """\
import sys
from ghela.core.awsclient import aws_client
client = aws_client("cloudwatch", "http://127.0.0.1:9", timeout_seconds=3.0, attempts=1)
again = aws_client("cloudwatch", "http://127.0.0.1:9", timeout_seconds=3.0, attempts=1)
other = aws_client("cloudwatch", "http://127.0.0.1:9", timeout_seconds=4.0, attempts=1)
print(repr({
    "service": client.meta.service_model.service_name,
    "region": client.meta.region_name,
    "endpoint": client.meta.endpoint_url,
    "read_timeout": client.meta.config.read_timeout,
    "attempts": client.meta.config.retries["total_max_attempts"],
    "same": client is again,
    "distinct": client is not other,
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"boto3", "OpenSSL", "cryptography"}),
}))
"""


def test_a_client_is_botocore_s_made_once_without_boto3_or_pyopenssl() -> None:
    env = dict(os.environ, AWS_REGION="eu-west-1", AWS_EC2_METADATA_DISABLED="true")
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # never a real account
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True, env=env)
    made = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    assert made == {
        "service": "cloudwatch",
        "region": "eu-west-1",
        "endpoint": "http://127.0.0.1:9",
        "read_timeout": 3.0,
        "attempts": 2,  # retries={"max_attempts": 1} is one retry after the first try
        "same": True,
        "distinct": True,
        "loaded": [],
    }
