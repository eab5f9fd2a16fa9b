"""``ghela.cli.main`` in a fresh interpreter, to see what a command imports (its start-up cost)."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class FreshRun:
    exit_code: int
    stdout: str
    """What the command printed (without the module list)."""
    stderr: str
    loaded: frozenset[str]
    """Every module in ``sys.modules`` when ``main`` had returned."""


def run_fresh(argv: list[str]) -> FreshRun:
    code = f"import sys; from ghela import cli\ncode = cli.main({argv!r})\nprint(code, sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *printed, last = out.stdout.splitlines()
    exit_code, modules = last.split(" ", 1)
    return FreshRun(int(exit_code), "\n".join(printed), out.stderr, frozenset(ast.literal_eval(modules)))
