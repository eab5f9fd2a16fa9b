"""Greengrass recipes: read a folder of YAML/JSON recipes into typed, validated objects.

The nucleus treats recipe keys case-insensitively (GDK lower-cases them before validating),
so structural keys are matched without regard to case here too; the *contents* of
``DefaultConfiguration`` keep their case, since components read them by name.

Only what the local runtime needs is modelled: identity, dependencies, the default
configuration, and the lifecycle and artifacts of the first manifest that fits this
machine: Linux and its architecture, in the nucleus's names (``amd64``, ``aarch64``,
``arm``, ``x86``: ``PlatformResolver.getArchInfo`` in aws-greengrass-nucleus).
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ghela.core.errors import ConfigurationError

RECIPE_SUFFIXES = (".yaml", ".yml", ".json")
RECIPES_FOLDER = Path("recipes")
"""Where the tools look for recipes by default (relative to the working folder)."""
STEP_NAMES = ("bootstrap", "install", "startup", "run", "shutdown", "recover")


class RecipeError(ConfigurationError):
    """A recipe that cannot be read or does not make sense; the message names the file."""


@dataclass(frozen=True)
class Step:
    """One lifecycle step (Install, Run, ...), as written in the recipe (unresolved)."""

    script: str
    requires_privilege: bool = False
    skipif: str | None = None
    timeout: float | None = None
    setenv: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dependency:
    version_requirement: str
    hard: bool


@dataclass(frozen=True)
class Artifact:
    uri: str
    unarchive: bool

    @property
    def filename(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Recipe:
    name: str
    version: str
    path: Path
    publisher: str = ""
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    default_configuration: dict[str, Any] = field(default_factory=dict)
    setenv: dict[str, str] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    artifacts: tuple[Artifact, ...] = ()


def ci_get(mapping: dict[str, Any], key: str, default: Any = None) -> Any:
    """``mapping[key]`` matching the key without regard to case, as the nucleus does."""
    for name, value in mapping.items():
        if isinstance(name, str) and name.lower() == key.lower():
            return value
    return default


def read_document(path: Path) -> dict[str, Any]:
    """Parse a recipe file (YAML or JSON) into a dict; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RecipeError(f"{path}: cannot read recipe: {exc}") from exc
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe must be a mapping at the top level")
    return data


def this_architecture(machine: str | None = None) -> str:
    """The nucleus's name for this machine's architecture (``PlatformResolver.getArchInfo``)."""
    arch = (machine or platform.machine()).lower()
    if arch in ("x86_64", "amd64"):
        return "amd64"
    if arch in ("i386", "i686", "x86"):
        return "x86"
    if "arm" in arch and arch != "arm64":
        return "arm"
    return "aarch64" if arch in ("aarch64", "arm64") else arch


def load_recipe(path: Path, os_name: str = "linux", architecture: str | None = None) -> Recipe:
    """Load one recipe, picking the first manifest whose platform fits this machine."""
    data = read_document(path)
    name = _required_str(data, "ComponentName", path)
    version = _required_str(data, "ComponentVersion", path)
    manifest = _pick_manifest(data, os_name, architecture or this_architecture(), path)
    lifecycle = _manifest_lifecycle(data, manifest, path)
    configuration = ci_get(ci_get(data, "ComponentConfiguration", {}) or {}, "DefaultConfiguration", {})
    if not isinstance(configuration, dict):
        raise RecipeError(f"{path}: ComponentConfiguration.DefaultConfiguration must be a mapping")
    return Recipe(
        name=name,
        version=version,
        path=path,
        publisher=str(ci_get(data, "ComponentPublisher", "")),
        dependencies=_dependencies(data, path),
        default_configuration=configuration,
        setenv=_setenv(ci_get(lifecycle, "Setenv"), path),
        steps={
            step: _step(value, f"{path}: {step}")
            for step in STEP_NAMES
            if (value := ci_get(lifecycle, step)) is not None
        },
        artifacts=tuple(_artifact(a, path) for a in (ci_get(manifest, "Artifacts") or [])),
    )


def load_recipes(folder: Path, os_name: str = "linux", architecture: str | None = None) -> dict[str, Recipe]:
    """Every recipe in ``folder`` by component name; two recipes of one name is an error."""
    if not folder.is_dir():
        raise RecipeError(f"recipe folder {folder} does not exist")
    recipes: dict[str, Recipe] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in RECIPE_SUFFIXES or not path.is_file():
            continue
        recipe = load_recipe(path, os_name, architecture)
        if recipe.name in recipes:
            raise RecipeError(
                f"{path}: component {recipe.name} is also defined by {recipes[recipe.name].path}"
            )
        recipes[recipe.name] = recipe
    return recipes


def _required_str(data: dict[str, Any], key: str, path: Path) -> str:
    value = ci_get(data, key)
    if not isinstance(value, str) or not value:
        raise RecipeError(f"{path}: {key} is required and must be a string")
    return value


def _pick_manifest(data: dict[str, Any], os_name: str, architecture: str, path: Path) -> dict[str, Any]:
    manifests = ci_get(data, "Manifests") or []
    if not isinstance(manifests, list):
        raise RecipeError(f"{path}: Manifests must be a list")
    for manifest in manifests:
        wanted = ci_get(manifest, "Platform") or {}
        if all(
            str(ci_get(wanted, key, "*")).lower() in ("*", "all", value)
            for key, value in (("os", os_name), ("architecture", architecture))
        ):
            return manifest
    raise RecipeError(f"{path}: no manifest for platform os={os_name} architecture={architecture}")


def _manifest_lifecycle(data: dict[str, Any], manifest: dict[str, Any], path: Path) -> dict[str, Any]:
    """The manifest's Lifecycle, or the top-level Lifecycle picked by the manifest's Selections."""
    lifecycle = ci_get(manifest, "Lifecycle")
    if lifecycle is not None:
        if not isinstance(lifecycle, dict):
            raise RecipeError(f"{path}: a manifest's Lifecycle must be a mapping")
        return lifecycle
    top = ci_get(data, "Lifecycle") or {}
    selections = ci_get(manifest, "Selections") or []
    if isinstance(selections, str):
        selections = [selections]
    for selection in [*selections, "all"]:
        chosen = ci_get(top, selection)
        if isinstance(chosen, dict):
            return chosen
    return top if any(ci_get(top, s) is not None for s in STEP_NAMES) else {}


def _step(value: Any, where: str) -> Step:
    if isinstance(value, str):
        return Step(script=value)
    if not isinstance(value, dict):
        raise RecipeError(f"{where}: a lifecycle step is a script or a mapping")
    script = ci_get(value, "Script")
    if not isinstance(script, str):
        raise RecipeError(f"{where}: Script is required")
    skipif = ci_get(value, "Skipif")
    if skipif is not None and (
        not isinstance(skipif, str) or skipif.split(None, 1)[0] not in ("exists", "onpath")
    ):
        raise RecipeError(f"{where}: Skipif must be 'exists PATH' or 'onpath EXECUTABLE'")
    timeout = ci_get(value, "Timeout")
    try:
        timeout_value = float(timeout) if timeout is not None else None
    except ValueError as exc:
        raise RecipeError(f"{where}: Timeout must be a number of seconds") from exc
    privilege = ci_get(value, "RequiresPrivilege", False)
    return Step(
        script=script,
        requires_privilege=str(privilege).lower() == "true",
        skipif=skipif,
        timeout=timeout_value,
        setenv=_setenv(ci_get(value, "Setenv"), where),
    )


def _setenv(value: Any, where: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecipeError(f"{where}: Setenv must be a mapping of names to values")
    return {str(k): _env_text(v) for k, v in value.items()}


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dependencies(data: dict[str, Any], path: Path) -> dict[str, Dependency]:
    raw = ci_get(data, "ComponentDependencies") or {}
    if not isinstance(raw, dict):
        raise RecipeError(f"{path}: ComponentDependencies must be a mapping")
    result = {}
    for name, given in raw.items():
        spec = given or {}
        if not isinstance(spec, dict):
            raise RecipeError(f"{path}: dependency {name} must map VersionRequirement and DependencyType")
        kind = str(ci_get(spec, "DependencyType", "HARD")).upper()
        if kind not in ("HARD", "SOFT"):
            raise RecipeError(f"{path}: dependency {name}: DependencyType must be HARD or SOFT")
        result[str(name)] = Dependency(str(ci_get(spec, "VersionRequirement", "*")), kind == "HARD")
    return result


def _artifact(raw: Any, path: Path) -> Artifact:
    uri = ci_get(raw, "URI") if isinstance(raw, dict) else None
    if not isinstance(uri, str):
        raise RecipeError(f"{path}: every artifact needs a URI")
    return Artifact(uri=uri, unarchive=str(ci_get(raw, "Unarchive", "NONE")).upper() == "ZIP")
