"""Local publish/subscribe between components (Greengrass PublishToTopic/SubscribeToTopic).

Subscriptions may use MQTT wildcards, as the nucleus allows since v2.6. A subscriber also
receives its own component's messages unless it subscribed with ``include_own=False``
(the nucleus's ``RECEIVE_MESSAGES_FROM_OTHERS``, its default for wildcard filters: see
:func:`ghela_tools.runtime.operations.subscribe_to_topic`). A topic to publish to may hold no
``+``, ``#`` or ``*`` (``PubSubIPCEventStreamAgent.handlePublishToTopicRequest`` in
aws-greengrass-nucleus). Delivery is synchronous in the publisher's thread; callbacks only
queue. Thread-safe.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ghela.core.bus import topic_matches

from ghela_tools.runtime.topicnames import check_topic_filter, check_topic_name, has_wildcard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PubSubMessage:
    """Exactly one of ``json`` (a JSON object) or ``binary`` (bytes)."""

    json: dict[str, Any] | None = None
    binary: bytes | None = None

    def __post_init__(self) -> None:
        if (self.json is None) == (self.binary is None):
            raise ValueError("a message is either jsonMessage or binaryMessage, exactly one")


Delivery = Callable[[str, PubSubMessage], None]


@dataclass(frozen=True)
class _Subscription:
    topic_filter: str
    subscriber: str
    include_own: bool
    deliver: Delivery


class LocalPubSub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exact: dict[str, dict[int, _Subscription]] = defaultdict(dict)
        self._wildcard: dict[int, _Subscription] = {}
        self._ids = itertools.count(1)

    def subscribe(
        self, topic_filter: str, deliver: Delivery, *, subscriber: str, include_own: bool = True
    ) -> Callable[[], None]:
        """Call ``deliver(topic, message)`` for matching messages; returns the unsubscribe."""
        check_topic_filter(topic_filter)
        subscription = _Subscription(topic_filter, subscriber, include_own, deliver)
        key = next(self._ids)
        with self._lock:
            table = self._wildcard if has_wildcard(topic_filter) else self._exact[topic_filter]
            table[key] = subscription

        def unsubscribe() -> None:
            with self._lock:
                table.pop(key, None)
                if not table and self._exact.get(topic_filter) is table:
                    del self._exact[topic_filter]

        return unsubscribe

    def publish(self, topic: str, message: PubSubMessage, *, sender: str) -> int:
        """Deliver to every matching subscription; returns how many got it."""
        check_topic_name(topic)
        if "*" in topic:
            raise ValueError(f"topic {topic!r} contains a wildcard; publish needs a concrete topic")
        with self._lock:
            candidates = list(self._exact.get(topic, {}).values())
            candidates += [s for s in self._wildcard.values() if topic_matches(s.topic_filter, topic)]
        delivered = 0
        for subscription in candidates:
            if not subscription.include_own and subscription.subscriber == sender:
                continue
            try:
                subscription.deliver(topic, message)
                delivered += 1
            except Exception:
                log.exception("delivery of %s to %s failed", topic, subscription.subscriber)
        return delivered
