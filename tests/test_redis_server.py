"""The redis_server fixture: a real redis-server that keeps what it acknowledged across a
stop and a start, SIGKILL included (the cluster's tests stand on it, issue 17)."""

from __future__ import annotations

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
