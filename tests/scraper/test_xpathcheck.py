"""Selectors are checked by lxml's XPath compiler, in a child when the process has no lxml.

The long-lived Scraper never loads lxml (``bench/footprint.py``); a configuration with a
selector that does not compile is still refused at load, naming the field.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from ghela.scraper.config import HtmlSelectors, SourceConfig
from ghela.scraper.xpathcheck import compile_errors, xpath_errors
from pydantic import ValidationError

BROKEN = "//li[contains(@class, 'fixture'"


def test_the_default_selectors_compile() -> None:
    defaults = {name: field.default for name, field in HtmlSelectors.model_fields.items() if field.default}
    assert defaults
    assert compile_errors(defaults) == {}


def test_a_selector_that_does_not_compile_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"selector 'home' is not valid XPath"):
        SourceConfig(name="club", kind="html", url="https://example.org", selectors={"home": BROKEN})


def test_a_process_without_lxml_checks_in_a_child_with_the_same_verdict() -> None:
    code = (
        "import json, sys\n"
        "from ghela.scraper.config import SourceConfig\n"
        "from ghela.scraper.xpathcheck import xpath_errors\n"
        f"errors = xpath_errors({{'row': {BROKEN!r}, 'home': './/td[1]'}})\n"
        "try:\n"
        f"    SourceConfig(name='c', kind='html', url='https://x.org', selectors={{'time': {BROKEN!r}}})\n"
        "    refused = ''\n"
        "except ValueError as exc:\n"
        "    refused = str(exc)\n"
        "print(repr((errors, 'selector' in refused and 'time' in refused, 'lxml' in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    errors, refused, lxml_loaded = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    assert set(errors) == {"row"}
    assert errors == compile_errors({"row": BROKEN})
    assert refused
    assert not lxml_loaded


def test_no_selectors_need_no_check() -> None:
    assert xpath_errors({}) == {}
