"""``ghela gdk build``: every component into GDK's ``greengrass-build/`` layout.

::

    greengrass-build/
      recipes/<ComponentName>.yaml                 the recipe, placeholders filled
      artifacts/<ComponentName>/<version>/ghela.zip
      artifacts/com.ghelamco.alert.PythonEnv/<version>/python-env-<machine>.zip

The recipe's file name is what ``gdk component publish`` reads: GDK takes the name of the
project's ``recipe.yaml`` after resolving links (``GDKProject._get_recipe_file``:
``.resolve()``), and every GDK project's ``recipe.yaml`` links to
``recipes/<ComponentName>.yaml``; ``PublishRecipeTransformer.transform`` then opens
``greengrass-build/recipes/<that name>`` (aws-greengrass-gdk-cli 1.6.2).

The five components' artifact is the same reproducible zip (sorted entries, fixed
timestamps, so the same source gives the same digest): the device package ``ghela``
(``components/ghela``: Python files and package data, no caches) and nothing else: the
developer's tools (``ghela_tools``: this packager, the local runtime, ``ghela up``) and the
cloud side (``ghela_cloud``) are packages of their own and never reach a Pi.
:func:`describe_artifact` is what ``ghela gdk build`` prints of each artifact.

PythonEnv's artifact, one per architecture, holds the hashed lock, the installer and a
wheel for every locked requirement (:mod:`ghela_tools.packaging.wheels`);
``{PYTHON_ENV_KEY}`` in the recipes becomes the lock's hash. The local runtime runs a
recipe folder as this build would write it (:func:`as_built`), so a component started
from ``recipes/`` runs from the same ``env-<lock hash>`` path as on a Pi.

Recipes keep ``{BUCKET_NAME}`` (and ``{REGION}``) unless a bucket is given: as with GDK,
those are known only when publishing.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ghela
import yaml

from ghela_tools.packaging import wheels
from ghela_tools.packaging.validation import PackagingError, fill_placeholders, validate_recipe
from ghela_tools.runtime.recipes import Recipe, ci_get, read_document

DISTRIBUTION = "ghelamco-alert"
ARTIFACT_NAME = "ghela.zip"
PYTHON_ENV_ARTIFACT = re.compile(r"python-env-(?P<machine>[a-z0-9_]+)\.zip")
PACKAGE_DATA = (".py", ".yaml", ".json", ".ics", ".html")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
LISTED_ENTRIES = 20
"""A folder in an artifact is shown with its entries up to this many, else with its count."""


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


def check_lock(lock: Path = wheels.LOCK) -> None:
    """PackagingError unless the lock pins every device requirement (it is made from them)."""
    pinned = {
        _normalized(line.split("==", 1)[0]) for line in lock.read_text("utf-8").splitlines() if "==" in line
    }
    missing = sorted(
        spec
        for spec in device_requirements()
        if _normalized(re.split(r"[\s<>=!~\[;]", spec)[0]) not in pinned
    )
    if missing:
        raise PackagingError(
            f"{lock.name} does not pin {', '.join(missing)}: regenerate it with the command in its header"
        )


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).strip().lower()


def build_artifact(target: Path, source: Path | None = None) -> Path:
    """Write the reproducible ``ghela.zip`` to ``target``; returns it."""
    package = source or Path(ghela.__file__).resolve().parent
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files = sorted(
            p
            for p in package.rglob("*")
            if p.is_file() and p.suffix in PACKAGE_DATA and "__pycache__" not in p.parts
        )
        for path in files:
            _add(archive, f"ghela/{path.relative_to(package).as_posix()}", path.read_bytes())
    return target


def describe_artifact(path: Path) -> str:
    """The artifact's size and top-level contents, in one line.

    ``ghela.zip  612,345 bytes: ghela/ (__init__.py, cli.py, cloudsync/, core/, ...)``; a
    folder with more than :data:`LISTED_ENTRIES` entries shows its count (``wheels/ (85)``).
    """
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    folders: dict[str, set[str]] = {}
    files: list[str] = []
    for name in names:
        top, _, rest = name.partition("/")
        if not rest:
            files.append(top)
            continue
        child, nested, _ = rest.partition("/")
        folders.setdefault(top, set()).add(child + ("/" if nested else ""))
    parts = sorted(files)
    for folder, entries in sorted(folders.items()):
        shown = ", ".join(sorted(entries)) if len(entries) <= LISTED_ENTRIES else str(len(entries))
        parts.append(f"{folder}/ ({shown})")
    return f"{path.name}  {path.stat().st_size:,} bytes: {', '.join(parts)}"


def placeholder_values(
    name: str,
    version: str,
    publisher: str,
    *,
    author: str | None = None,
    bucket: str | None = None,
    region: str | None = None,
) -> dict[str, str]:
    """What the build fills into a recipe's placeholders, as GDK does, plus ``PYTHON_ENV_KEY``.

    ``{BUCKET_NAME}`` and ``{REGION}`` only when given: as with GDK, they are known when
    publishing.
    """
    values = {
        "COMPONENT_NAME": name,
        "COMPONENT_VERSION": version,
        "COMPONENT_AUTHOR": author or publisher,
        "PYTHON_ENV_KEY": wheels.lock_key(),
    }
    if bucket:
        values["BUCKET_NAME"] = bucket
    if region:
        values["REGION"] = region
    return values


def as_built(recipe: Recipe) -> Recipe:
    """``recipe`` with its placeholders filled as :func:`build` writes it (bucket and region
    stay: the local runtime downloads nothing).

    The nucleus only ever sees built recipes. The local runtime also runs the source recipes
    in ``recipes/``; without this, their ``{PYTHON_ENV_KEY}`` stayed as written and every
    component ran from a folder literally named ``env-{PYTHON_ENV_KEY}``.
    """
    values = placeholder_values(recipe.name, recipe.version, recipe.publisher)

    def fill(value: Any) -> Any:
        return fill_placeholders(value, values)

    return replace(
        recipe,
        default_configuration=fill(recipe.default_configuration),
        setenv=fill(recipe.setenv),
        steps={
            name: replace(step, script=fill(step.script), skipif=fill(step.skipif), setenv=fill(step.setenv))
            for name, step in recipe.steps.items()
        },
        artifacts=tuple(replace(artifact, uri=fill(artifact.uri)) for artifact in recipe.artifacts),
    )


def build_python_env(target: Path, machine: str) -> Path:
    """Write ``python-env-<machine>.zip``: the lock, its installer (with its bytecode step) and the wheels.

    The nucleus unpacks it into ``{artifacts:decompressedPath}/python-env-<machine>/``.
    """
    found = wheels.wheel_files(wheels.download_wheels(machine))
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        _add(archive, "device.lock", wheels.LOCK.read_bytes())
        _add(archive, "install-env.sh", wheels.INSTALLER.read_bytes(), mode=0o755)
        _add(archive, "compile-env.sh", wheels.COMPILER.read_bytes(), mode=0o755)
        for wheel in found:  # already compressed: stored as they are
            _add(archive, f"wheels/{wheel.name}", wheel.read_bytes(), compress=False)
    return target


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644, compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = mode << 16
    archive.writestr(info, data)


def build(
    recipe_paths: list[Path],
    out: Path,
    *,
    author: str | None = None,
    bucket: str | None = None,
    region: str | None = None,
    machines: Iterable[str] = tuple(wheels.ARCHITECTURES.values()),
) -> list[BuiltComponent]:
    """Build each recipe's component into ``out`` (GDK's greengrass-build layout).

    ``machines`` limits the Python environments built (default: every architecture);
    a recipe's artifact for another one is left out.
    """
    wanted_machines = set(machines)
    check_lock()
    artifact_cache: Path | None = None
    built = []
    for path in recipe_paths:
        document = read_document(path)
        name, version = str(ci_get(document, "ComponentName")), str(ci_get(document, "ComponentVersion"))
        publisher = str(ci_get(document, "ComponentPublisher", ""))
        values = placeholder_values(name, version, publisher, author=author, bucket=bucket, region=region)
        validate_recipe(document, str(path))
        filled = fill_placeholders(document, values)
        artifacts = []
        for uri in _artifact_uris(filled):
            filename = uri.rstrip("/").rsplit("/", 1)[-1]
            target = out / "artifacts" / name / version / filename
            python_env = PYTHON_ENV_ARTIFACT.fullmatch(filename)
            if python_env is not None:
                if python_env["machine"] in wanted_machines:
                    artifacts.append(build_python_env(target, python_env["machine"]))
                continue
            if filename != ARTIFACT_NAME:
                raise PackagingError(
                    f"{path}: the build makes {ARTIFACT_NAME} or python-env-*.zip, "
                    f"not {filename}"
                )
            if artifact_cache is None:
                artifact_cache = build_artifact(target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(artifact_cache, target)
            artifacts.append(target)
        recipe_out = out / "recipes" / f"{name}.yaml"
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
