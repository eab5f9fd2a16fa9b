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
    """Every shard of the events table's stream, read from where the last poll stopped."""

    def __init__(self, parts: Notify, table: str) -> None:
        self._parts = parts
        self._streams = parts.client("dynamodbstreams")
        self._arn = parts.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self._iterators: dict[str, str | None] = {}

    def poll(self) -> PlannerResult:
        records: list[dict[str, Any]] = []
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
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
        sender = self._parts.sender
        return plan_records(records, self._parts.schedules, sender.deliver, self._parts.clock.now())

    def skip_to_now(self) -> None:
        """Start after what is already in the stream (written before this poller existed)."""
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        for shard in shards:
            self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                StreamArn=self._arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]


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

    def fire_due(self) -> list[Notification]:
        fired: list[Notification] = []
        schedules = self._parts.schedules
        now = self._parts.clock.now()
        modified = schedules.modified()
        self._read = {name: read for name, read in self._read.items() if name in modified}
        for name, when in modified.items():
            known = self._read.get(name)
            if known is None or when is None or known[0] != when:
                known = self._read[name] = (when, schedules.get(name))
            schedule = known[1]
            if parse_at(schedule["ScheduleExpression"]) > now:
                continue
            notification = decode_notification(schedule["Target"].get("Input", ""))
            if isinstance(notification, str):  # the sender refuses it, and the schedule is done
                log.warning("schedule %s: refusing its input: %s", name, notification)
            else:
                self._parts.sender.deliver(notification)
                fired.append(notification)
            schedules.delete(name)
            self._read.pop(name, None)
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
    as Lambda's event source mapping and EventBridge Scheduler would run them."""

    def __init__(self, parts: Notify, table: str, interval: float = 1.0) -> None:
        self._poller = StreamPoller(parts, table)
        self._firer = ScheduleFirer(parts)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-notifier", daemon=True)

    def start(self) -> LocalNotifier:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._poller.poll()
                self._firer.fire_due()
            except Exception:  # a failed round is retried next round, as Lambda retries
                log.exception("local notifications: this round failed; trying again")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
