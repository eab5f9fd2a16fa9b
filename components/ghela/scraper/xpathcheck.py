"""Whether configured XPath selectors compile, without loading lxml into the Scraper itself.

lxml costs the long-lived Scraper about 4 MiB that it would only ever use to check a
configuration (the crawls, which parse pages, run in short-lived children; see
:mod:`ghela.scraper.crawler`). So the check is lxml's own compiler, ``etree.XPath``, run
in a short-lived child: the same verdict as in-process, paid only when a configuration
with selectors arrives. In a process that has lxml already (a crawl child, a test) it runs
in-process; the verdict is the same either way.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHECK_TIMEOUT_SECONDS = 30.0

_CHILD = """\
import json, sys
from ghela.scraper.xpathcheck import compile_errors
json.dump(compile_errors(json.load(sys.stdin)), sys.stdout)
"""


def xpath_errors(expressions: dict[str, str]) -> dict[str, str]:
    """For each selector (by field name) that is not valid XPath, lxml's reason."""
    if not expressions:
        return {}
    if "lxml.etree" in sys.modules:
        return compile_errors(expressions)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=json.dumps(expressions),
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_SECONDS,
            check=True,
        )
        errors = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise ValueError(f"the selectors could not be checked ({type(exc).__name__})") from None
    if not isinstance(errors, dict):
        raise ValueError("the selectors could not be checked (no verdict)")
    return {str(name): str(reason) for name, reason in errors.items()}


def compile_errors(expressions: dict[str, str]) -> dict[str, str]:
    """lxml's verdict in this process (the child's job)."""
    from lxml import etree

    errors: dict[str, str] = {}
    for name, expression in expressions.items():
        try:
            etree.XPath(expression)
        except etree.XPathSyntaxError as exc:
            errors[name] = str(exc)
    return errors
