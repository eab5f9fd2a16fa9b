"""Notifications from the page in Chromium: a user turns on push and e-mail for final calls,
and the demo game's final call reaches the local push endpoint, encrypted for that browser.

What is real: the page under the CSP, the manifest, sw.js registered as the page's service
worker, the notification permission (granted as a user would), the page's preferences and
subscription calls to the local API, the planner reading moto's stream, the schedule in
moto, the sender's VAPID-signed, aes128gcm-encrypted request. What is not: headless
Chromium has no push service to subscribe with (no network to one), so
``PushManager.subscribe`` is answered in the page with a subscription for the local push
endpoint whose keys this test holds; the service worker's ``push`` event is not fired.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from ghela.core.clock import FrozenClock
from ghela.core.messages import AlertSnapshot, EventSnapshot, EventState, LightPattern
from ghela_cloud.local.aws import local_session
from ghela_cloud.notify.local import Receiver, ScheduleFirer, StreamPoller, notify_settings_for
from ghela_cloud.notify.wiring import Notify
from playwright.sync_api import expect

from tests.e2e.pages import sign_in
from tests.support.webpush import Browser

pytestmark = [pytest.mark.browser, pytest.mark.moto]

FAKE_SUBSCRIBE = """(subscription) => {
  PushManager.prototype.subscribe = async function (options) {
    window.subscribedWith = Array.from(new Uint8Array(options.applicationServerKey)).length;
    return { toJSON: () => subscription };
  };
}"""


def test_push_and_email_for_final_calls_reach_the_local_push_endpoint(page, cloud):
    push = Receiver("push", echo=False)
    try:
        browser = Browser.new(f"{push.url}/push/e2e")
        page.context.grant_permissions(["notifications"], origin=cloud.url)
        page.add_init_script(f"({FAKE_SUBSCRIBE})({json.dumps(browser.subscription_json())})")
        sign_in(
            page, cloud.url, cloud.resources.demo_email, cloud.resources.demo_password, route="notifications"
        )
        page.get_by_label("E-mail").check()
        page.get_by_label("Push on this device").check()
        page.get_by_label("Final calls only").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 device get push")).to_be_visible()
        assert page.evaluate("window.subscribedWith") == 65  # the API's VAPID public key, as bytes
        scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
        assert scope == f"{cloud.url}/"
        manifest = page.evaluate("fetch('manifest.webmanifest').then((r) => r.json())")
        assert manifest["display"] == "standalone"

        now = datetime.now(UTC).replace(microsecond=0)
        clock = FrozenClock(now)
        session = local_session(cloud.resources.region)
        parts = Notify(notify_settings_for(cloud.resources), clock=clock, session=session)
        ses = parts.client("ses")
        ses.verify_email_identity(EmailAddress=cloud.resources.demo_email)
        poller = StreamPoller(parts, cloud.resources.events_table)
        poller.skip_to_now()
        kickoff = now + timedelta(days=10)
        final_call = kickoff - timedelta(hours=4)
        game = EventSnapshot(
            event_id=1,
            kind="game",
            key="demo",
            title="KAA Gent – Club Brugge KV",
            start=kickoff,
            state=EventState.SCHEDULED,
            revision=3,
            alerts=[
                AlertSnapshot(
                    alert_id=2,
                    label="final call",
                    starts_at=final_call,
                    ends_at=final_call + timedelta(hours=1),
                    pattern=LightPattern.STEADY,
                )
            ],
        )
        cloud.put_events([game], synced_at=now)
        poller.poll()
        assert push.received == []  # ten days ahead: not a late change, only a schedule
        clock.advance(final_call - now)
        mails_before = _mails(ses)
        ScheduleFirer(parts).fire_due()
        assert _mails(ses) == mails_before + 1  # the e-mail, recorded by moto's SES
        [request] = push.received
        message = browser.decrypt(request.body)
        deadline = (kickoff - timedelta(hours=3)).astimezone(ZoneInfo("Europe/Brussels"))
        assert message["title"].endswith(f"Parking empty by {deadline:%H:%M}")
    finally:
        push.stop()


def _mails(ses) -> int:
    return sum(point["DeliveryAttempts"] for point in ses.get_send_statistics()["SendDataPoints"])
