"""newswatch's Datasette plugin: the home and article pages' data, and the canned queries
`alerts` and `search` as Atom feeds.

datasette-atom needs `atom_*` columns in every query and fails on a feed with no entries
(a new watch); this renders our two feeds with `pipelines.web.atom`, the same code as
`newswatch alerts --format atom`. The pages' templates are in `templates/`; what they
show is read by `pipelines.web.pages`, in Datasette's read-only threads.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response

from pipelines.corpus.search import SearchError, fts_query
from pipelines.web import atom, pages
from pipelines.web.site import DATABASE

_FEEDS = {"alerts": atom.alert_entry, "search": atom.article_entry}


@hookimpl
def prepare_connection(conn):
    conn.create_function("newswatch_query", 1, _query, deterministic=True)


def _query(text: str | None) -> str:
    """The search query's `q` as FTS5 takes it (what people type, or FTS5 syntax); a query
    without words matches nothing rather than failing."""
    try:
        return fts_query(text or "")
    except SearchError:
        return '""'


@hookimpl
def register_output_renderer():
    return {"extension": "atom", "render": render_atom, "can_render": can_render_atom}


def can_render_atom(query_name) -> bool:
    return query_name in _FEEDS


def render_atom(request, rows, query_name):
    if query_name not in _FEEDS:
        return Response.text("Only the alerts and search queries have feeds", status=404)
    params = {k: request.args.get(k) for k in request.args.keys() if not k.startswith("_")}
    entries = [_FEEDS[query_name]({key: row[key] for key in row.keys()}) for row in rows]
    body = atom.feed(
        feed_id=atom.feed_id(query_name, params),
        title=atom.feed_title(query_name, params),
        entries=entries,
        self_link=request.url,
    )
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@hookimpl
def extra_template_vars(template, view_name, table, request, datasette):
    config = getattr(datasette, "newswatch_config", None)
    if config is None:
        return {}

    async def read():
        db = datasette.get_database(DATABASE)
        if template == "index.html":
            return {"newswatch": await db.execute_fn(lambda conn: pages.home(conn, config))}
        if view_name == "row" and table == "articles":
            try:
                article_id = int(request.url_vars["pks"])
            except (KeyError, ValueError):
                return {}
            found = await db.execute_fn(lambda conn: pages.article(conn, article_id))
            return {"newswatch_article": found}
        return {}

    return read
