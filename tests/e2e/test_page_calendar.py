"""The calendar page in Chromium: an admin makes the feed's address, it serves iCalendar to
a client without a sign-in, Rotate turns the old address off; staff see no Rotate button."""

from __future__ import annotations

import pytest
import requests
from ghela_cloud.local.provision import ensure_user
from playwright.sync_api import expect

from tests.cloud.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.moto]


def test_an_admin_makes_and_rotates_the_calendar_address(page, cloud):
    sign_in(page, cloud.url, cloud.resources.demo_email, cloud.resources.demo_password, route="calendar")
    expect(page.get_by_text("There is no calendar address yet.")).to_be_visible()
    for app in ("Outlook", "Google Calendar", "Apple Calendar"):
        expect(page.locator("dl.howto dt", has_text=app)).to_be_visible()
    page.get_by_role("button", name="Make the calendar address").click()
    first = page.get_by_label("Calendar address").input_value()
    feed = requests.get(first, timeout=10)  # what a calendar app does: no Authorization header
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")

    page.get_by_role("button", name="Rotate: make a new address").click()
    expect(page.get_by_label("Calendar address")).not_to_have_value(first)
    second = page.get_by_label("Calendar address").input_value()
    assert requests.get(first, timeout=10).status_code == 404
    assert requests.get(second, timeout=10).status_code == 200


def test_staff_see_the_instructions_but_no_rotate_button(page, cloud):
    ensure_user(cloud.client("cognito-idp"), cloud.resources.user_pool_id, STAFF_EMAIL, STAFF_PASSWORD)
    cloud.server.api.cognito.remember(STAFF_EMAIL, STAFF_PASSWORD)
    sign_in(page, cloud.url, STAFF_EMAIL, STAFF_PASSWORD, route="calendar")
    expect(page.locator("dl.howto dt", has_text="Outlook")).to_be_visible()
    expect(page.get_by_text("calendar address", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Make the calendar address")).to_have_count(0)
