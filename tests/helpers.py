"""The shared test harness: the real CLI and daemon as subprocesses, their JSON logs,
waiting on conditions, watching worker processes, and a few builders of test data.

Test modules import from here (fixtures live in conftest.py; no test module imports another).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from crawler.items import ArticlePage
from pipelines.extract import Article
from pipelines.neardup import signature
from pipelines.storage.writer import Store
from pipelines.textnorm import text_hash


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


WATCHES = {
    "Sergei Lavrov": ["Lavrov"],
    "Khaled Meshal": ["Meshaal", "Mashal", "Mishal", "Машал*", "خالد مشعل"],
    "John Kerry": [],
    "Joe Biden": ["Biden"],
    "Bernie Sanders": [],
}


def write_daemon_config(config_dir: Path, base: str, notify: str, **daemon: str) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "sources.toml").write_text(
        f'[[source]]\nname = "ledger"\nfeeds = ["{base}/ledger/feeds/rss.xml"]\nschedule = "2s"\n'
    )
    settings = {
        "alert_interval": "1s",
        "jitter": "0s",
        "stop_grace": "10s",
        "retry_min": "1s",
        "retry_max": "2s",
        **daemon,
    }
    (config_dir / "settings.toml").write_text(
        "[crawl]\ndelay = 0\nautothrottle = false\n[daemon]\n"
        + "".join(f'{k} = "{v}"\n' for k, v in settings.items())
    )
    watches = "".join(
        f"[[watch]]\nname = {json.dumps(name)}\naliases = {json.dumps(aliases, ensure_ascii=False)}\n"
        f'notify = ["{notify}"]\n\n'
        for name, aliases in WATCHES.items()
    )
    (config_dir / "watchlist.toml").write_text(watches, encoding="utf-8")
    return config_dir


class Daemon:
    """`newswatch run` in a subprocess, its JSON log collected as it comes."""

    def __init__(
        self, config_dir: Path, *options: str, cwd: Path | None = None, log_format: str = "json"
    ) -> None:
        self.proc = subprocess.Popen(
            [
                *newswatch_command(),
                *("--log-format", log_format, "--config", str(config_dir), "run", *options),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line)

    def events(self, name: str) -> list[dict]:
        """The log events called `name` so far (lines that are not JSON are passed over)."""
        found = []
        for line in list(self.lines):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == name:
                found.append(event)
        return found

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 40) -> tuple[int, str]:
        self.proc.send_signal(signum)
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        return self.proc.returncode, "".join(self.lines)


def wait_for(condition, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def children(pid: int) -> list[tuple[int, str]]:
    """Processes whose parent is `pid`, from /proc: (pid, start time), so that a pid the
    kernel hands to a new process (pid_max is 32768 here) is not taken for the old one."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append((int(stat.parent.name), fields[19]))
    return found


def alive(process: tuple[int, str]) -> bool:
    pid, start = process
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == start and fields[0] != "Z"


def assert_gone(processes: list[tuple[int, str]], timeout: float) -> None:
    """Every one of `processes` (pid, start time) ends within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in processes):
        time.sleep(0.2)
    left = [pid for pid, start in processes if alive((pid, start))]
    assert not left, f"processes outlived their crawl: {left}"


def add_article(
    store: Store,
    url: str,
    text: str,
    *,
    title: str = "A story",
    source: str = "ledger",
    fetched_at: str = "2026-11-28T11:00:00+00:00",
) -> int:
    article_id, _ = store.save_article(
        {
            "url": url,
            "title": title,
            "text": text,
            "text_hash": text_hash(text + url),
            "word_count": len(text.split()),
            "published": "2026-11-27",
        },
        source=source,
        now=fetched_at,
    )
    store.flush()
    return article_id


class Worker(Daemon):
    """`newswatch worker` in a subprocess (crawls for the daemon, issue 17), its JSON log
    collected as it comes."""

    def __init__(self, config_dir: Path, *options: str) -> None:
        self.proc = subprocess.Popen(
            [
                *newswatch_command(),
                *("--log-format", "json", "--config", str(config_dir), "worker", *options),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()


def descendants(pid: int) -> list[tuple[int, str]]:
    """Every process under `pid` (children, grandchildren, …), as `children` gives them."""
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child[0])
    return found


def extracted_page(url: str, text: str, title: str, source: str = "ledger") -> ArticlePage:
    """An article page as a worker's extraction hands it on: its text, fingerprint and
    near-duplicate signature (no page body: that is sent only for the archive)."""
    page = ArticlePage(url, source, 200, b"", "text/html", "2026-11-30T10:00:00+00:00")
    page.article = Article(
        url=url,
        text=text,
        title=title,
        word_count=len(text.split()),
        text_hash=text_hash(text),
        minhash=signature(text),
    )
    return page


def imported_by(*args: str) -> set[str]:
    """The top-level packages the CLI has imported when it exits, run with `args`."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('MODULES', *sorted({n.split('.')[0] for n, m in "
        "sys.modules.items() if m is not None}), file=sys.stderr))\n"
        "from cli import main\n"
        "sys.argv[0] = 'newswatch'\n"
        "main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    marked = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    return set(marked[-1].split()[1:])
