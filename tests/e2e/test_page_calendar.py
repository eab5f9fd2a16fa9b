"""The calendar page in Chromium, in Dutch and English: an admin makes the feed's address,
it serves iCalendar to a client without a sign-in, Rotate turns the old address off; staff
see no Rotate button."""

from __future__ import annotations

import re

import pytest
import requests
from ghela_cloud.local.provision import ensure_user
from playwright.sync_api import expect

from tests.cloud.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.e2e.conftest import artifact
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.moto]

WORDS = {
    "en": {
        "none": "There is no calendar address yet.",
        "make": "Make the calendar address",
        "address": "Calendar address",
        "rotate": "Rotate: make a new address",
        "how_to": "Add it to your calendar",
        "outlook": "Subscribe from web",
    },
    "nl": {
        "none": "Er is nog geen agenda-adres.",
        "make": "Het agenda-adres maken",
        "address": "Agenda-adres",
        "rotate": "Vervangen: een nieuw adres maken",
        "how_to": "Zet het in je agenda",
        "outlook": "Abonneren via web",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["nl", "en"])


@LANGUAGES
def test_an_admin_makes_and_rotates_the_calendar_address(page, cloud, language):
    words = WORDS[language]
    sign_in(page, cloud.url, cloud.resources.demo_email, cloud.resources.demo_password, "calendar", language)
    expect(page.get_by_role("heading", name=words["how_to"])).to_be_visible()
    make_or_rotate = f"^({re.escape(words['make'])}|{re.escape(words['rotate'])})$"
    either = page.get_by_role("button", name=re.compile(make_or_rotate))
    expect(either).to_be_visible()  # the feed's state has loaded
    if either.text_content() == words["rotate"]:  # the other language's run made one (one per stack)
        either.click()
    else:
        expect(page.get_by_text(words["none"])).to_be_visible()
        either.click()
    for app in ("Outlook", "Google Calendar", "Apple Calendar"):
        expect(page.locator("dl.howto dt", has_text=app)).to_be_visible()
    expect(page.locator("dl.howto dd").first).to_contain_text(words["outlook"])
    first = page.get_by_label(words["address"]).input_value()
    feed = requests.get(first, timeout=10)  # what a calendar app does: no Authorization header
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")

    page.get_by_role("button", name=words["rotate"]).click()
    expect(page.get_by_label(words["address"])).not_to_have_value(first)
    second = page.get_by_label(words["address"]).input_value()
    assert requests.get(first, timeout=10).status_code == 404
    assert requests.get(second, timeout=10).status_code == 200
    page.screenshot(path=str(artifact(f"calendar_{language}")), full_page=True)


@LANGUAGES
def test_staff_see_the_instructions_but_no_rotate_button(page, cloud, language):
    words = WORDS[language]
    ensure_user(cloud.client("cognito-idp"), cloud.resources.user_pool_id, STAFF_EMAIL, STAFF_PASSWORD)
    cloud.server.api.cognito.remember(STAFF_EMAIL, STAFF_PASSWORD)
    sign_in(page, cloud.url, STAFF_EMAIL, STAFF_PASSWORD, "calendar", language)
    expect(page.locator("dl.howto dt", has_text="Outlook")).to_be_visible()
    expect(page.locator("dl.howto dd").first).to_contain_text(words["outlook"])
    expect(page.get_by_role("button", name=words["make"])).to_have_count(0)
    expect(page.get_by_role("button", name=words["rotate"])).to_have_count(0)
