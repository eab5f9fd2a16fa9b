"""The local runtime runs the source recipes as ``ghela gdk build`` writes them.

On a Pi the nucleus only sees built recipes, whose ``{PYTHON_ENV_KEY}`` is the lock's hash
(``env-<hash>``: a changed lock, a new environment). The local runtime also runs
``recipes/`` as written; it fills the build's placeholders the same way, so no component
runs from a folder literally named ``env-{PYTHON_ENV_KEY}``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from ghela_tools.packaging.build import as_built
from ghela_tools.packaging.wheels import lock_key
from ghela_tools.runtime.recipes import Recipe, load_recipe

from tests.support.runtime import RECIPES, SCHEDULER, LocalRuntime

PYTHON_ENV = "com.ghelamco.alert.PythonEnv"
PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")
PUBLISH_TIME = {"BUCKET_NAME", "REGION"}
"""Known only when publishing (as with GDK): the runtime downloads nothing, so they stay."""


def texts(recipe: Recipe) -> list[str]:
    """Every string of ``recipe`` a script, the environment or an artifact is made of."""
    found = [*recipe.setenv.values(), *(a.uri for a in recipe.artifacts)]
    for step in recipe.steps.values():
        found += [step.script, step.skipif or "", *step.setenv.values()]
    return found


@pytest.mark.parametrize("path", sorted(RECIPES.glob("*.yaml")), ids=lambda p: p.stem)
def test_as_built_leaves_only_what_publishing_fills(path: Path) -> None:
    written = load_recipe(path)
    built = as_built(written)
    left = {name for text in texts(built) for name in PLACEHOLDER.findall(text)}
    assert left <= PUBLISH_TIME
    assert not any("{PYTHON_ENV_KEY}" in text for text in texts(built))
    if any("{PYTHON_ENV_KEY}" in text for text in texts(written)):  # the five and PythonEnv
        assert any(f"env-{lock_key()}" in text for text in texts(built))
    assert [a.uri.rsplit("/", 1)[-1] for a in built.artifacts] == [a.filename for a in written.artifacts]


@pytest.mark.runtime
def test_a_component_from_the_source_recipes_runs_from_the_locks_environment(tmp_path: Path) -> None:
    db = tmp_path / "scheduler.db"
    with LocalRuntime(tmp_path, [SCHEDULER], config_overrides={SCHEDULER: {"dbPath": str(db)}}) as runtime:
        record = runtime.wait_for_state(SCHEDULER, "RUNNING")
        runtime.wait_for_output(SCHEDULER, "Scheduler started")
        argv = Path(f"/proc/{record.pid}/cmdline").read_bytes().split(b"\0")
    environment = runtime.layout.work(PYTHON_ENV) / f"env-{lock_key()}"
    # Developer mode: the Run script execs env-<key>/bin/python3, which execs this venv's
    # own interpreter, so the component's modules have this venv's paths, for which
    # ./dev compiled their bytecode into the prefix env-<key>/pycache links to.
    assert argv[0].decode() == f"{sys.prefix}/bin/python3"
    assert f'exec "{sys.prefix}/bin/python3"' in (environment / "bin" / "python3").read_text()
    assert (environment / "pycache").resolve() == (Path(sys.prefix) / "pycache").resolve()
    assert (environment / "lib").resolve() == (Path(sys.prefix) / "lib").resolve()
    assert [p.name for p in runtime.layout.work(PYTHON_ENV).iterdir()] == [environment.name]
