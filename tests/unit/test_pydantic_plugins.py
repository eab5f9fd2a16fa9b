"""pydantic's plugin search answered without ``importlib.metadata`` (ghela.core.pydanticplugins)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

import pytest
from ghela.core import pydanticplugins

_FIRST_BUILD = """
import json, sys
import {module}
from datetime import UTC, datetime
from ghela.core.messages.light import LightCommand
LightCommand(pattern="off", issued_at=datetime(2026, 12, 1, 12, tzinfo=UTC)).model_dump_json()
loader = sys.modules["pydantic.plugin._loader"]
print(json.dumps({{
    "metadata_loaded": "importlib.metadata" in sys.modules,
    "loader": loader.__name__,
    "stand_in": loader.get_plugins.__module__,
}}))
"""


def test_no_installed_distribution_declares_a_pydantic_plugin() -> None:
    """What makes the stand-in's empty answer the search's own answer."""
    plugins = [
        f"{dist.metadata['Name']}: {entry.name}"
        for dist in importlib.metadata.distributions()
        for entry in dist.entry_points
        if entry.group == "pydantic"
    ]
    assert plugins == []


@pytest.mark.parametrize(
    "module", ["ghela.cloudsync.service", "ghela.metrics.service", "ghela_cloud.api.handlers.jobs"]
)
def test_a_first_model_build_loads_no_importlib_metadata(module: str) -> None:
    """In a fresh process, as a component or a Lambda handler starts: the saving is real,
    and it would show here if pydantic moved its plugin search elsewhere."""
    run = subprocess.run(
        [sys.executable, "-c", _FIRST_BUILD.format(module=module)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "metadata_loaded": False,
        "loader": pydanticplugins.PYDANTIC_PLUGIN_LOADER,
        "stand_in": "ghela.core.pydanticplugins",
    }


def test_a_loader_already_loaded_is_kept() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pydantic.plugin._loader as real; import ghela; "
            "print(sys.modules['pydantic.plugin._loader'] is real)",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"


def test_the_stand_in_finds_no_plugins() -> None:
    assert list(pydanticplugins.get_plugins()) == []
