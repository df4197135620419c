"""Which code a benchmark figure belongs to: a short hash of newswatch's own source files."""

from __future__ import annotations

import hashlib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# Folders whose files do not change what the benchmarks measure.
NOT_MEASURED = {"bench", "tests", ".venv", "newswatch-demo"}


def code_fingerprint(root: Path = PROJECT) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in NOT_MEASURED or relative.parts[0].endswith(".egg-info"):
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
