"""`status` and `/metrics` with [cluster]: the workers heard from, the crawls queued and
the pages waiting to be stored, read from a real redis-server; a broker that cannot be
reached is said, not a traceback."""

from __future__ import annotations

import json
import re
import socket
import time

import pytest
import redis

from crawler.cluster.broker import WORKERS_KEY
from crawler.cluster.entries import stream_key
from crawler.demo import write_demo_config
from tests.helpers import run_newswatch

pytestmark = pytest.mark.e2e


def with_broker(tmp_path, broker: str):
    config_dir = tmp_path / "config"
    write_demo_config(config_dir, "http://127.0.0.1:9")
    with (config_dir / "settings.toml").open("a", encoding="utf-8") as settings:
        settings.write(f'\n[cluster]\nbroker = "{broker}"\n')
    return config_dir


def test_status_shows_the_workers_seen_the_queue_and_the_stream(tmp_path, redis_url):
    config_dir = with_broker(tmp_path, redis_url)
    client = redis.Redis.from_url(redis_url)
    now = time.time()
    # What two live workers and one long gone leave behind them (their heartbeats), two
    # crawls waiting in the queue and three pages the daemon has not stored yet.
    client.zadd(WORKERS_KEY, {"w1@a": now - 2, "w2@b": now - 5, "old@c": now - 3600})
    client.rpush("newswatch", b"task-1", b"task-2")
    for n in range(3):
        client.xadd(stream_key("newswatch"), {"n": n})
    shown = run_newswatch("--config", str(config_dir), "status", "--json")
    assert shown.returncode == 0, shown.stderr
    cluster = json.loads(shown.stdout)["cluster"]
    assert set(cluster["workers"]) == {"w1@a", "w2@b"}
    assert (cluster["queued"], cluster["unstored"], cluster["error"]) == (2, 3, None)
    text = run_newswatch("--config", str(config_dir), "status")
    assert re.search(r"2 workers seen \(w1@a \d+ s ago, w2@b \d+ s ago\)", text.stdout)
    assert "2 crawls queued; 3 pages waiting to be stored" in text.stdout


def test_status_says_when_the_broker_cannot_be_reached(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config_dir = with_broker(tmp_path, f"redis://:sekrit@127.0.0.1:{port}/0")
    shown = run_newswatch("--config", str(config_dir), "status")
    assert shown.returncode == 0, shown.stderr
    assert f"Cluster redis://:****@127.0.0.1:{port}/0 (queue newswatch): cannot be read" in (
        shown.stdout
    )
    assert "sekrit" not in shown.stdout + shown.stderr
    assert "Traceback" not in shown.stderr
