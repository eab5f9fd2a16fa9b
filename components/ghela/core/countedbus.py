"""Counted messages reach Metrics exactly once, even across kills and while it is down.

Why this design. Pub/sub keeps nothing: an Activity published while Metrics is down, or in
the moment it is killed, is gone, and a plain retry could count one twice. Two designs
could make every count exact:

1. counts derived from the Scheduler's own record (a sequence-numbered activity log that
   Metrics reads like the changes feed). Exact for the Scheduler, but the Scraper, CloudSync
   and every component's invalid-message count have no such record, so they would need a
   second mechanism anyway.
2. (this one) every publisher keeps what it counts in an outbox until Metrics confirms it,
   and Metrics counts a sender's messages strictly in sequence order.

The rules, which together neither lose nor double a count:

- A publisher writes each counted message to its :class:`~ghela.core.countoutbox.CountOutbox`
  (committed, fsynced) *before* publishing it, numbered ``seq`` = 1, 2, 3 … per outbox.
- Metrics adds a message's count and records "counted up to ``seq``" for its sender in one
  SQLite transaction, and only then publishes ``Counted(sender, seq)``. A message is counted
  only if its ``seq`` is exactly one more than the sender's recorded one: a repeat is
  ignored (no double), and a message after a gap is left for the resend (nothing skipped).
- The publisher deletes what ``Counted`` confirms and publishes everything unconfirmed
  again, oldest first: one second after the last progress, then backing off (capped, see
  :mod:`ghela.core.backoff`), and at once when a starting Metrics asks (``Counted`` without
  a sender).
- Each message also carries ``acked``, the highest number its sender saw confirmed, so a
  Metrics whose store was lost resumes from there instead of waiting forever for numbers
  the sender has already let go of.

- A count that belongs to a publisher's own transaction (the Scheduler's commands) is kept
  in that transaction first (``unsent_activity``), published from there with a ``key``,
  and forgotten after: a kill between commit and outbox loses nothing (it is published
  again at start), and the outbox takes each key once, so a kill between outbox and
  forgetting doubles nothing.

:class:`CountedBus` wraps a component's bus, so no component code changes: publishing
``Activity`` or ``JobOutcome`` goes through the outbox, everything else straight through.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ghela.core import topics
from ghela.core.backoff import Backoff
from ghela.core.bus import Bus, Handler, Rejecter, Subscription
from ghela.core.clock import Clock
from ghela.core.countoutbox import CountOutbox
from ghela.core.messages import Message
from ghela.core.messages.counted import Counted, Sequenced

log = logging.getLogger(__name__)

COUNTED_TOPICS = frozenset({topics.ACTIVITY, topics.JOB_OUTCOME})
RESEND_AFTER_SECONDS = 1.0
RESEND_MAX_SECONDS = 60.0


class CountedBus:
    """A :class:`~ghela.core.bus.Bus` whose counted messages go through an outbox."""

    def __init__(self, inner: Bus, outbox: CountOutbox, clock: Clock) -> None:
        """Assemble only: :meth:`start` hears confirmations and starts the resend thread."""
        self._inner = inner
        self.outbox = outbox
        self._clock = clock
        self._sender = outbox.sender
        self._backoff = Backoff(RESEND_AFTER_SECONDS, RESEND_MAX_SECONDS)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._resend_at: datetime | None = clock.now()  # what an earlier life left, at once
        self._thread = threading.Thread(target=self._run, name="counted-resend", daemon=True)
        self._subscription: Subscription | None = None

    def start(self) -> CountedBus:
        """Hear Metrics' confirmations and resend what an earlier life left unconfirmed."""
        self._subscription = self._inner.subscribe(topics.COUNTED, self._on_counted)
        self._thread.start()
        return self

    # ------------------------------------------------------------------ Bus

    def publish(self, topic: str, message: Message) -> None:
        if topic not in COUNTED_TOPICS or not isinstance(message, Sequenced):
            self._inner.publish(topic, message)
            return
        stamped = self.outbox.append(topic, message)  # kept before it leaves
        if stamped is None:
            return  # this key's count is kept already (published again after a kill)
        with self._lock:
            if self._resend_at is None:
                self._resend_at = self._clock.now() + timedelta(seconds=RESEND_AFTER_SECONDS)
                self._wake.set()
        try:
            self._inner.publish(topic, stamped)
        except Exception as exc:  # kept in the outbox: the resend delivers it
            log.warning("counted message %s #%s not published yet: %s", topic, stamped.seq, exc)

    def subscribe(self, topic: str, handler: Handler, *, on_invalid: Rejecter | None = None) -> Subscription:
        return self._inner.subscribe(topic, handler, on_invalid=on_invalid)

    def report_invalid(self, topic: str, reason: str) -> None:
        self._inner.report_invalid(topic, reason)

    def publish_iot(self, topic: str, payload: dict[str, Any]) -> None:
        self._inner.publish_iot(topic, payload)

    def subscribe_iot(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> Subscription:
        return self._inner.subscribe_iot(topic_filter, handler)

    def get_configuration(self) -> dict[str, Any]:
        return self._inner.get_configuration()

    def subscribe_configuration(self, handler: Callable[[dict[str, Any]], None]) -> Subscription:
        return self._inner.subscribe_configuration(handler)

    def update_state(self, state: str) -> None:
        self._inner.update_state(state)

    def on_reconnect(self, callback: Callable[[], None]) -> Subscription:
        return self._inner.on_reconnect(callback)

    def close(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._subscription is not None:
            self._subscription.close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5.0)
        self._inner.close()
        self.outbox.close()

    # ------------------------------------------------------------------ confirmations

    def _on_counted(self, message: Message) -> None:
        if not isinstance(message, Counted):
            return
        now = self._clock.now()
        if message.sender is None:  # Metrics (re)started: send it everything unconfirmed now
            with self._lock:
                self._resend_at = now
            self._wake.set()
            return
        if message.sender != self._sender or not self.outbox.confirmed(message.seq):
            return
        with self._lock:  # progress: the next resend is a short while after it
            self._backoff.succeeded()
            self._resend_at = now + timedelta(seconds=RESEND_AFTER_SECONDS)
        self._wake.set()

    # ------------------------------------------------------------------ the resend thread

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before reading: a change after this read wakes the wait
            with self._lock:
                due = self._resend_at
            if due is None or self._clock.now() < due:
                self._clock.wait(self._wake, due)
                continue
            self._resend()

    def _resend(self) -> None:
        pending = self.outbox.pending()
        now = self._clock.now()
        with self._lock:
            if not pending:
                self._backoff.succeeded()
                self._resend_at = None
                return
            self._resend_at = self._backoff.failed(now)
        log.info("sending the %d counted messages Metrics has not confirmed again", len(pending))
        for entry in pending:
            if self._stopping.is_set():
                return
            try:
                self._inner.publish(entry.topic, entry.message)
            except Exception as exc:  # IPC away: the next resend tries again
                log.warning("resending counted messages failed: %s", exc)
                return
