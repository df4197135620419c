"""The web face's test harness: a configuration whose database a real crawl filled, and
`newswatch serve` as a real subprocess."""

from __future__ import annotations

import random
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from crawler.siteserver import SiteServer
from tests.helpers import newswatch_command, run_newswatch
from tests.pages import news_page
from tests.receivers import free_port
from tests.sites import generate_site, write_config

WATCH = "Ada Lovelace"
XSS_TITLE = 'Ada Lovelace <script>alert("title")</script> <img src=x onerror=alert(1)>'
XSS_TEXT = (
    'Ada Lovelace was named today in a report <script>alert("text")</script> '
    '<a href="javascript:alert(2)">click</a> <img src=x onerror="alert(3)">.'
)


def build_corpus(tmp: Path) -> Path:
    """A configuration whose database a real crawl filled: 7 articles, 3 of them naming
    the watch (one with a title and text made to run script; one an edited copy of
    another, so one story with two outlets), and their 2 alerts (one per story)."""
    site = tmp / "site"
    generate_site(site, 4)
    story = [f"{WATCH} wrote the notes.", *_prose(1)]
    pages = {
        "lovelace": news_page("Engine notes by Ada Lovelace found", story),
        "hostile": news_page(XSS_TITLE, [XSS_TEXT, *_prose(2)]),
        # The wire's version of the first story: a paragraph more.
        "lovelace-wire": news_page(
            "Lovelace's engine notes found in archive", [*story, "Reporting by the wire."]
        ),
    }
    items = ""
    for name, page in pages.items():
        (site / "news" / f"{name}.html").write_text(page, encoding="utf-8")
        items += f"<item><title>{name}</title><link>{{{{BASE}}}}/news/{name}</link></item>"
    feed = site / "feed.xml"
    feed.write_text(feed.read_text().replace("</channel>", items + "</channel>"))
    with SiteServer(site) as server:
        config_dir = write_config(
            tmp / "cfg", f'[[source]]\nname = "gazette"\nfeeds = ["{server.base}/feed.xml"]\n'
        )
        (config_dir / "watchlist.toml").write_text(f'[[watch]]\nname = "{WATCH}"\n')
        result = run_newswatch("--config", str(config_dir), "crawl", timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return config_dir


def _prose(seed: int) -> list[str]:
    """Paragraphs of a story of its own (two stories alike are one story: one alert)."""
    rng = random.Random(seed)
    words = (
        "archive engine letters museum bridge council harbour analytical notes scholars "
        "mathematics exhibition library manuscript loom cards poetry science translation"
    ).split()
    return [" ".join(rng.choice(words) for _ in range(40)).capitalize() + "." for _ in range(6)]


class Served:
    """`newswatch serve` as a real subprocess, waited for until it answers."""

    @classmethod
    def on(cls, port: int, proc: subprocess.Popen) -> Served:
        """The web face another process (the daemon) serves on `port`."""
        served = cls.__new__(cls)
        served.port, served.proc = port, proc
        served._wait()
        return served

    def __init__(self, config_dir: Path, *args: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                *newswatch_command(),
                "--config",
                str(config_dir),
                "serve",
                "--port",
                str(self.port),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"newswatch serve did not start: {self.stop()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, headers: dict[str, str] | None = None, data: bytes | None = None):
        request = urllib.request.Request(self.url(path), headers=headers or {}, data=data)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
