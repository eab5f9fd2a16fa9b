"""``ghela doctor [--root /greengrass/v2] [--json]``, run on the Pi (see :mod:`ghela.doctor.checks`)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from ghela.locator import GREENGRASS_ROOT

DEFAULT_ROOT = GREENGRASS_ROOT


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = subparsers.add_parser("doctor", help="check this Pi: each line ok or the fix to make")
    doctor.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help=f"the nucleus's root (default: {DEFAULT_ROOT})"
    )
    doctor.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    doctor.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    from ghela.doctor.checks import diagnose

    findings = diagnose(args.root)
    if args.json:
        print(
            json.dumps({"ok": all(f.ok for f in findings), "checks": [asdict(f) for f in findings]}, indent=2)
        )
    else:
        width = max(len(f.check) for f in findings)
        for finding in findings:
            line = f"{'ok ' if finding.ok else 'FIX'}  {finding.check:<{width}}  {finding.detail}"
            print(line + (f"\n     {'':<{width}}  -> {finding.fix}" if finding.fix else ""))
    return 0 if all(f.ok for f in findings) else 1
