"""``ghela gdk publish``: built components to S3 and AWS IoT Greengrass, then how to deploy.

For each recipe in ``greengrass-build/recipes/`` it fills ``{BUCKET_NAME}``/``{REGION}``,
uploads each ``s3://`` artifact from ``greengrass-build/artifacts/<name>/<version>/`` to
the key its URI names (creating the bucket if needed, as GDK does), and registers the
recipe with greengrassv2 ``create_component_version``: what ``gdk component publish``
does (``gdk/commands/component/PublishCommand.py`` in aws-greengrass-gdk-cli), no more.
The deployment is a separate document (:mod:`ghela_tools.packaging.deployment`).

The bucket is used as given, as GDK uses its ``--bucket`` option. (From gdk-config.json
alone GDK would publish to ``<bucket>-<region>-<account>``,
``ComponentPublishConfiguration._get_bucket``, which the device role cannot read: always
publish to the stack's ``ArtifactsBucketName``.)

AWS is reached only through the clients handed to :class:`Publisher`, so tests pass clients
pointed at moto's server (S3, STS) and a stubbed greengrassv2 client (moto has no
greengrassv2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ghela.core.errors import GhelaError

from ghela_tools.packaging.validation import PackagingError, fill_placeholders, validate_recipe
from ghela_tools.runtime.recipes import ci_get


class PublishError(GhelaError):
    """AWS could not be reached or refused a call while publishing; the message says why."""


@dataclass(frozen=True)
class Published:
    name: str
    version: str
    arn: str
    status: str
    uploaded: tuple[str, ...]


@dataclass(frozen=True)
class _Prepared:
    path: Path
    name: str
    version: str
    recipe: dict[str, Any]
    uploads: dict[str, Path]


class Publisher:
    def __init__(self, s3: Any, greengrass: Any, bucket: str, region: str) -> None:
        self._s3 = s3
        self._greengrass = greengrass
        self.bucket = bucket
        self.region = region

    def publish(self, build_dir: Path) -> list[Published]:
        """Upload and register every built component; nothing is uploaded if one is incomplete."""
        folder = build_dir / "recipes"
        paths = sorted(folder.glob("*.y*ml")) + sorted(folder.glob("*.json"))
        recipes = [self._prepared(path, build_dir / "artifacts") for path in paths]
        # GDK's publish writes <name>-<version>.yaml beside the built recipe; only the built
        # one (<name>.yaml) is ours to publish.
        recipes = [r for r in recipes if r.path.stem == r.name]
        if not recipes:
            raise PackagingError(f"no recipes in {build_dir / 'recipes'}: run `ghela gdk build` first")
        self._ensure_bucket()
        return [self._publish_one(recipe) for recipe in recipes]

    def _ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self._s3.head_bucket(Bucket=self.bucket)
        except ClientError:
            options = (
                {}
                if self.region == "us-east-1"
                else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
            )
            self._s3.create_bucket(Bucket=self.bucket, **options)

    def _prepared(self, path: Path, artifacts_dir: Path) -> _Prepared:
        """The recipe with bucket and region filled, and its artifacts' files (all present)."""
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        recipe = fill_placeholders(document, {"BUCKET_NAME": self.bucket, "REGION": self.region})
        validate_recipe(recipe, str(path))
        name, version = str(ci_get(recipe, "ComponentName")), str(ci_get(recipe, "ComponentVersion"))
        uploads: dict[str, Path] = {}
        for manifest in ci_get(recipe, "Manifests") or []:
            for artifact in ci_get(manifest, "Artifacts") or []:
                uri = str(ci_get(artifact, "URI"))
                if not uri.startswith("s3://"):
                    continue
                local = artifacts_dir / name / version / uri.rsplit("/", 1)[-1]
                if not local.is_file():
                    raise PackagingError(f"{name}: artifact {local} is missing: run `ghela gdk build` first")
                uploads[uri] = local
        return _Prepared(path, name, version, recipe, uploads)

    def _publish_one(self, prepared: _Prepared) -> Published:
        for uri, local in prepared.uploads.items():
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            self._s3.upload_file(str(local), bucket, key)
        answer = self._greengrass.create_component_version(inlineRecipe=json.dumps(prepared.recipe).encode())
        state = answer.get("status", {}).get("componentState", "")
        return Published(prepared.name, prepared.version, answer["arn"], state, tuple(prepared.uploads))
