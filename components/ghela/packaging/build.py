"""``ghela gdk build``: every component into GDK's ``greengrass-build/`` layout.

::

    greengrass-build/
      recipes/<ComponentName>.yaml                 the recipe, placeholders filled
      artifacts/<ComponentName>/<version>/ghela.zip

Each component's artifact is the same reproducible zip (sorted entries, fixed timestamps,
so the same source gives the same digest): the ``ghela`` package (Python files and package
data, no caches) and ``requirements.txt`` — the package's own and its ``device`` extra's
requirements, read from the installed package's metadata — which the recipe's Install
step pip-installs into the component's venv.

Recipes keep ``{BUCKET_NAME}`` (and ``{REGION}``) unless a bucket is given: as with GDK,
those are known only when publishing.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import ghela
from ghela.packaging.validation import PackagingError, fill_placeholders, validate_recipe
from ghela.runtime.recipes import ci_get, read_document

DISTRIBUTION = "ghelamco-alert"
ARTIFACT_NAME = "ghela.zip"
PACKAGE_DATA = (".py", ".yaml", ".json", ".ics", ".html")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class BuiltComponent:
    name: str
    version: str
    recipe: Path
    artifacts: tuple[Path, ...]


def device_requirements(distribution: str = DISTRIBUTION) -> list[str]:
    """The package's own requirements plus its ``device`` extra's, without markers."""
    try:
        requires = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise PackagingError(f"{distribution} is not installed; run ./dev up or pip install -e .") from exc
    wanted = []
    for requirement in requires:
        spec, _, marker = requirement.partition(";")
        marker = marker.strip()
        device = not marker or re.fullmatch(r"""extra\s*==\s*["']device["']""", marker)
        if device and spec.strip() not in wanted:
            wanted.append(spec.strip())
    return wanted


def build_artifact(target: Path, source: Path | None = None, requirements: list[str] | None = None) -> Path:
    """Write the reproducible ``ghela.zip`` to ``target``; returns it."""
    package = source or Path(ghela.__file__).resolve().parent
    lines = requirements if requirements is not None else device_requirements()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files = sorted(
            p
            for p in package.rglob("*")
            if p.is_file() and p.suffix in PACKAGE_DATA and "__pycache__" not in p.parts
        )
        for path in files:
            _add(archive, f"ghela/{path.relative_to(package).as_posix()}", path.read_bytes())
        _add(archive, "requirements.txt", ("\n".join(lines) + "\n").encode())
    return target


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build(
    recipe_paths: list[Path],
    out: Path,
    *,
    author: str | None = None,
    bucket: str | None = None,
    region: str | None = None,
    recipe_file: str | None = None,
) -> list[BuiltComponent]:
    """Build each recipe's component into ``out`` (GDK's greengrass-build layout)."""
    if recipe_file and len(recipe_paths) != 1:
        raise PackagingError("--recipe-file names the one recipe of a single-component build")
    artifact_cache: Path | None = None
    built = []
    for path in recipe_paths:
        document = read_document(path)
        name, version = str(ci_get(document, "ComponentName")), str(ci_get(document, "ComponentVersion"))
        values = {
            "COMPONENT_NAME": name,
            "COMPONENT_VERSION": version,
            "COMPONENT_AUTHOR": author or str(ci_get(document, "ComponentPublisher", "")),
        }
        if bucket:
            values["BUCKET_NAME"] = bucket
        if region:
            values["REGION"] = region
        validate_recipe(document, str(path))
        filled = fill_placeholders(document, values)
        artifacts = []
        for uri in _artifact_uris(filled):
            filename = uri.rstrip("/").rsplit("/", 1)[-1]
            if filename != ARTIFACT_NAME:
                raise PackagingError(f"{path}: the build makes {ARTIFACT_NAME}, not {filename}")
            target = out / "artifacts" / name / version / filename
            if artifact_cache is None:
                artifact_cache = build_artifact(target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(artifact_cache, target)
            artifacts.append(target)
        recipe_out = out / "recipes" / (recipe_file or f"{name}.yaml")
        recipe_out.parent.mkdir(parents=True, exist_ok=True)
        recipe_out.write_text(yaml.safe_dump(filled, sort_keys=False, width=120), encoding="utf-8")
        built.append(BuiltComponent(name, version, recipe_out, tuple(artifacts)))
    return built


def _artifact_uris(recipe: dict[str, Any]) -> list[str]:
    uris = []
    for manifest in ci_get(recipe, "Manifests") or []:
        for artifact in ci_get(manifest, "Artifacts") or []:
            uri = ci_get(artifact, "URI")
            if isinstance(uri, str) and uri not in uris:
                uris.append(uri)
    return uris
