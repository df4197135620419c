"""The daemon's sending side against a real redis-server and a real SQLite file: one crawl
of a source out at a time, and a crawl whose end never came back given up and sent anew."""

from __future__ import annotations

import pytest

from config import load_config
from crawler.cluster.link import ClusterLink
from crawler.cluster.snapshot import snapshot_key
from crawler.demo import write_demo_config
from pipelines.storage.database import open_database
from pipelines.storage.runs import read_run

pytestmark = pytest.mark.e2e  # a redis-server per test process


@pytest.fixture
def link(tmp_path, redis_url):
    config_dir = write_demo_config(tmp_path / "config", "http://127.0.0.1:9").directory
    with (config_dir / "settings.toml").open("a", encoding="utf-8") as settings:
        settings.write(f'\n[cluster]\nbroker = "{redis_url}"\n')
    link = ClusterLink(load_config(config_dir), lambda source, run_id: None)
    yield link
    link.client.flushdb()
    link.client.close()


def test_a_crawl_still_out_is_not_sent_twice(link):
    first = link.send(link.config, "ledger")
    assert first is not None
    assert link.send(link.config, "ledger") is None
    assert link.state().queued == 1
    assert link.client.exists(snapshot_key(first))


def test_a_crawl_whose_end_never_came_is_ended_and_its_queued_task_left_to_skip(link):
    first = link.send(link.config, "ledger")
    db = open_database(link.config.storage.database)
    db.execute("UPDATE crawl_runs SET started = '2026-01-01T00:00:00+00:00' WHERE id = ?", [first])
    db.conn.commit()
    # No worker took it (none runs): past crawl_timeout + stop_grace it is given up.
    second = link.send(link.config, "ledger")
    assert second not in (None, first)
    run = read_run(db, first)
    db.close()
    assert run["status"] == "killed"
    assert "no end came back" in run["reason"]
    # Both tasks wait in the queue; a worker that comes now skips the first (its snapshot
    # is gone) and crawls the source once.
    assert link.state().queued == 2
    assert not link.client.exists(snapshot_key(first))
    assert link.client.exists(snapshot_key(second))
