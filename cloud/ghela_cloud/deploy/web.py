"""The web page in S3: its generated ``config.json`` and the upload, then a CloudFront invalidation."""

from __future__ import annotations

import json
import mimetypes
import time
from pathlib import Path
from typing import Any

from ghela.core.errors import ConfigurationError

import ghela_cloud.webheaders  # noqa: F401  (registers the .webmanifest type)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"

# Outputs of the stack that become the page's config.json (same keys as the local server's).
CONFIG_OUTPUTS = {
    "apiUrl": "ApiUrl",
    "region": "Region",
    "userPoolId": "UserPoolId",
    "clientId": "UserPoolClientId",
    "cognitoEndpoint": "CognitoEndpoint",
}


def web_config(outputs: dict[str, str]) -> dict[str, str]:
    missing = [name for name in CONFIG_OUTPUTS.values() if not outputs.get(name)]
    if missing:
        raise ConfigurationError(f"the stack has no output {', '.join(missing)}; was it deployed?")
    return {key: outputs[name] for key, name in CONFIG_OUTPUTS.items()}


def upload_web(s3: Any, bucket: str, config: dict[str, str], root: Path = WEB_DIR) -> list[str]:
    """Upload every file under ``root`` and the generated ``config.json``; returns the keys."""
    if not root.is_dir():
        raise ConfigurationError(f"no web page at {root}")
    keys = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        if key == "config.json":
            continue  # the generated one below wins over a local development copy
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = "no-cache" if key.endswith(".html") else "public, max-age=300"
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=kind, CacheControl=cache)
        keys.append(key)
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config, indent=2).encode(),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    keys.append("config.json")
    return keys


def invalidate(cloudfront: Any, distribution_id: str) -> str:
    """Invalidate every path of the distribution; returns the invalidation id."""
    result = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"ghela-{time.time_ns()}",
        },
    )
    return result["Invalidation"]["Id"]
