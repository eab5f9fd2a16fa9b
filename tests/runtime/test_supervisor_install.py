"""The real Install step of a project recipe, from a built artifact, offline.

Everywhere else the runtime's developer mode links each component's venv to the test's own
environment, so Install is skipped. Here the Scraper's artifact is built as for a Pi
(``ghela gdk build``), staged and unzipped by the runtime, and its Install script runs as
written: it creates the venv and pip-installs requirements.txt. pip is kept offline
(``PIP_NO_INDEX``) and finds every requirement already satisfied through ``PYTHONPATH``
(this environment's site-packages), so the step runs whole without the internet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import ghela
import pytest
from ghela.packaging.build import build

from tests.support.runtime import RECIPES, SCRAPER, LocalRuntime

pytestmark = pytest.mark.runtime


def _system_python_matches() -> bool:
    found = shutil.which("python3")
    if found is None:
        return False
    version = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, timeout=30
    ).stdout.strip()
    return version == str(tuple(sys.version_info[:2]))


@pytest.mark.skipif(not _system_python_matches(), reason="python3 on PATH differs from the test's Python")
def test_the_real_install_step_creates_the_venv_once(tmp_path: Path) -> None:
    build([RECIPES / f"{SCRAPER}.yaml"], tmp_path / "greengrass-build")
    env = {
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": os.pathsep.join([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]),
    }
    artifacts = tmp_path / "greengrass-build" / "artifacts"
    options = {"artifacts_dir": artifacts, "env": env, "config_overrides": {SCRAPER: {"sources": []}}}
    with LocalRuntime(tmp_path, [SCRAPER], **options) as runtime:
        runtime.wait_for(SCRAPER, ["INSTALLED", "RUNNING", "ERRORED", "BROKEN", "FINISHED"], timeout=240)
        log = runtime.log(SCRAPER)
        assert "Install starting" in log and "Install skipped" not in log
        work = runtime.root / "work" / SCRAPER
        venv = work / f"venv-{ghela.__version__}"
        assert (venv / "pyvenv.cfg").is_file() and not venv.is_symlink()
        assert not list(work.glob("venv-*.partial"))
        assert any("Requirement already satisfied: pydantic" in line for line in runtime.output(SCRAPER))
        unpacked = runtime.root / "packages" / "artifacts-unarchived" / SCRAPER / ghela.__version__ / "ghela"
        assert (unpacked / "requirements.txt").is_file() and (unpacked / "ghela" / "__init__.py").is_file()
    with LocalRuntime(tmp_path, [SCRAPER], **options) as runtime:  # same root: installed already
        runtime.wait_for(SCRAPER, ["RUNNING", "ERRORED", "BROKEN", "FINISHED"], timeout=60)
        assert "Install skipped (exists" in runtime.log(SCRAPER)
