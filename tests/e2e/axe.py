"""axe-core (Deque's accessibility engine, from npm) run inside the page under test.

The package is installed at test time into ``.cache/axe`` (git-ignored) with npm, the one
registry the tests may reach; a machine without npm skips these checks with the reason.
The source is evaluated through the DevTools protocol, which the page's CSP (``script-src
'self'``) does not govern, so the page's own policy stays as it is in production.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

AXE_VERSION = "4.11.0"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "axe"
SOURCE = CACHE / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_source() -> str:
    """axe.min.js of AXE_VERSION, installed with npm on first use."""
    package = CACHE / "node_modules" / "axe-core" / "package.json"
    if not (SOURCE.exists() and f'"version": "{AXE_VERSION}"' in package.read_text(encoding="utf-8")):
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is missing: install it (apt-get install npm) for the accessibility checks")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(CACHE),
                "--no-save",
                "--no-package-lock",
                "--no-audit",
                "--no-fund",
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return SOURCE.read_text(encoding="utf-8")


def serious_violations(page, source: str) -> list[dict[str, object]]:
    """axe's serious and critical violations of the page as it is now (WCAG 2.1 A/AA rules)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {source}\n}}")
    tags = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
    result = page.evaluate(f"() => axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}}})")
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
