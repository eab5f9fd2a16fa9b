"""Ask another component over the bus and wait for its answer, matched by id.

The Scheduler answers COMMAND with COMMAND_RESULT (same ``command_id``) and
CHANGES_REQUEST with CHANGES (same ``request_id``). Answers nobody waits for (late, or for
another asker) are ignored.

Pub/sub keeps nothing for a subscriber that is not there yet (a Scheduler still starting),
so a request not answered is published again after 1, 2, 4 … s (the capped backoff of
:mod:`ghela.core.backoff`, at most every :data:`MAX_RESEND` s) until the timeout. That is
safe: commands carry their id and the Scheduler applies an id once; a changes request only
reads. Answers arrive in the order the Scheduler handled the requests, so the first answer
taken is the one to the first request it saw. A request that cannot be sent (IPC away for
a while) counts as unanswered: it is tried again the same way, and the asker's thread
lives on.

Time is the injected clock's: a wait ends when the answer arrives, when the service stops
(:class:`~ghela.cloudsync.stopsignal.StopSignal`), or at the clock's deadline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta
from typing import Generic, TypeVar, cast

from ghela.cloudsync.stopsignal import StopSignal
from ghela.core.backoff import Backoff
from ghela.core.bus import Bus, Subscription
from ghela.core.clock import Clock
from ghela.core.errors import TransientError
from ghela.core.messages import Message

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Message)
FIRST_RESEND = 1.0
MAX_RESEND = 8.0


class _Slot:
    """One waiting ask: its wake-up and, once it came, the first answer."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.answer: Message | None = None


class Exchange(Generic[A]):
    """Request/response over one request topic and one answer topic; :meth:`start` listens."""

    def __init__(
        self,
        bus: Bus,
        request_topic: str,
        answer_topic: str,
        answer_id: Callable[[A], str],
        clock: Clock,
        *,
        first_resend: float = FIRST_RESEND,
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._first_resend = first_resend
        self._request_topic = request_topic
        self._answer_topic = answer_topic
        self._answer_id = answer_id
        self._lock = threading.Lock()
        self._waiting: dict[str, _Slot] = {}
        self._subscription: Subscription | None = None

    def start(self) -> Exchange[A]:
        """Subscribe to the answers (before anything is asked)."""
        self._subscription = self._bus.subscribe(self._answer_topic, self._on_answer)
        return self

    def ask(
        self, request: Message, request_id: str, timeout: float, cancel: StopSignal | None = None
    ) -> A | None:
        """Publish ``request`` and wait up to ``timeout`` seconds; None if no answer came.

        ``cancel`` (the service stopping) ends the wait early, also with None.
        """
        slot = _Slot()
        with self._lock:
            self._waiting[request_id] = slot
        try:
            # Registered before publishing: an in-process bus answers inside publish().
            deadline = self._clock.now() + timedelta(seconds=timeout)
            resends = Backoff(self._first_resend, MAX_RESEND)
            with cancel.linked(slot.wake) if cancel is not None else nullcontext():
                while True:
                    try:
                        self._bus.publish(self._request_topic, request)
                    except TransientError as exc:  # IPC away for now: as unanswered, asked again
                        log.warning("could not send %s %s: %s", self._request_topic, request_id, exc)
                    resend_at = resends.failed(self._clock.now())
                    self._clock.wait(slot.wake, min(resend_at, deadline))
                    with self._lock:
                        answer = slot.answer
                    if answer is not None or slot.wake.is_set() or resend_at >= deadline:
                        return cast("A | None", answer)
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)

    def _on_answer(self, message: Message) -> None:
        with self._lock:
            slot = self._waiting.get(self._answer_id(cast(A, message)))
            if slot is None or slot.answer is not None:  # the first answer counts
                return
            slot.answer = message
        slot.wake.set()

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
