"""The device package never imports the tools or the cloud side; the dependency points one way.

A Pi's artifact holds ``ghela`` only, so an import of ``ghela_tools`` or ``ghela_cloud``
anywhere in it (at the top of a module or inside a function, where it would only fail
when that code runs on the Pi) is refused here. ``ghela_tools`` may import both; the cloud
side, which the Lambda functions ship with ``ghela.core``, never imports the tools.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEVICE_PACKAGE = REPO / "components" / "ghela"
CLOUD_PACKAGE = REPO / "cloud" / "ghela_cloud"
FORBIDDEN = ("ghela_tools", "ghela_cloud")


def forbidden_imports(source: str, where: str, forbidden: tuple[str, ...] = FORBIDDEN) -> list[str]:
    """``where:line imports name`` for every import of a ``forbidden`` package in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, where)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        line = getattr(node, "lineno", 0)
        found += [f"{where}:{line} imports {name}" for name in names if name.split(".", 1)[0] in forbidden]
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [(DEVICE_PACKAGE, FORBIDDEN), (CLOUD_PACKAGE, ("ghela_tools",))],
    ids=["ghela", "ghela_cloud"],
)
def test_the_device_package_imports_neither_the_tools_nor_the_cloud_side(
    package: Path, forbidden: tuple[str, ...]
) -> None:
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 30  # the walk found the package
    problems = [
        problem
        for path in modules
        for problem in forbidden_imports(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPO)), forbidden
        )
    ]
    assert problems == []


def test_the_tools_are_their_own_package_outside_the_device_one() -> None:
    moved = ("runtime", "up", "packaging")
    assert not any((DEVICE_PACKAGE / name).exists() for name in moved)
    assert all((REPO / "tools" / "ghela_tools" / name / "__init__.py").is_file() for name in moved)


@pytest.mark.parametrize(
    "source",
    [
        "import ghela_tools",
        "import ghela_cloud.api.app as app",
        "from ghela_tools.runtime.recipes import load_recipes",
        "def f():\n    from ghela_cloud.local import aws\n    return aws",
        "class C:\n    def m(self):\n        import ghela_tools.up.stack",
        "import importlib\nimportlib.import_module('ghela_tools.packaging.build')",
        "__import__('ghela_cloud')",
    ],
)
def test_an_import_of_the_tools_or_the_cloud_side_is_found_wherever_it_is(source: str) -> None:
    assert len(forbidden_imports(source, "x.py")) == 1


@pytest.mark.parametrize(
    "source",
    [
        "import ghela.core.topics",
        "from ghela.locator import locate",
        "import ghela_toolsmith",
        "from . import x",
    ],
)
def test_other_imports_are_not_counted(source: str) -> None:
    assert forbidden_imports(source, "x.py") == []
