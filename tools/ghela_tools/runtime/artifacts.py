"""Putting a component's artifacts where ``{artifacts:path}`` and ``decompressedPath`` point.

On a Pi the nucleus downloads each artifact URI (``s3://...``). The local runtime has no
S3: it takes artifacts from a local folder laid out as GDK's build output
(``greengrass-build/artifacts/<name>/<version>/<file>``, the ``--artifactDir`` habit of
``greengrass-cli deployment create``), copies each to ``{artifacts:path}`` and unpacks
``Unarchive: ZIP`` ones into ``{artifacts:decompressedPath}/<zip name without .zip>/``.

Developer mode (:func:`link_environment`): instead of running Install, which would create a
venv and pip-install from the internet, the runtime makes the folder an Install step's
``Skipif: exists {work:path}/<folder>/...`` checks stand for the developer's own Python
environment, so the Skipif holds and every component starts in seconds, offline, from the
checked-out code.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ghela.core.layout import Layout

from ghela_tools.runtime.recipes import Recipe, RecipeError


def stage_artifacts(recipe: Recipe, layout: Layout, source: Path) -> list[Path]:
    """Copy (and unzip) ``recipe``'s artifacts from ``source``; returns what was staged."""
    staged = []
    for artifact in recipe.artifacts:
        found = source / recipe.name / recipe.version / artifact.filename
        if not found.is_file():
            raise RecipeError(f"{recipe.name}: artifact {artifact.filename} not found at {found}")
        target = layout.artifacts(recipe.name, recipe.version) / artifact.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, target)
        staged.append(target)
        if artifact.unarchive:
            into = layout.decompressed(recipe.name, recipe.version) / Path(artifact.filename).stem
            if into.exists():
                shutil.rmtree(into)
            into.mkdir(parents=True)
            with zipfile.ZipFile(target) as archive:
                _check_members(archive, into, recipe.name)
                archive.extractall(into)
    return staged


def _check_members(archive: zipfile.ZipFile, into: Path, name: str) -> None:
    root = into.resolve()
    for member in archive.namelist():
        if not (root / member).resolve().is_relative_to(root):
            raise RecipeError(f"{name}: artifact member {member!r} would unpack outside {into}")


def link_environment(skipif: str | None, work_dir: Path, python_env: Path) -> Path | None:
    """Make ``work_dir/<folder>`` stand for ``python_env`` when Skipif checks a path in it.

    Every entry of ``python_env`` is linked from the folder, except its interpreters: each
    ``bin/python*`` there is a script that ``exec``s ``python_env``'s own. A link to the
    interpreter, or to the whole environment, would start Python with the folder's path as
    its ``sys.prefix``, so every installed module would have a path under the folder, and
    its bytecode, compiled for the environment's own paths into the components' bytecode
    prefix (``PYTHONPYCACHEPREFIX``, ``compile-env.sh``), would not be found: each start
    would compile it all again, in memory.

    Returns the folder (made, or there already), None when the Skipif is not of that form.
    """
    if not skipif or not skipif.startswith("exists "):
        return None
    checked = Path(skipif.removeprefix("exists ").strip())
    try:
        relative = checked.relative_to(work_dir)
    except ValueError:
        return None
    if len(relative.parts) < 2:
        return None
    folder = work_dir / relative.parts[0]
    if folder.is_symlink():  # an earlier runtime's link to the whole environment
        folder.unlink()
    if folder.exists():
        return folder
    (folder / "bin").mkdir(parents=True)
    for entry in python_env.iterdir():
        if entry.name != "bin":
            (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    for entry in (python_env / "bin").iterdir():
        stands_for = folder / "bin" / entry.name
        if entry.name.startswith("python"):
            stands_for.write_text(f'#!/bin/sh\nexec "{entry}" "$@"\n', encoding="utf-8")
            stands_for.chmod(0o755)
        else:
            stands_for.symlink_to(entry)
    return folder
