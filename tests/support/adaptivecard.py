"""Microsoft's Adaptive Card JSON Schema, from the npm registry (never committed).

``adaptivecards-designer`` (Microsoft, MIT) ships the schema the designer validates cards
with as ``lib/adaptive-card-schema.js``; ``npm pack`` fetches the package from the registry
(reachable here and in CI), ``node`` turns the module into JSON, and the result is kept in
pytest's cache so later runs need neither.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

PACKAGE = "adaptivecards-designer@2.4.4"
MEMBER = "package/lib/adaptive-card-schema.js"


def adaptive_card_schema(cache: Path) -> dict[str, Any]:
    cached = cache / "adaptive-card.json"
    if cached.is_file():
        loaded: dict[str, Any] = json.loads(cached.read_text(encoding="utf-8"))
        return loaded
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise RuntimeError("the Adaptive Card schema needs npm and node (Debian: apt-get install npm)")
    cache.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        [npm, "pack", PACKAGE, "--pack-destination", str(cache), "--silent"],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    tarball = cache / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        source = archive.extractfile(MEMBER)
        assert source is not None, f"{MEMBER} is not in {tarball.name}"
        module = cache / "adaptive-card-schema.js"
        module.write_bytes(source.read())
    tarball.unlink()
    script = f"process.stdout.write(JSON.stringify(require({json.dumps(str(module))}).adaptiveCardSchema))"
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    schema: dict[str, Any] = json.loads(out.stdout)
    cached.write_text(json.dumps(schema), encoding="utf-8")
    return schema
