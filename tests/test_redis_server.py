"""The redis_server fixture: a real redis-server that keeps what it acknowledged across a
stop and a start, SIGKILL included (the cluster's tests stand on it, issue 17)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_a_value_survives_a_restart(redis_server, redis_url, how):
    client = redis.Redis.from_url(redis_url)
    client.set("article:1", "stored")
    old_pid = redis_server.proc.pid
    getattr(redis_server, how)()
    with pytest.raises(redis.ConnectionError):
        client.ping()
    redis_server.start()
    assert redis_server.proc.pid != old_pid
    assert redis.Redis.from_url(redis_url).get("article:1") == b"stored"


def test_unacknowledged_stream_entries_stay_pending_after_a_restart(redis_server, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.xgroup_create("articles", "writer", id="0", mkstream=True)
    ids = [client.xadd("articles", {"url": f"http://site/{n}"}) for n in range(3)]
    read = client.xreadgroup("writer", "daemon", {"articles": ">"}, count=10)
    assert [entry_id for entry_id, _ in read[0][1]] == ids
    client.xack("articles", "writer", ids[0])

    redis_server.kill()
    redis_server.start()

    client = redis.Redis.from_url(redis_url)
    pending = client.xpending_range("articles", "writer", min="-", max="+", count=10)
    assert [(p["message_id"], p["consumer"]) for p in pending] == [
        (ids[1], b"daemon"),
        (ids[2], b"daemon"),
    ]
    # The restarted consumer reads its own pending entries again from id 0.
    again = client.xreadgroup("writer", "daemon", {"articles": "0"}, count=10)
    assert [entry_id for entry_id, _ in again[0][1]] == ids[1:]
    assert client.xreadgroup("writer", "daemon", {"articles": ">"}, count=10) == []


def test_the_server_dies_with_the_process_that_started_it(tmp_path):
    """A test process killed with SIGKILL (no atexit, no fixture teardown) leaves no redis."""
    script = (
        "import sys; from pathlib import Path; from tests.redis_server import RedisServer; "
        f"server = RedisServer(Path({str(tmp_path)!r})); print(server.proc.pid, flush=True); "
        "sys.stdin.read()"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        redis_pid = int(owner.stdout.readline())
        assert process_alive(redis_pid)
        owner.kill()
        owner.wait(timeout=30)
        deadline = time.monotonic() + 30
        while process_alive(redis_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_alive(redis_pid), "redis-server outlived the process that started it"
    finally:
        owner.kill()
        owner.wait()


def process_alive(pid: int) -> bool:
    """Running, not a zombie waiting for its (already dead) parent's reaper."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
