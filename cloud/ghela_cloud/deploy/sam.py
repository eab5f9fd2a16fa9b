"""The SAM CLI commands, with the flags the template needs, for ``ghela deploy`` and CI.

- ``--language-extensions``: the template uses ``Fn::ForEach`` (``AWS::LanguageExtensions``);
  without it ``sam build`` and ``sam validate`` fail with ``'list' object has no attribute
  'get'`` (aws-sam-cli issues #6903, #5647).
- ``sam build`` builds the functions with the Lambda runtime's own interpreter, so a
  ``python3.12`` must be on PATH (:func:`find_runtime_python` finds one, pyenv's too).

``tests/cloud/test_sam.py`` runs exactly these commands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

LAMBDA_PYTHON = "python3.12"
"""The template's ``Runtime: python3.12`` (tests/cloud/test_sam.py checks they agree)."""
LANGUAGE_EXTENSIONS = "--language-extensions"


def validate_command(template: Path, region: str) -> list[str]:
    return [
        "sam",
        "validate",
        "--lint",
        LANGUAGE_EXTENSIONS,
        "--template-file",
        str(template),
        "--region",
        region,
    ]


def build_command(template: Path, build_dir: Path | None = None) -> list[str]:
    command = ["sam", "build", LANGUAGE_EXTENSIONS, "--template-file", str(template)]
    return [*command, "--build-dir", str(build_dir)] if build_dir else command


def bytecode_command(python: Path, build_dir: Path) -> list[str]:
    """Compile every module of the built functions, so a cold start does not compile them.

    ``sam build`` ships no bytecode: it copies our source without ``*.pyc``/``__pycache__``
    (aws-lambda-builders, ``workflows/python_pip/workflow.py``, ``EXCLUDED_FILES``) and
    unzips the dependencies' wheels as they are (``packager.py``, ``_install_wheels``).
    ``/var/task`` is read-only, so each cold start compiled every module it imported (in
    ``bench/api.py`` about 1.9 s instead of 0.6 s per handler). Compiled with the runtime's
    own interpreter; ``unchecked-hash``: the zip does not keep the sources' mtimes exactly
    and the package never changes once built, so the bytecode is used without a check.
    """
    return [
        str(python), "-m", "compileall", "-q", "-j", "0",
        "--invalidation-mode", "unchecked-hash", str(build_dir),
    ]  # fmt: skip


def deploy_command(stack: str, region: str, parameter_overrides: list[str]) -> list[str]:
    return [
        "sam",
        "deploy",
        LANGUAGE_EXTENSIONS,
        "--stack-name",
        stack,
        "--region",
        region,
        "--capabilities",
        "CAPABILITY_IAM",
        "CAPABILITY_NAMED_IAM",
        "CAPABILITY_AUTO_EXPAND",
        "--resolve-s3",
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        "--parameter-overrides",
        *parameter_overrides,
    ]


def find_runtime_python(path: str | None = None) -> Path | None:
    """A ``python3.12`` that really runs: on PATH, else the newest under ``pyenv root``."""
    candidates: list[Path] = []
    found = shutil.which(LAMBDA_PYTHON, path=path)
    if found:
        candidates.append(Path(found))
    pyenv = shutil.which("pyenv", path=path)
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False).stdout.strip()
        versions = sorted(Path(root, "versions").glob("3.12.*"), reverse=True) if root else []
        candidates += [v / "bin" / LAMBDA_PYTHON for v in versions]
    for candidate in candidates:
        # a pyenv shim exists even when its version is not installed: ask it to run
        probe = subprocess.run([str(candidate), "-c", "pass"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    return None


def environment_with(python: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (this process's environment) with ``python``'s directory first on PATH."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    env.setdefault("SAM_CLI_TELEMETRY", "0")
    return env
