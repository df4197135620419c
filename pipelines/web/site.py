"""`newswatch serve`: the corpus in Datasette, read-only, with feeds of alerts and searches.

Datasette opens the database read-only (`mode=ro`), and newswatch registers no plugin
that writes; WAL lets it read while the daemon writes. Arbitrary SQL is off unless
`[web] allow_sql = true`. It listens on 127.0.0.1 unless told otherwise, and anywhere
else only with `[web.users]` configured: then every page, JSON and feed asks for a
user's password (a login form, or HTTP Basic for feed readers and curl), checked by
datasette-auth-passwords against the hashes `newswatch hash-password` makes.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from pathlib import Path
from typing import Any

from config import Config
from pipelines.storage.runs import SOURCE_RUNS_SQL
from pipelines.storage.schema import COLUMN_DESCRIPTIONS, DESCRIPTIONS, describe
from pipelines.web.atom import ALERTS_SQL, SEARCH_SQL

DATABASE = "newswatch"  # its name in every URL: /newswatch/articles, /newswatch/alerts.atom
TEMPLATES = Path(__file__).parent / "templates"

# Tables only newswatch itself reads: kept out of the lists, still reachable by URL.
_HIDDEN = ("minhashes", "lsh_bands", "source_blocks", "source_counters", "raw_pages", "state")

QUERIES: dict[str, dict[str, Any]] = {
    "alerts": {
        "title": "Alerts",
        "description": "Alerts newest first, every watch's or one watch's (watch=NAME). "
        "As a feed: alerts.atom?watch=NAME.",
        "sql": ALERTS_SQL.replace(":limit", "coalesce(nullif(:limit, ''), 100)"),
        "params": ["watch", "limit"],
    },
    "search": {
        "title": "Search",
        "description": "Articles matching a full-text search (q), published between two "
        "dates (from, to: 2026-11-01, either may be empty). As a feed: search.atom?q=...",
        "sql": SEARCH_SQL.replace(":limit", "coalesce(nullif(:limit, ''), 100)"),
        "params": ["q", "from", "to", "limit"],
    },
    "story": {
        "title": "A story's outlets",
        "description": "Every article of a story (cluster=ID) and every URL each was seen at.",
        "sql": (
            "SELECT articles.id AS article, articles.source, articles.title, articles.url, "
            "articles.published, sightings.url AS seen_at, sightings.source AS seen_in, "
            "sightings.first_seen FROM articles "
            "LEFT JOIN sightings ON sightings.article_id = articles.id "
            "WHERE articles.cluster_id = :cluster "
            "ORDER BY coalesce(articles.published, articles.fetched_at), articles.id"
        ),
        "params": ["cluster"],
    },
    "source_runs": {
        "title": "A source's last runs",
        "description": "The last 50 crawls of a source (source=NAME), newest first.",
        "sql": SOURCE_RUNS_SQL,
        "params": ["source"],
    },
}

_TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "facets": ["source", "language", "cluster_id", "published_month"],
        "sort_desc": "id",
        "label_column": "title",
        "fts_table": "articles_fts",
        "fts_pk": "id",
    },
    "pages": {"facets": ["source", "kind", "outcome"], "sort_desc": "fetched_at"},
    "crawl_runs": {"facets": ["source", "status"], "sort_desc": "id"},
    "sightings": {"facets": ["source"], "sort_desc": "id"},
    "source_health": {"facets": ["verdict"]},
}


class WebError(Exception):
    """The web face cannot start as asked (an address that needs users, and none set)."""


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metadata(config: Config, host: str) -> dict[str, Any]:
    """Datasette's metadata: descriptions, facets, canned queries, who may read."""
    users = dict(config.web.users)
    if not loopback(host) and not users:
        raise WebError(
            f"listening on {host} lets others read the corpus: add users first "
            "([web.users] in settings.toml, with a hash from `newswatch hash-password`), "
            "or serve on 127.0.0.1 behind a reverse proxy that asks for a password"
        )
    tables: dict[str, dict[str, Any]] = {}
    for names in DESCRIPTIONS:
        for name in names:
            tables[name] = {
                "description": describe(name),
                "columns": COLUMN_DESCRIPTIONS.get(name, {}),
                "hidden": name in _HIDDEN,
                **_TABLES.get(name, {}),
            }
    tables["_sqlite_migrations"] = {"hidden": True}
    meta: dict[str, Any] = {
        "title": "newswatch",
        "description": "The news newswatch collected: articles, their stories, and the "
        "alerts your watches raised.",
        "allow_sql": config.web.allow_sql,
        "databases": {DATABASE: {"tables": tables, "queries": QUERIES}},
    }
    if users:
        meta["allow"] = {"id": sorted(users)}
        meta["plugins"] = {
            "datasette-auth-passwords": {
                **{f"{name}_password_hash": hashed for name, hashed in users.items()},
                "http_basic_auth": True,
            }
        }
    return meta


def build(config: Config, host: str = "127.0.0.1"):
    """The Datasette instance for `config`'s database (migrated first, then read-only)."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.plugins import pm

    from pipelines.storage.database import open_database
    from pipelines.web import plugin

    open_database(config.storage.database).close()  # created and migrated, then only read
    if not pm.is_registered(plugin):
        pm.register(plugin, name="newswatch")
    ds = Datasette(
        [],
        metadata=metadata(config, host),
        template_dir=str(TEMPLATES) if TEMPLATES.is_dir() else None,
        settings={
            "default_allow_sql": config.web.allow_sql,
            "allow_download": False,  # the whole file holds raw pages and delivery state
            "suggest_facets": False,
            "sql_time_limit_ms": 3000,
        },
    )
    ds.add_database(Database(ds, path=str(config.storage.database), is_mutable=True), name=DATABASE)
    ds.remove_database("_memory")  # Datasette adds one when given no files
    ds.newswatch_config = config  # for the plugin: watches, sources, health rules
    return ds


class WebServer:
    """The web face on `host`:`port`: `run()` serves in this thread until interrupted
    (`newswatch serve`), `start()` in a thread of its own until `stop()` (the daemon's
    `--web-port`). The port is bound at once: a busy one is an OSError here."""

    def __init__(self, config: Config, host: str, port: int) -> None:
        import asyncio

        import uvicorn

        ds = build(config, host)
        asyncio.run(ds.invoke_startup())
        self.datasette = ds
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family)
        self.server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="off"))
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self) -> WebServer:
        # Off the main thread uvicorn installs no signal handlers: the daemon keeps its own.
        self._thread = threading.Thread(target=self.run, name="web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
