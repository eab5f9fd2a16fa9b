"""Benchmark: publish → subscriber through the local IPC server, against a plain Unix socket.

Run: ``.venv/bin/python bench/ipc.py [--messages 2000] [--burst 20000]``

Three processes for the IPC measure: this one runs the :class:`IpcServer` (as the supervisor
does), a subscriber and a publisher each hold the real ``GreengrassCoreIPCClientV2``. The
floor is the same measure over one plain Unix socket between two processes (length-prefixed
JSON, the receiver echoing a byte back in the latency phase).

- latency: the publisher sends one message at a time and waits for its acknowledgement (the
  PublishToTopic response; the echo for the floor); the subscriber records
  ``receive - send`` on the shared CLOCK_MONOTONIC. p50 and p99 over ``--messages``.
- throughput: the publisher sends ``--burst`` messages without waiting (IPC: up to 256
  calls in flight); messages per second from the first send to the last arrival.

Figures depend on the machine and its load; the ratio to the floor is the point.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

TOPIC = "bench/ipc"
PAD = "x" * 160  # about the size of a LightState message
WINDOW = 256
_LENGTH = struct.Struct(">I")


def now_ns() -> int:
    return time.monotonic_ns()  # CLOCK_MONOTONIC: comparable across processes on one host


def message(seq: int, phase: str) -> dict[str, Any]:
    return {"seq": seq, "phase": phase, "sent_ns": now_ns(), "pad": PAD}


class Tally:
    """What a subscriber saw: latencies of the latency phase, timing of the burst."""

    def __init__(self, messages: int, burst: int) -> None:
        self.messages, self.burst = messages, burst
        self.latencies_ns: list[int] = []
        self.burst_seen = 0
        self.burst_first_sent_ns = 0
        self.burst_last_received_ns = 0
        self.done = threading.Event()

    def record(self, body: dict[str, Any]) -> None:
        received = now_ns()
        if body["phase"] == "latency":
            self.latencies_ns.append(received - body["sent_ns"])
            return
        if body["seq"] == 0:
            self.burst_first_sent_ns = body["sent_ns"]
        self.burst_seen += 1
        self.burst_last_received_ns = received
        if self.burst_seen == self.burst:
            self.done.set()

    def report(self) -> dict[str, Any]:
        return {
            "latencies_ns": self.latencies_ns,
            "burst": self.burst_seen,
            "burst_seconds": (self.burst_last_received_ns - self.burst_first_sent_ns) / 1e9,
        }


# --------------------------------------------------------------------------- IPC roles


def _ipc_client(socket_path: str, token: str) -> Any:
    from awsiot.greengrasscoreipc import connect
    from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2

    return GreengrassCoreIPCClientV2(client=connect(ipc_socket=socket_path, authtoken=token), executor=None)


def ipc_subscriber(args: argparse.Namespace) -> None:
    client = _ipc_client(args.socket, args.token)
    tally = Tally(args.messages, args.burst)
    client.subscribe_to_topic(topic=TOPIC, on_stream_event=lambda e: tally.record(e.json_message.message))
    print("ready", flush=True)
    tally.done.wait(300)
    print(json.dumps(tally.report()), flush=True)
    client.close()


def ipc_publisher(args: argparse.Namespace) -> None:
    from awsiot.greengrasscoreipc.model import JsonMessage, PublishMessage

    client = _ipc_client(args.socket, args.token)

    def wrap(body: dict[str, Any]) -> Any:
        return PublishMessage(json_message=JsonMessage(message=body))

    for seq in range(args.messages):
        client.publish_to_topic(topic=TOPIC, publish_message=wrap(message(seq, "latency")))
    in_flight: deque[Any] = deque()
    for seq in range(args.burst):
        if len(in_flight) >= WINDOW:
            in_flight.popleft().result()
        in_flight.append(
            client.publish_to_topic_async(topic=TOPIC, publish_message=wrap(message(seq, "burst")))
        )
    for future in in_flight:
        future.result()
    client.close()


# --------------------------------------------------------------------------- floor roles


def _send(sock: socket.socket, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    sock.sendall(_LENGTH.pack(len(data)) + data)


def floor_subscriber(args: argparse.Namespace) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(args.socket)
    listener.listen(1)
    print("ready", flush=True)
    conn, _ = listener.accept()
    reader = conn.makefile("rb")
    tally = Tally(args.messages, args.burst)
    while not tally.done.is_set():
        header = reader.read(4)
        if len(header) < 4:
            break
        body = json.loads(reader.read(_LENGTH.unpack(header)[0]))
        tally.record(body)
        if body["phase"] == "latency":
            conn.sendall(b"!")
    print(json.dumps(tally.report()), flush=True)
    conn.close()
    listener.close()


def floor_publisher(args: argparse.Namespace) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(args.socket)
    for seq in range(args.messages):
        _send(sock, message(seq, "latency"))
        sock.recv(1)
    for seq in range(args.burst):
        _send(sock, message(seq, "burst"))
    sock.close()


ROLES = {
    "ipc-subscriber": ipc_subscriber,
    "ipc-publisher": ipc_publisher,
    "floor-subscriber": floor_subscriber,
    "floor-publisher": floor_publisher,
}


# --------------------------------------------------------------------------- driver


def run_pair(
    role: str, args: argparse.Namespace, socket_path: str, tokens: tuple[str, str]
) -> dict[str, Any]:
    """Start the subscriber, wait until it is ready, run the publisher; the subscriber's report."""
    common = ["--messages", str(args.messages), "--burst", str(args.burst), "--socket", socket_path]
    me = [sys.executable, __file__]
    subscriber = subprocess.Popen(
        [*me, "--role", f"{role}-subscriber", *common, "--token", tokens[0]],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert subscriber.stdout is not None
    if subscriber.stdout.readline().strip() != "ready":
        raise RuntimeError(f"{role} subscriber did not start")
    subprocess.run([*me, "--role", f"{role}-publisher", *common, "--token", tokens[1]], check=True)
    report = json.loads(subscriber.stdout.readline())
    subscriber.wait(60)
    return report


def summary(report: dict[str, Any]) -> dict[str, float]:
    latencies = sorted(report["latencies_ns"])
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "p50_us": quantiles[49] / 1000,
        "p99_us": quantiles[98] / 1000,
        "msgs_per_s": report["burst"] / report["burst_seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages in the latency phase")
    parser.add_argument("--burst", type=int, default=20000, help="messages in the throughput phase")
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--socket", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        ROLES[args.role](args)
        return

    repo = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(repo / "components"), str(repo / "tools")]
    from ghela_tools.runtime.ipcserver import IpcServer

    access = {"aws.greengrass.ipc.pubsub": {"bench:1": {"operations": ["*"], "resources": [TOPIC]}}}
    with tempfile.TemporaryDirectory(prefix="gb-", dir="/tmp") as root:
        server = IpcServer(os.path.join(root, "ipc.sock"))
        tokens = (
            server.register("bench.Subscriber", configuration={"accessControl": access}),
            server.register("bench.Publisher", configuration={"accessControl": access}),
        )
        with server:
            ipc = summary(run_pair("ipc", args, str(server.socket_path), tokens))
        floor = summary(run_pair("floor", args, os.path.join(root, "floor.sock"), ("", "")))

    print(f"publish -> subscriber, {args.messages} messages one at a time, then a burst of {args.burst}")
    print(f"{'':28}{'p50 latency':>14}{'p99 latency':>14}{'throughput':>16}")
    for name, row in (("IPC server (3 processes)", ipc), ("Unix socket floor (2 proc.)", floor)):
        print(f"{name:28}{row['p50_us']:>11.0f} µs{row['p99_us']:>11.0f} µs{row['msgs_per_s']:>10.0f} msg/s")
    latency_ratio = (ipc["p50_us"] / floor["p50_us"], ipc["p99_us"] / floor["p99_us"])
    throughput_ratio = floor["msgs_per_s"] / ipc["msgs_per_s"]
    print(
        f"{'ratio IPC / floor':28}{latency_ratio[0]:>13.1f}x{latency_ratio[1]:>13.1f}x"
        f"{throughput_ratio:>12.1f}x slower"
    )


if __name__ == "__main__":
    main()
