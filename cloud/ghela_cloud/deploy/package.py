"""Stage the Lambda functions' source: what ``sam build`` finds at ``CodeUri: .build/api``.

The handlers import ``ghela.core`` (the command models and job documents), which lives in
``components/``; SAM can only package one directory, so this copies into
``cloud/.build/api/``:

- ``ghela_cloud/`` without the parts that never run in Lambda (``local``, ``deploy``, ``cli``)
- ``ghela/__init__.py`` and ``ghela/core/`` (pure Python; needs only pydantic)
- ``requirements.txt``, which ``sam build`` installs beside them (powertools, pydantic)

``ghela deploy`` and the workflow run it before ``sam build``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CLOUD_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = CLOUD_DIR.parent
STAGE_DIR = CLOUD_DIR / ".build" / "api"
SAM_BUILD_DIR = CLOUD_DIR / ".aws-sam" / "build"
"""Where ``sam build`` (run in ``cloud/``) puts the built functions and ``sam deploy`` takes them."""

REQUIREMENTS = """\
aws-lambda-powertools[tracer]==3.37.0
pydantic==2.14.4
tzdata
icalendar==7.3.2
pywebpush==2.5.0
"""

_NOT_IN_LAMBDA = {"local", "deploy", "cli.py"}
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def stage_lambda_source(dest: Path = STAGE_DIR, repo: Path = REPO_DIR) -> Path:
    """Recreate ``dest`` with the functions' source and requirements; returns ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    source = repo / "cloud" / "ghela_cloud"
    target = dest / "ghela_cloud"
    target.mkdir()
    for entry in source.iterdir():
        if entry.name in _NOT_IN_LAMBDA or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, ignore=_IGNORE)
        else:
            shutil.copy2(entry, target / entry.name)
    (dest / "ghela").mkdir()
    shutil.copy2(repo / "components" / "ghela" / "__init__.py", dest / "ghela" / "__init__.py")
    shutil.copytree(repo / "components" / "ghela" / "core", dest / "ghela" / "core", ignore=_IGNORE)
    (dest / "requirements.txt").write_text(REQUIREMENTS)
    return dest
