"""The team channel's message, in the format of the kind of webhook an admin set.

- **Teams** (incoming webhooks made with Workflows, and the older connectors): a message
  with one Adaptive Card attachment. Microsoft's "Send adaptive cards using an incoming
  webhook" (MicrosoftDocs/msteams-docs, msteams-platform/webhooks-and-connectors/how-to/
  connectors-using.md): ``type`` must be ``"message"``, ``attachments`` holds the cards,
  each with ``contentType`` ``application/vnd.microsoft.card.adaptive`` and the card as
  ``content``; a card needs ``type: AdaptiveCard`` and ``version`` (the Adaptive Card
  schema's ``required``), its ``body`` the elements shown. Only TextBlocks are used (in
  every schema version), so the card is valid from 1.0 on; 1.2 is the docs' example.
- **Slack** (incoming webhooks of a Slack app): ``{"text": ...}`` in Slack's mrkdwn, the
  title in bold.

Each notice is two lines, Dutch then English (:func:`~ghela_cloud.notify.messages.render`);
the card gives each line its own TextBlock.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.2"


class ChatKind(StrEnum):
    TEAMS = "teams"
    SLACK = "slack"


def teams_message(title: str, text: str) -> dict[str, Any]:
    lines = [line for line in text.splitlines() if line.strip()]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": f"{title}\n{text}",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "bolder", "size": "medium", "wrap": True},
            *({"type": "TextBlock", "text": line, "wrap": True} for line in lines),
        ],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def slack_message(title: str, text: str) -> dict[str, Any]:
    return {"text": f"*{title}*\n{text}"}


def chat_payload(kind: ChatKind, title: str, text: str) -> bytes:
    message = teams_message(title, text) if kind is ChatKind.TEAMS else slack_message(title, text)
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


def shown_text(message: Any) -> str:
    """What a channel shows of a message this module made (the local receiver prints it)."""
    if isinstance(message, dict) and isinstance(message.get("attachments"), list):
        lines = [
            str(block.get("text", ""))
            for attachment in message["attachments"]
            if isinstance(attachment, dict) and isinstance(attachment.get("content"), dict)
            for block in attachment["content"].get("body", [])
            if isinstance(block, dict) and block.get("type") == "TextBlock"
        ]
        return "\n".join(lines)
    text = message.get("text") if isinstance(message, dict) else None
    return text if isinstance(text, str) else ""
