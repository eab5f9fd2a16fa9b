"""A local stand-in for AWS IoT Core's MQTT broker, inside the runtime.

Components reach it through IPC (PublishToIoTCore / SubscribeToIoTCore); runtime parts such
as the IoT Jobs endpoint (:mod:`ghela_tools.runtime.iotjobs`) attach to it directly. Delivery is
synchronous, in the publisher's thread, to every subscription whose MQTT filter matches,
so callbacks must not block long (the IPC server only queues a frame). Thread-safe.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable

from ghela.core.bus import topic_matches

from ghela_tools.runtime.topicnames import check_topic_filter, check_topic_name

log = logging.getLogger(__name__)

IotCallback = Callable[[str, bytes], None]

MAX_PUBLISH_BYTES = 128 * 1024
"""What a component may publish to IoT Core: the nucleus's default ``maxMessageSizeInBytes``
(``MqttClient.DEFAULT_MQTT_MAX_OF_MESSAGE_SIZE_IN_BYTES`` in aws-greengrass-nucleus), IoT
Core's own message limit."""


class LocalIotCore:
    """MQTT-style publish/subscribe with ``+``/``#`` filters and no retained messages."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[int, tuple[str, IotCallback]] = {}
        self._ids = itertools.count(1)

    def publish(self, topic: str, payload: bytes, sender: str) -> None:
        """Deliver ``payload`` to every matching subscriber; ``sender`` is for the log.

        ValueError if ``topic`` is empty or holds a wildcard. A callback that raises is
        logged and does not stop delivery to the others.
        """
        check_topic_name(topic)
        with self._lock:
            matching = [cb for f, cb in self._subscriptions.values() if topic_matches(f, topic)]
        log.debug("iot publish %s from %s to %d subscriber(s)", topic, sender, len(matching))
        for callback in matching:
            try:
                callback(topic, bytes(payload))
            except Exception:
                log.exception("IoT Core subscriber of %s failed on a message from %s", topic, sender)

    def subscribe(self, topic_filter: str, callback: IotCallback) -> Callable[[], None]:
        """Call ``callback(topic, payload)`` for each matching message; returns the unsubscribe."""
        check_topic_filter(topic_filter)
        with self._lock:
            key = next(self._ids)
            self._subscriptions[key] = (topic_filter, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subscriptions.pop(key, None)

        return unsubscribe

    def subscription_count(self) -> int:
        with self._lock:
            return len(self._subscriptions)
