"""The supervisor's lifecycle and restart rules, with tiny recipes whose scripts are one-liners.

Each test writes its own recipes into a temporary folder and runs them under the real
runtime (processes, IPC server, logs); restarts use a fast backoff so nothing waits long.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from ghela.cli import main
from ghela_tools.runtime.logs import output_lines
from ghela_tools.runtime.recipes import RecipeError

from tests.support.runtime import RECIPES, LocalRuntime, python, write_recipe

pytestmark = pytest.mark.runtime

SLEEPER = python("import time; print('up', flush=True); time.sleep(60)")


def test_a_killed_component_comes_back(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Sleeper", {"Run": SLEEPER})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        first = runtime.wait_for_state("test.Sleeper", "RUNNING").pid
        runtime.wait_for_output("test.Sleeper", "up")
        runtime.kill("test.Sleeper")
        record = runtime.wait_for("test.Sleeper", ["RUNNING"], lambda r: r.restarts == 1 and r.pid != first)
        assert record.errors == 1
        assert record.last_exit == -9
        assert "Run exited with code -9" in record.last_error


def test_exiting_non_zero_three_times_ends_broken(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Crasher", {"Run": "echo crashing; exit 3"})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        record = runtime.wait_for_state("test.Crasher", "BROKEN")
        assert (record.errors, record.restarts, record.last_exit) == (3, 2, 3)
        assert runtime.output("test.Crasher") == ["crashing"] * 3
        assert "BROKEN" in runtime.log("test.Crasher")


def test_exiting_zero_is_finished_and_not_restarted(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Once", {"Run": "echo done"})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        record = runtime.wait_for_state("test.Once", "FINISHED")
        time.sleep(0.3)  # a restart, were there one, would have happened by now (no backoff wait)
        assert runtime.state("test.Once") == "FINISHED"
        assert (record.restarts, record.errors, record.last_exit) == (0, 0, 0)
        assert runtime.output("test.Once") == ["done"]


def test_update_state_errored_restarts_the_component(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Sleeper", {"Run": SLEEPER})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        first = runtime.wait_for_state("test.Sleeper", "RUNNING").pid
        runtime.supervisor.report_state("test.Sleeper", "ERRORED")
        record = runtime.wait_for("test.Sleeper", ["RUNNING"], lambda r: r.restarts == 1)
        assert record.pid != first
        assert record.last_error == "the component reported ERRORED"


def test_components_start_after_their_dependencies_and_stop_before_them(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    order = tmp_path / "order.txt"
    # C depends on B depends on A; A and B reach RUNNING only when their Startup scripts are
    # done (a Run script is RUNNING as soon as it is started).
    write_recipe(
        recipes,
        "test.A",
        {"Startup": f"sleep 0.2; echo A >> {order}", "Shutdown": f"echo stop-A >> {order}"},
    )
    write_recipe(
        recipes,
        "test.B",
        {"Startup": f"echo B >> {order}", "Shutdown": f"echo stop-B >> {order}"},
        depends={"test.A": "HARD"},
    )
    write_recipe(
        recipes,
        "test.C",
        {"Run": f"echo C >> {order}; exec sleep 60", "Shutdown": f"echo stop-C >> {order}"},
        depends={"test.B": "SOFT", "aws.greengrass.Nucleus": "SOFT"},
    )
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        runtime.wait_for_state("test.C", "RUNNING")
        deadline = time.monotonic() + 10
        while order.read_text().split() != ["A", "B", "C"] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert order.read_text().split() == ["A", "B", "C", "stop-C", "stop-B", "stop-A"]


def test_a_dependency_cycle_or_an_unknown_dependency_is_refused(tmp_path: Path) -> None:
    cycle = tmp_path / "cycle"
    write_recipe(cycle, "test.X", {"Run": "true"}, depends={"test.Y": "HARD"})
    write_recipe(cycle, "test.Y", {"Run": "true"}, depends={"test.X": "HARD"})
    with pytest.raises(RecipeError, match=re.escape("dependency cycle: test.X -> test.Y -> test.X")):
        LocalRuntime(tmp_path / "a", recipe_dir=cycle).__enter__()
    unknown = tmp_path / "unknown"
    write_recipe(unknown, "test.X", {"Run": "true"}, depends={"com.example.Missing": "HARD"})
    with pytest.raises(RecipeError, match=re.escape("depends on com.example.Missing")):
        LocalRuntime(tmp_path / "b", recipe_dir=unknown).__enter__()


def test_shutdown_sends_sigterm_then_kills_what_ignores_it(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    stubborn = python(
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: print('got TERM', flush=True))\n"
        "print('ready', flush=True)\n"
        "while True: time.sleep(1)"
    )
    polite = python(
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: (print('bye', flush=True), sys.exit(0)))\n"
        "print('ready', flush=True)\n"
        "while True: time.sleep(1)"
    )
    write_recipe(recipes, "test.Stubborn", {"Run": f"exec {stubborn}"})
    write_recipe(recipes, "test.Polite", {"Run": f"exec {polite}"})
    runtime = LocalRuntime(tmp_path, recipe_dir=recipes, kill_grace=0.5)
    with runtime:
        runtime.wait_for_output("test.Stubborn", "ready")
        runtime.wait_for_output("test.Polite", "ready")
    assert runtime.record("test.Stubborn").last_exit == -9
    assert "got TERM" in runtime.output("test.Stubborn")
    assert runtime.record("test.Polite").last_exit == 0
    assert "bye" in runtime.output("test.Polite")
    assert runtime.state("test.Stubborn") == runtime.state("test.Polite") == "FINISHED"


def test_each_component_logs_to_its_own_file_in_the_nucleus_format(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "com.example.One", {"Run": "echo one-out; echo one-err >&2"})
    write_recipe(recipes, "com.example.Two", {"Run": "echo two-out"})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        runtime.wait_for_state("com.example.One", "FINISHED")
        runtime.wait_for_state("com.example.Two", "FINISHED")
        logs = runtime.root / "logs"
        assert sorted(p.name for p in logs.glob("com.example.*.log")) == [
            "com.example.One.log",
            "com.example.Two.log",
        ]
        one = (logs / "com.example.One.log").read_text()
        assert "[INFO] (Copier) com.example.One: stdout. one-out. {scriptName=services.com.example.One" in one
        assert "[WARN] (Copier) com.example.One: stderr. one-err." in one
        assert "two-out" not in one
        assert runtime.output("com.example.One", stream=None) == ["one-out", "one-err"] or runtime.output(
            "com.example.One", stream=None
        ) == ["one-err", "one-out"]


def test_install_runs_once_and_skipif_skips_it(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    lifecycle = {
        "Install": {
            "Script": "echo installing; touch {work:path}/installed",
            "Skipif": "exists {work:path}/installed",
        },
        "Run": "echo running; exit 1",
    }
    write_recipe(recipes, "test.Installer", lifecycle)
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        runtime.wait_for_state("test.Installer", "BROKEN")
        assert runtime.output("test.Installer") == ["installing", "running", "running", "running"]
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:  # same root: already installed
        runtime.wait_for_state("test.Installer", "BROKEN")
        assert "Install skipped (exists" in runtime.log("test.Installer")


def test_a_step_that_times_out_is_an_error_and_recover_runs(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    lifecycle = {
        "Install": {"Script": "exec sleep 30", "Timeout": 0.2},
        "Recover": "echo recovering",
        "Run": "true",
    }
    write_recipe(recipes, "test.Slow", lifecycle)
    with LocalRuntime(tmp_path, recipe_dir=recipes, kill_grace=0.5) as runtime:
        record = runtime.wait_for_state("test.Slow", "BROKEN")
        assert record.last_error == "Install timed out after 0.2 s"
        assert runtime.output("test.Slow") == ["recovering", "recovering"]


def test_variables_environment_and_credentials_reach_the_scripts(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    show = python(
        "import json, os\n"
        "keys = ['SVCUID', 'AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT', 'AWS_IOT_THING_NAME',"
        " 'AWS_REGION', 'AWS_DEFAULT_REGION', 'GGC_VERSION', 'GREETING', 'STEP_ONLY',"
        " 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_ACCESS_KEY_ID']\n"
        "print(json.dumps({k: os.environ.get(k) for k in keys}))"
    )
    lifecycle = {
        "Setenv": {"GREETING": "{configuration:/greeting} from {iot:thingName}"},
        "Run": {
            "Script": f"echo {{work:path}} {{kernel:rootPath}} '{{configuration:/limits}}'; {show}",
            "Setenv": {"STEP_ONLY": "{artifacts:decompressedPath}"},
        },
    }
    configuration = {"greeting": "hello", "limits": {"max": 3}}
    write_recipe(recipes, "test.Cloudy", lifecycle, configuration=configuration,
                 depends={"aws.greengrass.TokenExchangeService": "HARD"})  # fmt: skip
    write_recipe(recipes, "test.Local", {"Run": show})
    env = {"AWS_ACCESS_KEY_ID": "from-the-shell"}
    with LocalRuntime(tmp_path, recipe_dir=recipes, config_overrides={"test.Cloudy": {"greeting": "hoi"}},
                      env=env) as runtime:  # fmt: skip
        runtime.wait_for_state("test.Cloudy", "FINISHED")
        runtime.wait_for_state("test.Local", "FINISHED")
        root = runtime.root
        paths, shown = runtime.output("test.Cloudy")
        assert paths == f"{root}/work/test.Cloudy {root} {json.dumps({'max': 3})}"
        cloudy = json.loads(shown)
        local = json.loads(runtime.output("test.Local")[0])
        uri, token = cloudy["AWS_CONTAINER_CREDENTIALS_FULL_URI"], cloudy["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        with urllib.request.urlopen(urllib.request.Request(uri, headers={"Authorization": token})) as answer:
            credentials = json.load(answer)
    assert cloudy["GREETING"] == "hoi from ghela-local-pi"
    assert cloudy["STEP_ONLY"] == f"{root}/packages/artifacts-unarchived/test.Cloudy/1.0.0"
    assert cloudy["AWS_IOT_THING_NAME"] == "ghela-local-pi"
    assert cloudy["AWS_REGION"] == cloudy["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert cloudy["GGC_VERSION"] and cloudy["SVCUID"] and cloudy["SVCUID"] != local["SVCUID"]
    assert cloudy["AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT"].endswith("ipc.socket")
    assert set(credentials) >= {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    # Only a TokenExchangeService dependent gets credentials, and never the shell's own.
    assert local["AWS_CONTAINER_CREDENTIALS_FULL_URI"] is None
    assert cloudy["AWS_ACCESS_KEY_ID"] is None and local["AWS_ACCESS_KEY_ID"] is None
    assert local["GREETING"] is None and local["STEP_ONLY"] is None


def test_status_command_shows_states_and_restarts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Crasher", {"Run": "exit 7"})
    write_recipe(recipes, "test.Sleeper", {"Run": SLEEPER})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        runtime.wait_for_state("test.Crasher", "BROKEN")
        runtime.wait_for_state("test.Sleeper", "RUNNING")
        assert main(["runtime", "status", "--root", str(runtime.root)]) == 0
    table = capsys.readouterr().out.splitlines()
    crasher = next(line for line in table if line.startswith("test.Crasher")).split()
    sleeper = next(line for line in table if line.startswith("test.Sleeper")).split()
    assert crasher[:5] == ["test.Crasher", "1.0.0", "BROKEN", "2", "3"]
    assert sleeper[:5] == ["test.Sleeper", "1.0.0", "RUNNING", "0", "0"]
    assert any(line.startswith("aws.greengrass.TokenExchangeService") for line in table)


def test_runtime_run_command_runs_until_sigterm_with_overrides(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Greeter", {"Run": f"echo {{configuration:/greeting}}; {SLEEPER}"},
                 configuration={"greeting": "hello"})  # fmt: skip
    overrides = tmp_path / "deployment.json"
    overrides.write_text(
        json.dumps({"components": {"test.Greeter": {"configurationUpdate": {"merge": {"greeting": "hoi"}}}}})
    )
    root = tmp_path / "root"
    command = [sys.executable, "-m", "ghela.cli", "runtime", "run", "--recipes", str(recipes),
               "--root", str(root), "--deployment", str(overrides)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        log = root / "logs" / "test.Greeter.log"
        deadline = time.monotonic() + 30
        while "stdout. up." not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert output_lines(log) == ["hoi", "up"]
        assert (
            json.loads((root / "status.json").read_text())["components"]["test.Greeter"]["state"] == "RUNNING"
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert json.loads((root / "status.json").read_text())["components"]["test.Greeter"]["state"] == "FINISHED"
    assert (root / "logs" / "greengrass.log").exists()


def test_a_hard_dependent_restarts_with_its_dependency_and_a_soft_one_does_not(tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"
    write_recipe(recipes, "test.Base", {"Run": SLEEPER})
    write_recipe(recipes, "test.Hard", {"Run": SLEEPER}, depends={"test.Base": "HARD"})
    write_recipe(recipes, "test.Soft", {"Run": SLEEPER}, depends={"test.Base": "SOFT"})
    with LocalRuntime(tmp_path, recipe_dir=recipes) as runtime:
        pids = {name: runtime.wait_for_state(name, "RUNNING").pid for name in ("test.Hard", "test.Soft")}
        runtime.wait_for_output("test.Base", "up")
        runtime.kill("test.Base")
        runtime.wait_for("test.Base", ["RUNNING"], lambda r: r.restarts == 1)
        hard = runtime.wait_for("test.Hard", ["RUNNING"], lambda r: r.restarts == 1)
        assert hard.pid != pids["test.Hard"] and hard.errors == 0
        assert "its HARD dependency test.Base errored" in runtime.log("test.Hard")
        soft = runtime.record("test.Soft")
        assert (soft.pid, soft.restarts, soft.state) == (pids["test.Soft"], 0, "RUNNING")


def test_status_without_a_runtime_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runtime", "status", "--root", str(tmp_path / "nowhere")]) == 1
    assert "no runtime status at" in capsys.readouterr().err
    (tmp_path / "status.json").write_text("{half a status")
    assert main(["runtime", "status", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ghela: error: cannot read the runtime status")


def test_runtime_run_on_a_folder_without_recipes_or_an_unusable_root_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "recipes"
    empty.mkdir()
    assert main(["runtime", "run", "--recipes", str(empty), "--root", str(tmp_path / "root")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ghela: error: no recipes in ")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    root = blocker / "root"
    assert main(["runtime", "run", "--recipes", str(RECIPES), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"ghela: error: cannot use {root} as the runtime root")
