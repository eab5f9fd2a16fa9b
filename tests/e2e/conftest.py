"""Browser fixtures: Debian's Chromium driven headless by Playwright, one context per test,
a screenshot of every test's last page under ``test-artifacts/``.

Playwright's own browser download needs the internet, so the tests use the system's
``/usr/bin/chromium`` and are skipped (with the reason) when it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cloud import LocalCloud
from tests.support.moto import MotoServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"


@pytest.fixture
def viewport() -> dict[str, int]:
    return DESK


@pytest.fixture
def language() -> str:
    """The page's language for a test: English unless the test asks for Dutch (the page's
    own default, which a test gets by choosing ``"nl"``)."""
    return "en"


def new_context(browser, viewport: dict[str, int] = DESK, language: str = "en"):
    """A fresh context (no session) whose page starts in ``language`` (as if chosen before)."""
    context = browser.new_context(viewport=viewport)
    context.add_init_script(f"localStorage.setItem('ghela.lang', {language!r})")
    return context


@pytest.fixture
def page(browser, viewport, language, request) -> Iterator[object]:
    """A fresh browser context (no session) and page; errors in the page, and anything the
    Content-Security-Policy blocked, fail the test."""
    context = new_context(browser, viewport, language)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The local server sends the CSP CloudFront sends; Chromium reports what it blocks.
    page.on(
        "console",
        lambda message: errors.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    try:
        yield page
    finally:
        try:
            page.screenshot(path=str(artifact(request.node.name)), full_page=True)
        finally:
            context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def axe_source() -> str:
    from tests.e2e.axe import axe_source as source

    return source()


@pytest.fixture(scope="module")
def cloud(moto_server: MotoServer) -> Iterator[LocalCloud]:
    """moto provisioned under a fresh prefix, and the local API + page server."""
    local = LocalCloud(moto_server).start()
    try:
        yield local
    finally:
        local.stop()
