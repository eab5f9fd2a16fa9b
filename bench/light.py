"""Benchmark: a LightCommand published → the relay pin switched, through the local runtime.

Run: ``.venv/bin/python bench/light.py [--commands 200]``

The AlertLight runs as a real component process under the local Greengrass runtime
(tests/support/runtime.py) on gpiozero's mock pin factory; this process is an IPC client
that publishes LightCommands (steady and off in turn, one at a time) and waits for each
LightState. The AlertLight logs, at DEBUG, when it received each command and when it
switched the relay, with CLOCK_MONOTONIC, which all processes of the machine share, so:

- publish → received: IPC delivery (this process → the IPC server → the AlertLight);
- received → pin: inside the AlertLight (handler → driver thread → gpiozero);
- publish → pin: the whole path, the figure that matters for the light;
- publish → LightState seen: the round trip including the state report back.

p50 / p99 / max over ``--commands``. DEBUG logging is on for the AlertLight (it is how the
timings come out), which makes it slower than in production. ``--in-process`` measures
received → pin alone with no runtime (InMemoryBus, the real clock), as a floor. Figures
depend on the machine and its load; nothing is asserted.
"""

from __future__ import annotations

import argparse
import functools
import operator
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "components"))

from ghela.core import topics  # noqa: E402
from ghela.core.messages import Message  # noqa: E402
from ghela.core.messages.light import LightCommand, LightState  # noqa: E402
from ghela.core.wiretypes import LightPattern  # noqa: E402


def percentiles(label: str, values_s: list[float]) -> str:
    if not values_s:
        return f"{label:<28} no samples"
    ms = sorted(v * 1000 for v in values_s)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return (
        f"{label:<28} p50 {statistics.median(ms):7.2f} ms   p99 {p99:7.2f} ms   "
        f"max {ms[-1]:7.2f} ms   (n={len(ms)})"
    )


def command(index: int) -> LightCommand:
    pattern = LightPattern.STEADY if index % 2 == 0 else LightPattern.OFF
    return LightCommand(pattern=pattern, issued_at=datetime.now(UTC))


def through_runtime(count: int) -> None:
    from tests.support.runtime import ALERT_LIGHT, LocalRuntime

    overrides = {ALERT_LIGHT: {"pinFactory": "mock", "logLevel": "DEBUG"}}
    with tempfile.TemporaryDirectory() as tmp, LocalRuntime(
        Path(tmp), components=[ALERT_LIGHT], config_overrides=overrides
    ) as runtime:
        runtime.wait_for_state(ALERT_LIGHT, "RUNNING")
        runtime.wait_for_output(ALERT_LIGHT, "AlertLight started")
        probe = runtime.probe(publish=[topics.LIGHT_SET], subscribe=[topics.LIGHT_STATE])
        seen: dict[str, float] = {}
        arrived = threading.Condition()

        def on_state(message: Message) -> None:
            if isinstance(message, LightState) and message.command_id:
                with arrived:
                    seen[message.command_id] = time.monotonic()
                    arrived.notify_all()

        probe.subscribe(topics.LIGHT_STATE, on_state)
        sent: dict[str, float] = {}
        for index in range(count):
            light = command(index)
            sent[light.command_id] = time.monotonic()
            probe.publish(topics.LIGHT_SET, light)
            with arrived:
                if not arrived.wait_for(functools.partial(operator.contains, seen, light.command_id), 5.0):
                    print(f"command {index} got no LightState within 5 s", file=sys.stderr)
        received: dict[str, float] = {}
        switched: dict[str, float] = {}
        for record in runtime.json_output(ALERT_LIGHT):
            cid, at = record.get("command_id"), record.get("monotonic")
            if cid in sent and isinstance(at, float):
                target = received if record["message"].startswith("light command") else switched
                target.setdefault(cid, at)
    both = [cid for cid in sent if cid in received and cid in switched]
    print(f"AlertLight through the local Greengrass runtime (mock pins), {count} commands:")
    print(percentiles("publish -> received", [received[c] - sent[c] for c in both]))
    print(percentiles("received -> pin changed", [switched[c] - received[c] for c in both]))
    print(percentiles("publish -> pin changed", [switched[c] - sent[c] for c in both]))
    print(percentiles("publish -> LightState seen", [seen[c] - sent[c] for c in sent if c in seen]))


def in_process(count: int) -> None:
    from ghela.core.bus import InMemoryBus
    from ghela.core.clock import SystemClock
    from ghela.light.config import LightConfig
    from ghela.light.relay import Relay
    from ghela.light.service import LightService
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    pin = factory.pin(17)
    bus = InMemoryBus()
    config = LightConfig(pin_factory="mock")
    service = LightService(bus, config, SystemClock(), Relay(17, True, factory), factory).start()
    latencies = []
    try:
        for index in range(count):
            light = command(index)
            want = light.pattern is LightPattern.STEADY
            start = time.monotonic()
            bus.publish(topics.LIGHT_SET, light)
            while pin.state != want and time.monotonic() - start < 5:
                time.sleep(0)  # spin: the driver thread switches the pin
            latencies.append(time.monotonic() - start)
    finally:
        service.stop()
    print(f"AlertLight in one process (InMemoryBus, real clock, mock pins), {count} commands:")
    print(percentiles("publish (in memory) -> pin", latencies))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--in-process", action="store_true", help="no runtime: handler → pin only")
    args = parser.parse_args()
    if args.in_process:
        in_process(args.commands)
    else:
        through_runtime(args.commands)
    return 0


if __name__ == "__main__":
    sys.exit(main())
