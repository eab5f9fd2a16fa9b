"""Validation of MQTT-style topic names and filters (local pub/sub and IoT Core alike)."""

from __future__ import annotations

MAX_TOPIC_BYTES = 65535


def check_topic_name(topic: object) -> str:
    """A topic to publish to: non-empty text without wildcards; ValueError otherwise."""
    if not isinstance(topic, str) or not topic:
        raise ValueError("topic must be a non-empty string")
    if len(topic.encode()) > MAX_TOPIC_BYTES:
        raise ValueError(f"topic is longer than {MAX_TOPIC_BYTES} bytes")
    if "+" in topic or "#" in topic:
        raise ValueError(f"topic {topic!r} contains a wildcard; publish needs a concrete topic")
    return topic


def check_topic_filter(topic_filter: object) -> str:
    """A topic filter to subscribe to: ``+`` fills a whole level, ``#`` only the last one."""
    if not isinstance(topic_filter, str) or not topic_filter:
        raise ValueError("topic filter must be a non-empty string")
    if len(topic_filter.encode()) > MAX_TOPIC_BYTES:
        raise ValueError(f"topic filter is longer than {MAX_TOPIC_BYTES} bytes")
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise ValueError(f"topic filter {topic_filter!r}: '#' must be the whole last level")
        if "+" in level and level != "+":
            raise ValueError(f"topic filter {topic_filter!r}: '+' must be a whole level")
    return topic_filter


def has_wildcard(topic_filter: str) -> bool:
    return "+" in topic_filter or "#" in topic_filter
