"""Notifications from the page in Chromium: a user turns on push and e-mail for final calls,
and the demo game's final call reaches the local push endpoint, encrypted for that browser.

What is real: the page under the CSP, the manifest, sw.js registered as the page's service
worker, the notification permission (granted as a user would), the page's own subscribe
code (register, ready, permission, ``pushManager.subscribe`` with the API's VAPID key,
``subscription.toJSON()`` posted to the API), the browser's own P-256 key pair and auth
secret (made by the page's WebCrypto), the planner reading moto's stream, the schedules
in moto, the sender's VAPID-signed, aes128gcm-encrypted request, decrypted here with the
page's private key and its VAPID token checked by ``py_vapid``.

What is not, and why: headless Chromium has no push service (a browser's subscribe asks
its vendor's push service, e.g. FCM for Chrome, for an endpoint; there is none to reach
here, and the test first shows that the real ``subscribe`` refuses). So only
``PushManager.prototype.subscribe`` is replaced: it checks the options as the Push API
does (``userVisibleOnly``, a P-256 ``applicationServerKey``), makes the keys as a browser
does, and answers the endpoint a push service would give, this test's local push
endpoint. The service worker's ``push`` event is not fired.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ghela.core.clock import FrozenClock
from ghela_cloud.local.aws import local_session
from ghela_cloud.notify.local import Receiver, ScheduleFirer, StreamPoller, notify_settings_for
from ghela_cloud.notify.secrets import application_server_key
from ghela_cloud.notify.wiring import Notify
from playwright.sync_api import expect

from tests.e2e.conftest import artifact
from tests.e2e.pages import sign_in
from tests.support.demogame import TITLE, demo_first_game
from tests.support.webpush import Browser, verify_vapid

pytestmark = [pytest.mark.browser, pytest.mark.moto]

WORDS = {
    "en": {
        "email": "E-mail",
        "push": "Push on this device",
        "final": "Final calls only",
        "save": "Save",
        "saved": "Saved.",
        "one_device": "1 device gets push.",
        "heading": "Notifications",
        "every": "Every alert",
        "team": "Team channel (administrators)",
        "webhook": "Incoming webhook URL",
        "set_webhook": "Set the team's webhook",
    },
    "nl": {
        "email": "E-mail",
        "push": "Pushmelding op dit toestel",
        "final": "Alleen laatste oproepen",
        "save": "Opslaan",
        "saved": "Opgeslagen.",
        "one_device": "1 toestel krijgt pushmeldingen.",
        "heading": "Meldingen",
        "every": "Elke waarschuwing",
        "team": "Teamkanaal (beheerders)",
        "webhook": "URL van de inkomende webhook",
        "set_webhook": "De webhook van het team instellen",
    },
}

PUSH_SERVICE_STAND_IN = (Path(__file__).parent / "push_service_stand_in.js").read_text(encoding="utf-8")
REAL_SUBSCRIBE = """(key) => navigator.serviceWorker.ready.then((registration) => Promise.race([
  window.realSubscribe.call(registration.pushManager, { userVisibleOnly: true, applicationServerKey: key })
    .then(() => "subscribed", (failure) => `refused: ${failure.name}`),
  new Promise((resolve) => setTimeout(() => resolve("no answer"), 5000)),
]))"""


@pytest.mark.parametrize("language", ["nl"])  # the page's default; both: the test below
def test_push_and_email_for_final_calls_reach_the_local_push_endpoint(page, cloud, language):
    words = WORDS[language]
    push = Receiver("push", echo=False)
    try:
        endpoint = f"{push.url}/push/e2e"
        page.context.grant_permissions(["notifications"], origin=cloud.url)
        page.add_init_script(f"({PUSH_SERVICE_STAND_IN})({json.dumps(endpoint)})")
        admin = cloud.resources
        sign_in(page, cloud.url, admin.demo_email, admin.demo_password, "notifications", language)
        expect(page.get_by_role("heading", name=words["heading"], exact=True)).to_be_visible()
        page.get_by_label(words["email"], exact=True).check()
        page.get_by_label(words["push"]).check()
        page.get_by_label(words["final"]).check()
        page.get_by_role("button", name=words["save"]).click()
        expect(page.get_by_text(words["saved"])).to_be_visible()
        expect(page.get_by_text(words["one_device"])).to_be_visible()

        session = local_session(cloud.resources.region)
        now = datetime.now(UTC).replace(microsecond=0)
        clock = FrozenClock(now)
        parts = Notify(notify_settings_for(cloud.resources), clock=clock, session=session)
        vapid_key = application_server_key(parts.secrets.vapid())
        made = page.evaluate("window.pushTest")
        assert made["serverKey"] == vapid_key  # the page subscribed with the API's VAPID key
        # Why the stand-in: the real subscribe has no push service to ask.
        assert page.evaluate(REAL_SUBSCRIBE, vapid_key) == "refused: AbortError"
        scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
        assert scope == f"{cloud.url}/"
        manifest = page.evaluate("fetch('manifest.webmanifest').then((r) => r.json())")
        assert manifest["display"] == "standalone"
        browser = Browser.from_page(made["privateJwk"], made["auth"], endpoint)

        ses = parts.client("ses")
        ses.verify_email_identity(EmailAddress=cloud.resources.demo_email)
        poller = StreamPoller(parts, cloud.resources.events_table)
        poller.skip_to_now()
        game = demo_first_game(now, revision=1)  # as `ghela up --demo` started now
        early, final = game.alerts
        cloud.put_events([game], synced_at=now)
        poller.poll()
        [added] = [browser.decrypt(r.body) for r in push.received]  # added within the week
        assert added["title"] == f"Gewijzigd: {TITLE} / Changed: {TITLE}"
        firer = ScheduleFirer(parts)

        clock.advance(early.starts_at - now)
        mails_before = _mails(ses)
        assert len(firer.fire_due()) == 1
        assert len(push.received) == 1 and _mails(ses) == mails_before  # not a final call

        clock.advance(final.starts_at - early.starts_at)
        assert len(firer.fire_due()) == 1
        assert _mails(ses) == mails_before + 1  # the e-mail, recorded by moto's SES
        request = push.received[-1]
        assert len(push.received) == 2 and request.path == "/push/e2e"
        assert request.headers["content-encoding"] == "aes128gcm"
        verify_vapid(request.headers["authorization"], vapid_key, endpoint)
        message = browser.decrypt(request.body)
        deadline = final.ends_at.astimezone(ZoneInfo("Europe/Brussels"))
        assert message["title"] == f"Parking leeg tegen {deadline:%H:%M} / Parking empty by {deadline:%H:%M}"
        assert message["body"].startswith(f"{TITLE}: final call.")
    finally:
        push.stop()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_preferences_and_the_team_webhook_read_in_the_chosen_language(page, cloud, language):
    words = WORDS[language]
    admin = cloud.resources
    sign_in(page, cloud.url, admin.demo_email, admin.demo_password, "notifications", language)
    expect(page.get_by_role("heading", name=words["heading"], exact=True)).to_be_visible()
    page.get_by_label(words["email"], exact=True).check()
    page.get_by_label(words["push"]).uncheck()
    page.get_by_label(words["every"]).check()
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_text(words["saved"])).to_be_visible()
    expect(page.get_by_label(words["every"])).to_be_checked()  # shown again as stored
    expect(page.get_by_role("heading", name=words["team"])).to_be_visible()
    expect(page.get_by_label(words["webhook"])).to_be_visible()
    expect(page.get_by_role("button", name=words["set_webhook"])).to_be_visible()
    page.screenshot(path=str(artifact(f"notifications_{language}")), full_page=True)


def _mails(ses) -> int:
    return sum(point["DeliveryAttempts"] for point in ses.get_send_statistics()["SendDataPoints"])
