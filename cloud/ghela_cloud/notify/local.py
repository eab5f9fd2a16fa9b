"""Stand-ins for what AWS runs and moto does not: streams to Lambda, schedules firing, and
receivers for the webhook and Web Push, so ``ghela up`` and the tests run the real planner
and sender code against moto.

- :class:`StreamPoller` reads the events table's stream (moto implements DynamoDB Streams)
  and hands the records to :func:`~ghela_cloud.notify.planner.plan_records`, as the event
  source mapping would;
- :class:`ScheduleFirer` fires the group's ``at(...)`` schedules that are due on the
  injected clock (moto stores schedules but never runs them) and deletes them, as
  ``ActionAfterCompletion: DELETE`` does;
- :class:`Receiver` is an HTTP endpoint that records (and prints) every POST: what a Teams
  channel or a browser's push service would get (for a Teams card, the text it shows).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ghela_cloud.local.provision import MAIL_FROM, LocalResources
from ghela_cloud.notify.chat import shown_text
from ghela_cloud.notify.messages import Notification, decode_notification
from ghela_cloud.notify.planner import PlannerResult, plan_records
from ghela_cloud.notify.settings import NotifySettings
from ghela_cloud.notify.wiring import Notify

log = logging.getLogger("ghela.notify.local")
MAX_RECEIVED_BYTES = 64 * 1024
LOCAL_ACCOUNT = "123456789012"


def notify_settings_for(resources: LocalResources) -> NotifySettings:
    """The functions' settings for what :func:`~ghela_cloud.local.provision.provision` made."""
    return NotifySettings(
        events_table=resources.events_table,
        prefs_table=resources.notify_prefs_table,
        sent_table=resources.notify_sent_table,
        schedule_group=resources.schedule_group,
        sender_arn=f"arn:aws:lambda:{resources.region}:{LOCAL_ACCOUNT}:function:ghela-notify-sender",
        scheduler_role_arn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/ghela-scheduler",
        mail_from=MAIL_FROM,
        ssm_prefix=resources.ssm_prefix,
        aws_endpoint_url=resources.endpoint_url,
        region=resources.region,
    )


class StreamPoller:
    """Every shard of the events table's stream, read from where the last poll stopped.

    The shards are described once and again only after one of them closed (its iterator
    ended: DynamoDB Streams then opens a child shard), not every round: an idle round is one
    GetRecords per open shard. "If set to null, the shard has been closed" is GetRecords'
    own rule for ``NextShardIterator`` (botocore's ``data/dynamodbstreams/2012-08-10/
    service-2.json``, ``GetRecordsOutput``).
    """

    def __init__(self, parts: Notify, table: str) -> None:
        self._parts = parts
        self._streams = parts.client("dynamodbstreams")
        self._arn = parts.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self._iterators: dict[str, str | None] = {}
        self._shards: list[str] = []
        self.records_read = 0
        """How many records the last poll read (none: nothing in the table changed)."""

    def poll(self) -> PlannerResult:
        records: list[dict[str, Any]] = []
        if not self._shards:
            self._shards = self._shard_ids()
        for shard_id in self._shards:
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            page = self._streams.get_records(ShardIterator=iterator)
            records.extend(page.get("Records", []))
            self._iterators[shard_id] = page.get("NextShardIterator")
            if self._iterators[shard_id] is None:
                self._shards = []  # closed: its child shard is found by the next round's describe
        self.records_read = len(records)
        sender = self._parts.sender
        return plan_records(records, self._parts.schedules, sender.deliver, self._parts.clock.now())

    def skip_to_now(self) -> None:
        """Start after what is already in the stream (written before this poller existed)."""
        self._shards = self._shard_ids()
        for shard_id in self._shards:
            self._iterators[shard_id] = self._streams.get_shard_iterator(
                StreamArn=self._arn, ShardId=shard_id, ShardIteratorType="LATEST"
            )["ShardIterator"]

    def _shard_ids(self) -> list[str]:
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        return [shard["ShardId"] for shard in shards]


def parse_at(expression: str) -> datetime:
    """``at(2026-12-20T14:30:00)`` in UTC (the planner always writes UTC)."""
    return datetime.fromisoformat(expression.removeprefix("at(").removesuffix(")")).replace(tzinfo=UTC)


class ScheduleFirer:
    """Fires the due schedules of the group, looking every round.

    A schedule is read (GetSchedule) when it is new or modified since it was last read, as
    ListSchedules tells: reading each one every round was most of what moto did while the
    system was idle (``bench/e2e.py``).
    """

    def __init__(self, parts: Notify) -> None:
        self._parts = parts
        self._read: dict[str, tuple[Any, dict[str, Any]]] = {}
        """Schedule name → (its LastModificationDate, the schedule as read then)."""
        self._next_due: datetime | None = None
        """When the earliest schedule the last round left waiting is due (none left: None)."""

    def has_due(self) -> bool:
        """Whether a schedule the last round left waiting is due by now."""
        return self._next_due is not None and self._next_due <= self._parts.clock.now()

    def fire_due(self) -> list[Notification]:
        fired: list[Notification] = []
        schedules = self._parts.schedules
        now = self._parts.clock.now()
        modified = schedules.modified()
        self._read = {name: read for name, read in self._read.items() if name in modified}
        waiting: list[datetime] = []
        for name, when in modified.items():
            known = self._read.get(name)
            if known is None or when is None or known[0] != when:
                known = self._read[name] = (when, schedules.get(name))
            schedule = known[1]
            at = parse_at(schedule["ScheduleExpression"])
            if at > now:
                waiting.append(at)
                continue
            notification = decode_notification(schedule["Target"].get("Input", ""))
            if isinstance(notification, str):  # the sender refuses it, and the schedule is done
                log.warning("schedule %s: refusing its input: %s", name, notification)
            else:
                self._parts.sender.deliver(notification)
                fired.append(notification)
            schedules.delete(name)
            self._read.pop(name, None)
        self._next_due = min(waiting, default=None)
        return fired


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local endpoint that records each POST and answers ``status`` (push services: 201)."""

    label: str
    status: int = 201
    echo: bool = True
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                try:
                    length = min(int(self.headers.get("Content-Length") or 0), MAX_RECEIVED_BYTES)
                except ValueError:
                    length = 0
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                if receiver.echo:
                    print(f"[{receiver.label}] {_show(body)}", flush=True)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=self.label, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _show(body: bytes) -> str:
    """The text a channel shows (the Teams card's TextBlocks, Slack's text); else the size."""
    try:
        shown = shown_text(json.loads(body))
    except (ValueError, RecursionError):
        shown = ""
    return shown[:2000] if shown else f"{len(body)} bytes (encrypted for a browser, or not a chat message)"


class LocalNotifier:
    """The stream poller and the schedule firer, every ``interval`` seconds in a thread,
    as Lambda's event source mapping and EventBridge Scheduler would run them.

    Each round reads the stream; the schedules are listed only when that round read a change
    (the planner may have put or deleted one), when the earliest one is due, or after
    ``relist`` seconds, for a schedule made in moto by someone else: listing every round was
    most of what the idle system spent (``bench/e2e.py``).
    """

    def __init__(
        self, parts: Notify, poller: StreamPoller, interval: float = 1.0, relist: float = 60.0
    ) -> None:
        self._poller = poller
        self._firer = ScheduleFirer(parts)
        self._interval = interval
        self._relist = relist
        self._listed_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-notifier", daemon=True)

    def start(self) -> LocalNotifier:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.round()
            except Exception:  # a failed round is retried next round, as Lambda retries
                log.exception("local notifications: this round failed; trying again")

    def round(self) -> list[Notification]:
        """One round: the stream read, and the due schedules fired when they may have changed."""
        self._poller.poll()
        now = time.monotonic()
        if not (self._poller.records_read or self._firer.has_due() or self._relist_due(now)):
            return []
        self._listed_at = now
        return self._firer.fire_due()

    def _relist_due(self, now: float) -> bool:
        return self._listed_at is None or now - self._listed_at >= self._relist

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
