"""The team channel's message in each kind's own format: Teams gets an Adaptive Card
message that Microsoft's Adaptive Card schema accepts, Slack its mrkdwn text; the admin
must say which kind a webhook is."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from ghela.core.messages.snapshots import AlertSnapshot, EventSnapshot, EventState
from ghela.core.wiretypes import LightPattern
from ghela_cloud.notify.chat import ADAPTIVE_CARD, ChatKind, chat_payload, shown_text
from ghela_cloud.notify.messages import Kind, Notification, render
from ghela_cloud.notify.prefs import WebhookBody
from pydantic import ValidationError

from tests.support.adaptivecard import adaptive_card_schema

SCHEMA_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "adaptive-card-schema"
"""Git-ignored, as the axe check's ``.cache/axe``; not pytest's cache, which a run may switch off."""
KICKOFF = datetime(2026, 12, 20, 17, 30, tzinfo=UTC)
BRUSSELS = ZoneInfo("Europe/Brussels")
GAME = EventSnapshot(
    event_id=12,
    kind="game",
    key="jpl-kaa-gent-club-brugge",
    title="KAA Gent - Club Brugge",
    start=KICKOFF,
    state=EventState.SCHEDULED,
    revision=5,
    alerts=[
        AlertSnapshot(
            alert_id=31,
            label="final call",
            starts_at=KICKOFF - timedelta(hours=4),
            ends_at=KICKOFF - timedelta(hours=3),
            pattern=LightPattern.STEADY,
        )
    ],
)
NOTICES = [
    Notification(
        kind=Kind.ALERT, device="pi", event_id=12, alert_id=31, revision=5, starts_at=GAME.alerts[0].starts_at
    ),
    Notification(kind=Kind.LATE_CHANGE, device="pi", event_id=12, revision=5),
]


@pytest.fixture(scope="module")
def card_schema() -> jsonschema.Draft6Validator:
    schema = adaptive_card_schema(SCHEMA_CACHE)
    assert schema["$schema"].startswith("http://json-schema.org/draft-06/")
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema)


def _card(message: dict[str, Any]) -> dict[str, Any]:
    """The envelope Teams' incoming webhooks take: a message with one Adaptive Card."""
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    card: dict[str, Any] = attachment["content"]
    return card


@pytest.mark.parametrize("notice", NOTICES, ids=lambda n: n.kind.value)
def test_teams_gets_an_adaptive_card_the_schema_accepts(
    card_schema: jsonschema.Draft6Validator, notice: Notification
) -> None:
    title, text = render(notice, GAME, BRUSSELS)
    message = json.loads(chat_payload(ChatKind.TEAMS, title, text))
    card = _card(message)
    assert list(card_schema.iter_errors(card)) == []
    assert card["type"] == "AdaptiveCard" and card["version"] and card["body"]
    shown = shown_text(message).splitlines()
    dutch, english = text.splitlines()
    assert shown == [title, dutch, english]


def test_the_schema_refuses_a_card_teams_would_refuse(card_schema: jsonschema.Draft6Validator) -> None:
    card = _card(json.loads(chat_payload(ChatKind.TEAMS, "Parking leeg tegen 15:30", "nl\nen")))
    del card["version"]
    assert {e.message for e in card_schema.iter_errors(card)} == {"'version' is a required property"}
    card = {**card, "version": "1.2", "body": [{"type": "TextBlock"}]}  # a TextBlock needs its text
    assert list(card_schema.iter_errors(card))


def test_slack_gets_its_mrkdwn_text() -> None:
    title, text = render(NOTICES[0], GAME, BRUSSELS)
    message = json.loads(chat_payload(ChatKind.SLACK, title, text))
    assert message == {"text": f"*{title}*\n{text}"}
    assert "Parking leeg tegen 15:30" in message["text"] and "Parking empty by 15:30" in message["text"]


def test_the_admin_says_which_kind_a_webhook_is() -> None:
    with pytest.raises(ValidationError) as refused:
        WebhookBody.model_validate({"url": "https://example.webhook.office.com/webhookb2/abc"})
    assert [e["loc"] for e in refused.value.errors()] == [("kind",)]
    with pytest.raises(ValidationError):
        WebhookBody.model_validate({"url": "https://hooks.slack.com/services/T/B/x", "kind": "discord"})
    assert WebhookBody.model_validate({"url": None, "kind": "slack"}).kind is ChatKind.SLACK
