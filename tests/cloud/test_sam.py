"""AWS's own tools on the template, as far as a machine without an AWS account can go:
``sam validate --lint`` and ``sam build`` (the SAM CLI from .venv-sam, which ``./dev``
installs) with the very commands ``ghela deploy`` runs, and cfn-lint on the CloudFormation
the SAM transform makes (the template as CloudFormation will really run it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cfnlint.api import lint_file
from ghela_cloud.deploy import sam
from ghela_cloud.deploy.package import stage_lambda_source

from tests.cloud.sam_transform import transformed_template
from tests.cloud.template_render import REGION, TEMPLATE, load_template

REPO = Path(__file__).resolve().parents[2]
SAM_BIN = REPO / ".venv-sam" / "bin"


def _sam_environment(python: Path | None = None) -> dict[str, str]:
    if not (SAM_BIN / "sam").exists():
        pytest.skip(f"no SAM CLI in {SAM_BIN}: ./dev test installs it (.ci/sam-requirements.txt)")
    env = sam.environment_with(python) if python else sam.environment_with(SAM_BIN / "sam")
    env["PATH"] = f"{SAM_BIN}:{env['PATH']}"
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_the_template_needs_the_python_the_deploy_looks_for() -> None:
    assert load_template()["Globals"]["Function"]["Runtime"] == sam.LAMBDA_PYTHON


def test_the_cloudformation_the_sam_transform_makes_is_cfn_lint_clean(tmp_path: Path) -> None:
    generated = tmp_path / "transformed.json"
    generated.write_text(json.dumps(transformed_template(["ghela-office-pi", "ghela-annex-pi"]), indent=1))
    assert [str(m) for m in lint_file(generated)] == []


def test_sam_validate_lint_accepts_the_template() -> None:
    result = _run(sam.validate_command(TEMPLATE, REGION), TEMPLATE.parent, _sam_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_sam_build_builds_the_functions(tmp_path: Path) -> None:
    python = sam.find_runtime_python()
    if python is None:
        pytest.skip(
            f"no {sam.LAMBDA_PYTHON} on this machine (PATH or pyenv): sam build needs the Lambda runtime"
        )
    env = _sam_environment(python)
    project = tmp_path / "cloud"
    project.mkdir()
    shutil.copy2(TEMPLATE, project / TEMPLATE.name)
    stage_lambda_source(project / ".build" / "api")
    build = tmp_path / "built"
    result = _run(sam.build_command(project / TEMPLATE.name, build), project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    built = build / "EventsFunction"
    assert (built / "ghela_cloud" / "api" / "handlers" / "events.py").is_file()
    assert (built / "aws_lambda_powertools").is_dir() and (built / "pydantic").is_dir()
    assert (build / "template.yaml").is_file()
    # sam build ships no bytecode; ghela deploy compiles it, and the handler then imports
    # from the built function alone (no boto3 there: the runtime brings it, on first use)
    assert not list(built.glob("ghela_cloud/**/*.pyc"))
    compiled = _run(sam.bytecode_command(python, build), project, env)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert (built / "ghela_cloud" / "api" / "handlers" / "__pycache__" / "events.cpython-312.pyc").is_file()
    code = (
        f"import sys; sys.path[:0] = [{str(built)!r}]; import ghela_cloud.api.handlers.events as m; "
        "assert m.__file__.startswith(sys.path[0]) and 'boto3' not in sys.modules"
    )
    imported = _run([str(python), "-I", "-S", "-B", "-c", code], project, {"AWS_REGION": REGION})
    assert imported.returncode == 0, imported.stderr
