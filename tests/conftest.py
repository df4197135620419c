"""Shared fixtures: local HTTP servers for test sites, configurations, and the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo import DEMO_SITE, write_demo_config
from crawler.siteserver import SiteServer

ROOT = Path(__file__).parent.parent


def newswatch_command() -> list[str]:
    """The installed `newswatch` console script: the CLI exactly as a user runs it."""
    script = shutil.which("newswatch", path=str(Path(sys.executable).parent)) or shutil.which(
        "newswatch"
    )
    assert script, "the newswatch command is not installed (pip install -e .)"
    return [script]


def run_newswatch(
    *args: str, timeout: float = 120, cwd: Path | None = None, columns: int | None = None
):
    """Run the CLI in a subprocess (a Twisted reactor runs once per process), its output
    a pipe: plain lines and tab-separated tables, or laid out for `columns` when given."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NEWSWATCH_CONFIG", None)
    env.pop("COLUMNS", None)  # pytest-xdist's workers set COLUMNS=80
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [*newswatch_command(), "--log-format", "json", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def log_events(stderr: str) -> list[dict]:
    """The JSON log lines of a run; every line must be JSON but the CLI's closing "Error: ..."."""
    events = []
    for line in stderr.splitlines():
        if line.strip() and not line.startswith("Error: "):
            try:
                events.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"log line is not JSON: {line!r}") from None
    return events


@pytest.fixture
def demo_server():
    """The bundled sample site on 127.0.0.1, with a request log of its own."""
    with SiteServer(DEMO_SITE) as server:
        yield server


@pytest.fixture
def demo_config(tmp_path, demo_server) -> Path:
    config_dir = tmp_path / "config"
    write_demo_config(config_dir, demo_server.base)
    return config_dir


@pytest.fixture(scope="session")
def golden() -> list[dict]:
    return json.loads((DEMO_SITE / "golden.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """A configuration whose database a real crawl filled, for the web face's tests
    (tests/webface.py says what it holds)."""
    from tests.webface import build_corpus

    return build_corpus(tmp_path_factory.mktemp("web"))
