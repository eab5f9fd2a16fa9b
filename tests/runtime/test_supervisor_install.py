"""Must show: the built artifacts install offline and a component runs from them.

``ghela gdk build`` makes the artifacts (the Python environment for x86_64 here; wheels come
from PyPI once and are cached, see ghela_tools.packaging.wheels). The local runtime then runs the
*built* recipes with those artifacts, the way the nucleus would on a Pi: it stages and
unzips PythonEnv's artifact and runs its Install as written, which makes a fresh venv with
Debian's own ``/usr/bin/python3`` (3.11, as on Raspberry Pi OS bookworm) from the
artifact's wheels and lock only: pip has no index, no configuration of this machine and no
proxy that leads anywhere. Then the Scheduler's own Run starts it from that environment and
its artifact's code. A second start finds the environment and skips the Install.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import ghela
import pytest
from ghela_tools.packaging.build import build
from ghela_tools.packaging.wheels import lock_key

from tests.support.runtime import RECIPES, SCHEDULER, LocalRuntime

pytestmark = pytest.mark.runtime

PYTHON_ENV = "com.ghelamco.alert.PythonEnv"
PI_LIKE_PATH = "/usr/bin:/bin"


def _debian_python_is_3_11() -> bool:
    python = Path("/usr/bin/python3")
    if not python.exists():
        return False
    answer = subprocess.run(
        [str(python), "-c", "import sys, venv; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return answer.stdout.strip() == "(3, 11)"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.skipif(not _debian_python_is_3_11(), reason="needs Debian's python3 3.11 with venv (bookworm's)")
def test_the_built_artifacts_install_offline_and_run_a_component(tmp_path: Path) -> None:
    out = tmp_path / "greengrass-build"
    build(sorted(RECIPES.glob("*.yaml")), out, machines=("x86_64",))
    offline = {
        "PATH": PI_LIKE_PATH,
        "PIP_CONFIG_FILE": os.devnull,  # none of this machine's indexes or find-links
        "PIP_NO_INDEX": "1",
        "HTTPS_PROXY": "http://127.0.0.1:9",  # and anything that would still go out, fails
        "HTTP_PROXY": "http://127.0.0.1:9",
        "PYTHONPATH": "",
        "VIRTUAL_ENV": "",
        "PYTHONDONTWRITEBYTECODE": "",  # not set under the Pi's nucleus (a shell here may set it)
    }
    runtime_of_the_build = functools.partial(
        LocalRuntime,
        tmp_path,
        [SCHEDULER],
        recipe_dir=out / "recipes",  # the built recipes: {PYTHON_ENV_KEY} is filled in
        artifacts_dir=out / "artifacts",
        env=offline,
        config_overrides={SCHEDULER: {"dbPath": str(tmp_path / "ghela.db")}},
    )
    environment = tmp_path / "greengrass" / "work" / PYTHON_ENV / f"env-{lock_key()}"
    with runtime_of_the_build() as runtime:
        runtime.wait_for_state(PYTHON_ENV, "FINISHED", "BROKEN", timeout=600)
        log = runtime.log(PYTHON_ENV)
        assert runtime.state(PYTHON_ENV) == "FINISHED", log[-4000:]
        assert "Install starting" in log and f"environment env-{lock_key()} ready" in log
        runtime.wait_for_output(SCHEDULER, "started", timeout=120)
        pid = runtime.record(SCHEDULER).pid
        assert pid is not None
        assert Path(f"/proc/{pid}/exe").resolve() == Path("/usr/bin/python3").resolve()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert command[0].decode() == f"{environment}/bin/python3"
        seen = dict(
            line.split("=", 1) for line in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in line
        )
        assert seen["PYTHONOPTIMIZE"] == "2" and seen["PYTHONPYCACHEPREFIX"] == f"{environment}/pycache"
        # The Scheduler's own modules, compiled at its start, are kept in the prefix too.
        code = Path(seen["PYTHONPATH"]).resolve() / "ghela" / "scheduler"
        assert (environment / "pycache" / code.relative_to("/") / "service.cpython-311.opt-2.pyc").is_file()
    assert (environment / "pyvenv.cfg").is_file() and not environment.is_symlink()
    site = environment / "lib" / "python3.11" / "site-packages"
    assert (site / "pydantic").is_dir() and (site / "awsiot").is_dir()
    assert not (site / "ghela").exists()  # the code comes from the component's own artifact
    assert not list(environment.parent.glob("*.partial"))
    # Install compiled the standard library and the environment for python -OO, under the prefix.
    prefix = environment / "pycache"
    assert (prefix / "usr" / "lib" / "python3.11" / "json" / "__init__.cpython-311.opt-2.pyc").is_file()
    assert (prefix / site.relative_to("/") / "pydantic" / "main.cpython-311.opt-2.pyc").is_file()
    artifact = out / "artifacts" / PYTHON_ENV / ghela.__version__ / "python-env-x86_64.zip"
    print(f"\npython-env-x86_64.zip {artifact.stat().st_size / 1e6:.1f} MB; "
          f"installed environment {_size(environment) / 1e6:.1f} MB")  # fmt: skip

    with runtime_of_the_build() as runtime:  # same root: installed already
        runtime.wait_for_state(PYTHON_ENV, "FINISHED", timeout=60)
        assert "Install skipped (exists" in runtime.log(PYTHON_ENV)
        runtime.wait_for_state(SCHEDULER, "RUNNING", timeout=60)
