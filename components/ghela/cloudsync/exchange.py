"""Ask another component over the bus and wait for its answer, matched by id.

The Scheduler answers COMMAND with COMMAND_RESULT (same ``command_id``) and
CHANGES_REQUEST with CHANGES (same ``request_id``). Answers nobody waits for (late, or for
another asker) are ignored.

Pub/sub keeps nothing for a subscriber that is not there yet (a Scheduler still starting),
so a request not answered is published again after 1, 2, 4 … s (at most every
:data:`MAX_RESEND` s) until the timeout. That is safe: commands carry their id and the
Scheduler applies an id once; a changes request only reads. Answers arrive in the order the
Scheduler handled the requests, so the first answer taken is the one to the first request
it saw. A request that cannot be sent (IPC away for a while) counts as unanswered: it is
tried again the same way, and the asker's thread lives on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from ghela.core.bus import Bus
from ghela.core.errors import TransientError
from ghela.core.messages import Message

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Message)
FIRST_RESEND = 1.0
MAX_RESEND = 8.0


class _Slot:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: Message | None = None


class Exchange(Generic[A]):
    """Request/response over one request topic and one answer topic."""

    def __init__(
        self,
        bus: Bus,
        request_topic: str,
        answer_topic: str,
        answer_id: Callable[[A], str],
        first_resend: float = FIRST_RESEND,
    ) -> None:
        self._bus = bus
        self._first_resend = first_resend
        self._request_topic = request_topic
        self._answer_id = answer_id
        self._lock = threading.Lock()
        self._waiting: dict[str, _Slot] = {}
        self._subscription = bus.subscribe(answer_topic, self._on_answer)

    def ask(
        self, request: Message, request_id: str, timeout: float, cancel: threading.Event | None = None
    ) -> A | None:
        """Publish ``request`` and wait up to ``timeout`` seconds; None if no answer came.

        ``cancel`` (the service stopping) ends the wait early, also with None.
        """
        slot = _Slot()
        with self._lock:
            self._waiting[request_id] = slot
        try:
            # Registered before publishing: an in-process bus answers inside publish().
            deadline = time.monotonic() + timeout
            pause = self._first_resend
            while True:
                try:
                    self._bus.publish(self._request_topic, request)
                except TransientError as exc:  # IPC away for now: as unanswered, asked again
                    log.warning("could not send %s %s: %s", self._request_topic, request_id, exc)
                left = deadline - time.monotonic()
                _wait_either(slot.done, cancel or threading.Event(), min(pause, left))
                if slot.done.is_set() or (cancel is not None and cancel.is_set()) or pause >= left:
                    return slot.answer  # type: ignore[return-value]
                pause = min(pause * 2, MAX_RESEND)
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)

    def _on_answer(self, message: Message) -> None:
        with self._lock:
            slot = self._waiting.get(self._answer_id(message))  # type: ignore[arg-type]
        if slot is not None and not slot.done.is_set():  # the first answer counts
            slot.answer = message
            slot.done.set()

    def close(self) -> None:
        self._subscription.close()


def _wait_either(first: threading.Event, second: threading.Event, timeout: float) -> None:
    """Wait until either event is set or ``timeout`` passes, in short slices."""
    remaining = timeout
    while remaining > 0 and not first.is_set() and not second.is_set():
        step = min(remaining, 0.05)
        first.wait(step)
        remaining -= step
