"""Fixtures only: local HTTP servers for test sites, configurations, a crawled corpus
(the harness the tests share is tests/helpers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.demo import DEMO_SITE, write_demo_config
from crawler.siteserver import SiteServer


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


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server on a free loopback port, one per test process (xdist worker).
    Tests may stop, kill and start it; `redis_url` starts it again if one left it down."""
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's server, running and emptied (FLUSHALL): each test starts from nothing.
    One server per xdist worker and one test at a time in each, so nothing else writes."""
    if not redis_server.running:
        redis_server.start()
    with redis_server.client() as client:
        client.flushall()
    return redis_server.url
