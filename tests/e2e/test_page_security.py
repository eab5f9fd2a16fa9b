"""The page's security as a user meets it in Chromium: served under the CSP CloudFront
sends (and the CSP enforced), SRP sign-in, the optional authenticator app set up with its
QR code and asked for at the next sign-in, tokens only in sessionStorage."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from ghela_cloud.local.provision import ensure_user, generate_password
from ghela_cloud.webheaders import content_security_policy
from playwright.sync_api import expect

from tests.e2e.conftest import new_context
from tests.e2e.pages import sign_in
from tests.support.totp import fresh_totp_window, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.moto]


def _colleague(cloud) -> tuple[str, str]:
    """A user of this test alone (MFA set on the demo user would reach other tests)."""
    email, password = f"mfa-{uuid.uuid4().hex[:8]}@ghelamco-alert.local", generate_password()
    ensure_user(cloud.client("cognito-idp"), cloud.resources.user_pool_id, email, password)
    cloud.server.api.cognito.remember(email, password)
    return email, password


def test_the_page_comes_with_the_csp_and_chromium_enforces_it(browser, cloud):
    response = requests.get(f"{cloud.url}/", timeout=10)
    assert response.headers["Content-Security-Policy"] == content_security_policy([])
    context = new_context(browser)  # not the page fixture: this test breaks the CSP on purpose
    try:
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(cloud.url)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # the modules ran
        ran = page.evaluate("""() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.append(script);
            return window.injected === true;
        }""")
        assert ran is False
        for _ in range(40):  # Chromium reports the violation on the console shortly after
            if any("script-src 'self'" in text for text in blocked):
                break
            page.wait_for_timeout(50)
        assert any("script-src 'self'" in text for text in blocked), blocked
    finally:
        context.close()


def test_tokens_are_kept_for_the_tab_only(page, cloud):
    sign_in(page, cloud.url, cloud.resources.demo_email, cloud.resources.demo_password)
    session = page.evaluate("JSON.parse(sessionStorage.getItem('ghela.session'))")
    assert session["refreshToken"] and session["idToken"]
    # Only the language choice is remembered across tabs; no token ever is.
    assert page.evaluate("Object.keys(localStorage)") == ["ghela.lang"]


def test_an_authenticator_app_is_set_up_with_its_qr_code_and_asked_for_at_sign_in(page, cloud):
    email, password = _colleague(cloud)
    sign_in(page, cloud.url, email, password, route="security")
    expect(page.get_by_text("The authenticator app is off.")).to_be_visible()
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("code.secret").inner_text().strip()
    fresh_totp_window()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("The authenticator app is on.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    code = page.get_by_label("Code from your authenticator app")
    fresh_totp_window()
    code.fill(totp_code(secret, at=time.time() + 300))  # a code of another window
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    fresh_totp_window()
    code.fill(totp_code(secret))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("#who")).to_have_text(email)
