"""The newswatch command line: a thin click layer over the library.

Library errors (ConfigError, StorageError, ...) become click errors here, at
the edge: a message naming what is wrong, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

import config as nwconfig
from config import ConfigError, load_config

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# Each command imports what it uses, when it runs: `newswatch --help` pays for click alone,
# `status` not for Scrapy, `crawl` not for APScheduler (bench/startup_bench.py).


class _Console:
    """The console commands print to, made on first use (rich costs what `--help` need
    not pay): `crawler.report.output_console`."""

    _made = None

    def __getattr__(self, name: str):
        if _Console._made is None:
            from crawler.report import output_console

            _Console._made = output_console()
        return getattr(_Console._made, name)


console = _Console()


class Context:
    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir
        self.warned = False

    def config(self) -> nwconfig.Config:
        try:
            config = load_config(self.config_dir)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        self._warn_if_example(config)
        return config

    def _warn_if_example(self, config: nwconfig.Config) -> None:
        """Once per command: which parts are still `init`'s example, and what to edit (not
        in the daemon's crawls: the daemon said it when it started)."""
        from config.example import example_warning
        from crawler.process import SUPERVISOR_ENV
        from pipelines.textnorm import printable

        if self.warned or os.environ.get(SUPERVISOR_ENV):
            return
        self.warned = True
        warning = example_warning(config)
        if warning:
            click.echo(printable(warning), err=True)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path),
    default="config",
    envvar="NEWSWATCH_CONFIG",
    show_default=True,
    show_envvar=True,
    help="The configuration folder (settings.toml, sources.toml).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="More log output: each page's events (on a terminal only warnings show by default), "
    "-vv for debug.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors in the log.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    default="auto",
    show_default=True,
    help="Log lines on stderr: JSON when stderr is not a terminal (auto).",
)
@click.option("--utc", is_flag=True, help="Show times in UTC (default: this machine's time zone).")
@click.version_option(package_name="newswatch")
@click.pass_context
def main(
    ctx: click.Context, config_dir: Path, verbose: int, quiet: bool, log_format: str, utc: bool
) -> None:
    """newswatch watches news sources for you: it crawls them, keeps each article's
    main text in one SQLite file, and lets you search it."""
    from config.logs import setup_logging
    from crawler.report import show_times_in_utc

    # The daemon's log is its output: its events show on a terminal too.
    daemon = ctx.invoked_subcommand in ("run", "worker")
    setup_logging(-1 if quiet else verbose, log_format, daemon=daemon)
    show_times_in_utc(utc)
    ctx.obj = Context(config_dir)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default="config")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: Path, force: bool) -> None:
    """Write a commented example configuration into DIRECTORY."""
    if directory.expanduser().resolve() == nwconfig.EXAMPLES:
        raise click.ClickException(nwconfig.own_folder(directory.expanduser().resolve()))
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("settings.toml", "sources.toml", "watchlist.toml"):
        target = directory / name
        if target.exists() and not force:
            raise click.ClickException(f"{target} exists; use --force to overwrite it")
        shutil.copyfile(nwconfig.EXAMPLES / name, target)
        click.echo(f"wrote {target}")
    click.echo(f"Edit {directory / 'sources.toml'}, then: newswatch --config {directory} crawl")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@pass_context
def sources(ctx: Context, as_json: bool) -> None:
    """List the configured sources, validated, with their schedules."""
    from rich.console import Group

    from crawler.report import Url, line, shown_schedule, table

    config = ctx.config()
    if as_json:
        import json

        listing = [
            {
                "name": s.name,
                "enabled": s.enabled,
                "schedule": str(s.schedule),
                "max_pages": s.max_pages,
                "feeds": list(s.feeds),
                "sitemaps": list(s.sitemaps),
                "start_urls": list(s.start_urls),
            }
            for s in config.sources
        ]
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    listing = table("name", "schedule", "max pages", "discovery", urls=["discovery"])
    for source in config.sources:
        discovery = [Url(u, "feed") for u in source.feeds]
        discovery += [Url(u, "sitemap") for u in source.sitemaps]
        discovery += [Url(u, "front") for u in source.start_urls]
        schedule = shown_schedule(source.schedule, config.daemon.timezone)
        listing.add_row(
            source.name,
            schedule if source.enabled else "disabled",
            str(source.max_pages),
            Group(*discovery),
        )
    console.print(listing)
    console.print(line("database: ", str(config.storage.database)))


@main.command()
@click.argument("names", nargs=-1)
@click.option("--run-id", type=int, hidden=True, help="The daemon's crawl_runs row (one source).")
@click.option(
    "--notify", is_flag=True, help="Then deliver the new alerts now (for crawls run from cron)."
)
@click.option(
    "--database", type=click.Path(path_type=Path), hidden=True, help="A worker's snapshot."
)
@click.option("--to-stream", type=int, hidden=True, help="A worker's crawl for the daemon's run.")
@pass_context
def crawl(
    ctx: Context,
    names: tuple[str, ...],
    run_id: int | None,
    notify: bool,
    database: Path | None,
    to_stream: int | None,
) -> None:
    """Crawl every enabled source once, now (or only the sources NAMES).

    A source another process is crawling is left to it (exit status 75 when every source
    asked for is busy)."""
    from crawler.process import BUSY_EXIT
    from crawler.report import line, results_table
    from crawler.run import CrawlInterrupted, crawl_once
    from pipelines.storage.database import StorageError
    from pipelines.textnorm import printable

    config = ctx.config()
    if to_stream is not None:
        _crawl_to_stream(config, names, database, to_stream)
        return
    try:
        chosen = [config.source(n) for n in names] if names else list(config.enabled_sources)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not chosen:
        raise click.ClickException("no enabled sources; enable one in sources.toml or name it")
    if run_id is not None and len(chosen) != 1:
        raise click.ClickException("--run-id goes with exactly one source")
    try:
        done = crawl_once(config, chosen, run_id=run_id, progress=_progress())
    except CrawlInterrupted as stop:
        _interrupted(stop)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    results = done.results
    console.print(results_table(results))
    if done.alerts and notify:
        _deliver_now(config)
    elif done.alerts:
        console.print(f"{done.alerts} new alert(s): newswatch alerts --pending")
    explained = {r.source for r in results if r.reason or r.problems}
    for health in done.changed:
        why = [] if health.source in explained else [": ", health.reason]
        console.print(line(health.source, " is now ", _verdict(health.verdict), *why))
    failed = [f"{r.source} ({r.reason})" if r.reason else r.source for r in results if r.failed]
    if failed:
        raise click.ClickException(printable(f"crawl failed for: {', '.join(failed)}"))
    if all(r.status == "busy" for r in results):
        busy = ", ".join(f"{r.source} ({r.reason})" for r in results)
        click.echo(printable(f"Error: busy: {busy}"), err=True)
        raise SystemExit(BUSY_EXIT)


def _crawl_to_stream(
    config: nwconfig.Config, names: tuple[str, ...], database: Path | None, run_id: int
) -> None:
    """A worker's crawl (`newswatch worker` runs it): one source, against the snapshot
    `database`, its outcomes sent to the daemon's stream for run `run_id`."""
    from dataclasses import replace

    from crawler.run import CrawlInterrupted, crawl_to_stream
    from pipelines.textnorm import printable

    if len(names) != 1 or database is None or not config.cluster.enabled:
        raise click.ClickException("--to-stream goes with one source, --database and [cluster]")
    try:
        source = config.source(names[0])
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    config = replace(config, storage=replace(config.storage, database=database))
    try:
        result = crawl_to_stream(config, source, run_id)
    except CrawlInterrupted as stop:  # the end entry says so: stopped by a signal
        result = stop.results[0]
    if result.status == "failed" and (result.reason or "").startswith("the stream"):
        from crawler.cluster.stream import STREAM_EXIT

        click.echo(printable(f"Error: {result.reason}"), err=True)
        raise SystemExit(STREAM_EXIT)


def _progress() -> Console | None:
    """Where a crawl's live progress is drawn: stderr, when it is a terminal."""
    from config.logs import live_display
    from crawler.report import output_console

    return output_console(stderr=True) if live_display() else None


def _interrupted(stop) -> NoReturn:
    """After a Ctrl-C (or SIGTERM): the summary, which crawls it stopped, and exit status
    128 + the signal's number (130 for Ctrl-C), as shells report a program a signal ended.
    Alert matching and health checks are left to the next crawl or the daemon."""
    from crawler.report import results_table
    from pipelines.textnorm import printable

    console.print(results_table(stop.results))
    stopped = ", ".join(r.source for r in stop.results if r.status == "interrupted")
    key = "Ctrl-C" if stop.signum == signal.SIGINT else signal.Signals(stop.signum).name
    message = f"Error: interrupted ({key})"
    if stopped:
        message += f": stopped the crawl of {stopped}; what it stored is kept"
    click.echo(printable(message), err=True)
    raise SystemExit(128 + stop.signum)


@main.command()
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
@click.option("--since", help="Only pages fetched since this date (2026-11-01); default: all.")
@pass_context
def reextract(ctx: Context, names: tuple[str, ...], since: str | None) -> None:
    """Judge the archived pages again with this version's extraction, without fetching them.

    Needs [storage] archive_html = true (the pages fetched since it was set are archived).
    A skipped page that now holds an article is stored; a stored article whose text now
    comes out differently gets it as its next version."""
    from crawler.report import results_table
    from crawler.run import CrawlInterrupted, crawl_sources
    from pipelines.alerts.recording import match_alerts, register
    from pipelines.storage.database import StorageError

    config = ctx.config()
    if not config.storage.archive_html:
        raise click.ClickException(
            "reextract reads the raw-page archive: set [storage] archive_html = true in "
            f"{config.directory / 'settings.toml'}; pages fetched from then on are archived"
        )
    try:
        chosen = [config.source(n) for n in names] if names else list(config.sources)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        register(config)
        results = crawl_sources(config, chosen, replay=_since(since) or "", progress=_progress())
        created = match_alerts(config)
    except CrawlInterrupted as stop:
        _interrupted(stop)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(results_table(results))
    if created:
        console.print(f"{created} new alert(s): newswatch alerts --pending")


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="The most results shown.")
@click.option("--source", "source_name", help="Only articles from this source.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@pass_context
def search(ctx: Context, query: str, limit: int, source_name: str | None, as_json: bool) -> None:
    """Full-text search over the collected articles (what you type, or FTS5 syntax)."""
    import json

    from crawler.report import line, shown_time
    from pipelines.corpus.search import MARK_END, MARK_START, SearchError, search_articles

    config = ctx.config()
    with _database(config) as db:
        _check_known(db, config, sources=(source_name,) if source_name else ())
        try:
            hits = search_articles(db, query, limit=limit, source=source_name)
        except SearchError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        for hit in hits:
            marked = hit["snippet"]
            hit["matched"] = sorted(
                {p.partition(MARK_END)[0] for p in marked.split(MARK_START)[1:]}
            )
            hit["snippet"] = marked.replace(MARK_START, "").replace(MARK_END, "")
        click.echo(json.dumps(hits, indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo(f"no articles match {query!r}")
        return
    for hit in hits:
        console.print(line((hit["title"] or "(untitled)", "bold"), "  ", (f"#{hit['id']}", "dim")))
        published = shown_time(hit["published"]) or "undated"
        console.print(line(f"  {hit['source']} · {published} · {hit['url']}"))
        console.print(line("  ", *_marked(hit["snippet"])))


def _check_known(
    db, config: nwconfig.Config, *, sources: tuple[str, ...] = (), watch: str | None = None
) -> None:
    """An unknown --source or --watch is a usage error naming the choices (exit 2)."""
    from pipelines.corpus.export import ExportError, ExportFilter, check_filters

    try:
        check_filters(
            db,
            ExportFilter(sources=sources, watch=watch),
            sources=[s.name for s in config.sources],
            watches=[w.name for w in config.watches],
        )
    except ExportError as exc:
        raise BadInput(str(exc)) from None


def _marked(snippet: str) -> list[str | tuple[str, str]]:
    """A search snippet's parts, its matched words styled."""
    from pipelines.corpus.search import MARK_END, MARK_START

    parts: list[str | tuple[str, str]] = []
    for piece in snippet.split(MARK_START):
        hit, end, rest = piece.partition(MARK_END)
        parts += [(hit, "bold underline"), rest] if end else [piece]
    return parts


@main.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default="newswatch-demo",
    show_default=True,
    help="Where the demo writes its configuration and database.",
)
def demo(directory: Path) -> None:
    """Serve the bundled sample news site on 127.0.0.1, crawl it, show what was collected."""
    from crawler.demo import run_demo
    from crawler.run import CrawlInterrupted
    from pipelines.storage.database import StorageError

    try:
        run_demo(directory, console, progress=_progress())
    except CrawlInterrupted as stop:
        _interrupted(stop)
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None


def _since(value: str | None) -> str | None:
    """A --since moment (`config.parse_when`: 2026-11-28, 7d, yesterday) as an ISO UTC
    string, or a clear error."""
    if value is None:
        return None
    try:
        return nwconfig.parse_when(value).isoformat(timespec="seconds")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


@main.command()
@pass_context
def watches(ctx: Context) -> None:
    """List the watchlist (watchlist.toml), validated; secrets in notify URLs are masked."""
    from rich.console import Group

    from crawler.report import Url, table

    config = ctx.config()
    if not config.watches:
        click.echo(f"no watches; add [[watch]] tables to {config.directory / 'watchlist.toml'}")
        return
    listing = table(
        "name", "aliases", "mode", "sources", "notify", wrap=["aliases"], urls=["notify"]
    )
    for watch in config.watches:
        mode = watch.mode if watch.mode == "instant" else f"digest ({watch.digest})"
        listing.add_row(
            watch.name,
            ", ".join(watch.aliases),
            mode,
            ", ".join(watch.sources) or "all",
            Group(*map(Url, watch.notify_redacted)) if watch.notify_redacted else "-",
        )
    console.print(listing)


@main.command()
@click.option("--pending", is_flag=True, help="Only alerts not yet delivered.")
@click.option(
    "--retry", "retry_failed", is_flag=True, help="Alerts given up on (failed): send them again."
)
@click.option("--drop", "drop_failed", is_flag=True, help="Alerts given up on (failed): let go.")
@click.option("--watch", "watch_name", help="Only this watch's alerts.")
@click.option("--since", help="Only alerts created since this date (2026-11-28).")
@click.option("--limit", default=50, show_default=True, help="The most alerts shown.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "atom"]),
    default="text",
    show_default=True,
    help="atom: an Atom 1.0 feed (the web face's alerts.atom), to publish as a static file.",
)
@pass_context
def alerts(
    ctx: Context,
    pending: bool,
    retry_failed: bool,
    drop_failed: bool,
    watch_name: str | None,
    since: str | None,
    limit: int,
    output: str,
    as_json: bool,
) -> None:
    """List alerts, newest first: what matched, where, and whether it was delivered."""
    from crawler.report import line, shown_time
    from pipelines.alerts.delivery import list_alerts

    config = ctx.config()
    since = _since(since)
    if watch_name:
        # A configured watch by any capitalisation; a name no longer configured still
        # lists the alerts it raised before it was removed.
        known = {w.name.casefold(): w.name for w in config.watches}
        watch_name = known.get(watch_name.casefold(), watch_name)
    if retry_failed or drop_failed:
        _settle_failed(config, watch_name, retry=retry_failed, drop=drop_failed)
        return
    if output == "atom":
        if pending or since:
            raise click.UsageError("--format atom lists every alert: no --pending or --since")
        _alerts_atom(config, watch_name, limit)
        return
    with _database(config) as db:
        _check_known(db, config, watch=watch_name)
        rows = list_alerts(db, pending=pending, watch=watch_name, since=since, limit=limit)
    if as_json:
        import json

        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no alerts")
        return
    for row in rows:
        status = row["status"]
        if status == "pending" and row["attempts"]:
            status += f" (attempt {row['attempts']} failed: {row['last_error']})"
        console.print(
            line(
                (f"#{row['id']} {row['watch']}", "bold"),
                f" · {shown_time(row['created_at'])} · {status}",
            )
        )
        console.print(line(f"  {row['title'] or ''}\n  {row['url']}"))
        console.print(line(f"  matched “{row['found']}” ({row['matched']}): {row['snippet']}"))


def _settle_failed(
    config: nwconfig.Config, watch_name: str | None, *, retry: bool, drop: bool
) -> None:
    from pipelines.alerts.delivery import settle_failed

    if retry and drop:
        raise click.UsageError("--retry or --drop, not both")
    with _database(config) as db:
        _check_known(db, config, watch=watch_name)
        count = settle_failed(db, retry=retry, watch=watch_name)
    what = "pending again: the daemon (or newswatch deliver) sends them" if retry else "dropped"
    click.echo(f"{count} failed alert(s) {what}")


def _alerts_atom(config: nwconfig.Config, watch_name: str | None, limit: int) -> None:
    from pipelines.web import atom

    with _database(config) as db:
        _check_known(db, config, watch=watch_name)
        rows = db.query(atom.ALERTS_SQL, {"watch": watch_name or "", "limit": limit})
        entries = [atom.alert_entry(row) for row in rows]
    params = {"watch": watch_name} if watch_name else {}
    body = atom.feed(
        feed_id=atom.feed_id("alerts", params),
        title=atom.feed_title("alerts", params),
        entries=entries,
        self_link=None,
    )
    click.echo(body.decode("utf-8"))


@main.command()
@pass_context
def deliver(ctx: Context) -> None:
    """Match new articles against the watchlist and deliver the pending alerts now, without
    the daemon (for crawls run from cron); digests stay the daemon's."""
    from pipelines.alerts.recording import match_alerts
    from pipelines.storage.database import StorageError

    config = ctx.config()
    try:
        match_alerts(config)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    _deliver_now(config)


def _deliver_now(config: nwconfig.Config) -> None:
    """Deliver the due pending alerts of instant watches, holding the daemon's lock: a
    running daemon delivers them itself, and two deliverers would send twice."""
    from crawler.locks import LockBusy, daemon_lock
    from pipelines.alerts.delivery import deliver_pending

    lock = daemon_lock(config.storage.database)
    try:
        lock.acquire()
    except LockBusy as busy:
        pid = busy.pid or "unknown"
        click.echo(f"the daemon (pid {pid}) is running: it delivers the alerts", err=True)
        return
    try:
        with _database(config) as db:
            daemon = config.daemon
            result = deliver_pending(
                db,
                config.watches,
                now=datetime.now(UTC),
                retry=(daemon.retry_min, daemon.retry_max),
                give_up_after=daemon.max_attempts,
            )
    finally:
        lock.release()
    click.echo(f"{result.sent} alert(s) delivered, {result.failed} failed (newswatch alerts)")
    if result.failed:
        raise SystemExit(1)


@main.command("notify-test")
@click.argument("name")
@pass_context
def notify_test(ctx: Context, name: str) -> None:
    """Send a test notification to each channel of the watch NAME."""
    from pipelines.notify import redact, send

    config = ctx.config()
    try:
        watch = config.watch(name)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not watch.notify:
        raise click.ClickException(f"watch {watch.name!r} has no notify URLs")
    results = send(
        watch.notify,
        f"newswatch test: {watch.name}",
        f"This is a test notification for the watch {watch.name!r}.",
        f"test-{datetime.now(UTC).isoformat(timespec='seconds')}",
    )
    for url, error in results.items():
        click.echo(
            f"{'ok    ' if error is None else 'FAILED'} {redact(url)}"
            + (f": {error}" if error else "")
        )
    if any(results.values()):
        raise click.ClickException("some channels failed")


@main.command()
@click.argument("name")
@click.option("--since", help="Only articles published since this date (2026-01-01).")
@click.option(
    "--notify",
    is_flag=True,
    help="Deliver the alerts found (default: only record them, to be listed).",
)
@pass_context
def backfill(ctx: Context, name: str, since: str | None, notify: bool) -> None:
    """Run the watch NAME over the articles already stored."""
    from crawler.report import line
    from pipelines.alerts.recording import backfill as run_backfill
    from pipelines.clock import now_iso

    config = ctx.config()
    since = _since(since)
    try:
        watch = config.watch(name)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    with _database(config) as db:
        raised = run_backfill(db, watch, now=now_iso(), since=since, notify=notify)
    for alert in raised:
        console.print(line(f"  {alert['title'] or alert['url']}", (f"  “{alert['found']}”", "dim")))
    if not notify:
        said = (
            f"{len(raised)} alert(s) would be raised for {watch.name!r} (a preview: nothing "
            "recorded; --notify records them for the daemon to deliver)"
        )
    elif raised and all(a["status"] == "recorded" for a in raised):
        said = f"{len(raised)} new alert(s) for {watch.name!r}, recorded (it has no notify)"
    else:
        said = f"{len(raised)} new alert(s) for {watch.name!r}, to be delivered by the daemon"
    console.print(line(said))


@main.command()
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    help="Serve Prometheus metrics at http://HOST:PORT/metrics.",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    help="The address the metrics are served on (0.0.0.0: every interface).",
)
@click.option(
    "--web-port",
    type=click.IntRange(1, 65535),
    help="Serve the web face (as `newswatch serve`) on [web] host, this port, meanwhile.",
)
@pass_context
def run(ctx: Context, metrics_port: int | None, metrics_host: str, web_port: int | None) -> None:
    """Run the daemon in the foreground: scheduled crawls and alert delivery (Ctrl-C stops,
    SIGHUP reloads the configuration)."""
    from pipelines.storage.database import StorageError

    # From now on a SIGTERM is a stop in good order, also while the daemon starts (its
    # imports and configuration take a second or more on a busy machine), never a kill.
    stopping, reloading = threading.Event(), threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    # Likewise a SIGHUP (reload) is never the default, an exit: the daemon reloads once it runs.
    signal.signal(signal.SIGHUP, lambda *_: reloading.set())
    from scheduler import DaemonError, run_daemon

    metrics = (metrics_host, metrics_port) if metrics_port is not None else None
    try:
        run_daemon(
            ctx.config(), metrics=metrics, web_port=web_port, stopping=stopping, reloading=reloading
        )
    except (DaemonError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--host", help="The address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Default: [web] port, 8001.")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the web face (Datasette, read-only): browse, search, alerts and their feeds."""
    from pipelines.storage.database import StorageError

    config = ctx.config()
    from pipelines.web.site import WebError, WebServer

    host, port = host or config.web.host, port or config.web.port
    try:
        server = WebServer(config, host, port)
    except (WebError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        message = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        raise click.ClickException(message) from None
    click.echo(f"newswatch web face on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    server.run()


@main.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Crawls run at once (each a process with its extraction workers).",
)
@click.option(
    "--queues", help="Comma-separated queues to take crawls from (default: [cluster] queue)."
)
@click.option("--name", help="This worker's name in status and the runs (default: newswatch@HOST).")
@pass_context
def worker(ctx: Context, concurrency: int, queues: str | None, name: str | None) -> None:
    """Crawl sources for the daemon: a Celery worker on [cluster] broker (needs this
    configuration folder and Redis, no database). SIGTERM lets its crawls finish first."""
    config = ctx.config()
    if not config.cluster.enabled:
        raise click.ClickException(
            'no broker: set [cluster] broker = "redis://host:6379/0" in settings.toml'
        )
    from crawler.cluster.worker import WorkerError, default_name, run_worker

    chosen = [q.strip() for q in (queues or config.cluster.queue).split(",") if q.strip()]
    try:
        run_worker(config, concurrency, chosen, name or default_name())
    except WorkerError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("hash-password")
@click.password_option(help="The password (asked for when not given).")
def hash_password(password: str) -> None:
    """Print a hash of a password, for [web.users] in settings.toml."""
    from datasette_auth_passwords.utils import hash_password as pbkdf2

    click.echo(pbkdf2(password))


class BadInput(click.ClickException):
    """Bad input to a command (an export's options, an unknown --source) exits 2, like a
    usage error."""

    exit_code = 2


@main.command()
@click.argument("target")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "warc"]),
    help="Default: from TARGET's extension (.jsonl, .csv, .parquet, .warc; .gz compresses). "
    "warc needs [storage] archive_html = true.",
)
@click.option("--since", help="Only articles published on or after this date (2026-01-01).")
@click.option("--until", help="Only articles published on or before this date.")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--query", help="Only articles matching this full-text query.")
@click.option("--watch", "watch_name", help="Only articles this watch alerted on.")
@click.option("--language", help="Only articles in this language (ISO 639-1, like en).")
@click.option("--fields", help="Comma-separated fields (default: all; see the manifest).")
@click.option(
    "--dedupe",
    type=click.Choice(["none", "cluster"]),
    default="none",
    show_default=True,
    help="cluster: one article per story (the earliest published), the story's other "
    "URLs in cluster_urls.",
)
@click.option("--force", is_flag=True, help="Replace TARGET (and its manifest) if it exists.")
@pass_context
def export(
    ctx: Context,
    target: str,
    fmt: str | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    query: str | None,
    watch_name: str | None,
    language: str | None,
    fields: str | None,
    dedupe: str,
    force: bool,
) -> None:
    """Export articles to TARGET (a file, or - for stdout) with a manifest beside it."""
    from importlib.metadata import version

    from rich.console import Console
    from rich.progress import Progress

    from pipelines.corpus.export import (
        ExportError,
        ExportFilter,
        archived_share,
        check_filters,
        check_target,
        count_articles,
        format_for,
        parse_fields,
    )
    from pipelines.corpus.export import export as run_export
    from pipelines.storage.database import StorageError, open_database

    config = ctx.config()
    filters = ExportFilter(
        since=since,
        until=until,
        sources=sources,
        query=query,
        watch=watch_name,
        language=language,
        dedupe=None if dedupe == "none" else dedupe,
    )
    try:
        check_target(target, force=force)
        fmt = format_for(target, fmt)
        chosen = parse_fields(fields)
        db = open_database(config.storage.database)
        check_filters(
            db,
            filters,
            sources=[s.name for s in config.sources],
            watches=[w.name for w in config.watches],
        )
        show = target != "-" and sys.stderr.isatty()
        with Progress(console=Console(stderr=True), disable=not show) as bar:
            task = bar.add_task("exporting", total=count_articles(db, filters) if show else None)
            manifest = run_export(
                db,
                target,
                fmt,
                filters,
                chosen,
                version=version("newswatch"),
                stdout=sys.stdout.buffer,
                progress=lambda n: bar.advance(task, n),
                force=force,
            )
        archived, total = archived_share(db, filters) if fmt == "warc" else (0, 0)
    except ExportError as exc:
        raise BadInput(str(exc)) from None
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.ClickException("interrupted: no file was written") from None
    if manifest is not None:
        click.echo(
            f"wrote {manifest.rows} articles to {target} (sha256 {manifest.sha256[:16]}…)"
            f" and {target}.manifest.json",
            err=True,
        )
    if archived < total:
        click.echo(
            f"{archived} of the {total} matching articles have archived pages (pages are "
            "archived only while [storage] archive_html is on); the others are not in the WARC",
            err=True,
        )


@main.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@pass_context
def show(ctx: Context, article_id: int, as_json: bool) -> None:
    """Read one article: what is known of it, its text, the alerts its story raised, the
    story's other outlets and the article's earlier versions."""
    import json

    from crawler.report import line, shown_time
    from pipelines.web.pages import article

    with _database(ctx.config()) as db:
        found = article(db.conn, article_id)
    if found is None:
        raise click.ClickException(f"no article has the id {article_id}")
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=str))
        return
    a = found["article"]
    console.print(line((a["title"] or a["url"], "bold"), "  ", (f"#{a['id']}", "dim")))
    facts = [a["source"], a["published"] and f"published {shown_time(a['published'])}"]
    facts += [found["authors"] and "by " + ", ".join(found["authors"]), a["language"]]
    console.print(line(" · ".join(f for f in facts if f) + f" · {a['word_count']} words"))
    console.print(line((a["url"], "dim")))
    for paragraph in found["paragraphs"]:
        console.print()
        console.print(line(paragraph))
    sections = [
        (
            "Alerts its story raised",
            [
                f"{x['watch']}: “{x['found']}” ({x['status']}, {shown_time(x['created_at'])})"
                for x in found["alerts"]
            ],
        ),
        (
            "The story's other outlets",
            [f"#{o['id']} {o['source']}: {o['title'] or o['url']}" for o in found["outlets"]]
            + [f"the same text at {x['url']} ({x['source']})" for x in found["sightings"]],
        ),
        (
            "Earlier versions",
            [
                f"version {v['version']}, fetched {shown_time(v['fetched_at'])}"
                for v in found["versions"]
            ],
        ),
    ]
    for heading, items in sections:
        if items:
            console.print()
            console.print(line((heading, "bold")))
            for item in items:
                console.print(line(f"  {item}"))


@main.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@pass_context
def cluster(ctx: Context, article_id: int, as_json: bool) -> None:
    """The story ARTICLE_ID belongs to: every outlet and URL that carried it, earliest first."""
    from crawler.report import shown_time, table
    from pipelines.storage.clusters import cluster_members, story_of

    with _database(ctx.config()) as db:
        story = story_of(db, article_id)
        if story is None:
            raise click.ClickException(f"no article has the id {article_id}")
        members = cluster_members(db, story)
    articles = len({m["article_id"] for m in members})
    if as_json:
        import json

        found = {"story": story, "articles": articles, "members": members}
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    listing = table(
        "article",
        "outlet",
        "published",
        "url",
        title=f"Story {story}: {articles} article{'s' if articles != 1 else ''}, "
        f"{len(members)} URL{'s' if len(members) != 1 else ''}",
        wrap=["outlet"],
        urls=["url"],
    )
    for index, member in enumerate(members):
        marks = [f"#{member['article_id']}"]
        marks += ["first"] if index == 0 else ["copy"] if member["copy"] else []
        if member["article_id"] == article_id and not member["copy"]:
            marks.append("◀")
        listing.add_row(
            " ".join(marks),
            member["outlet"],
            shown_time(member["published"] or member["seen"]),
            member["url"],
        )
    console.print(listing)


@main.command()
@click.argument("article_id", type=int)
@click.option("--diff", "show_diff", is_flag=True, help="Show what changed between versions.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of the versions, for scripts.")
@pass_context
def history(ctx: Context, article_id: int, show_diff: bool, as_json: bool) -> None:
    """The versions of article ARTICLE_ID (rechecked sources keep every changed text)."""
    from crawler.report import line, shown_time, table
    from pipelines.corpus.history import UnknownArticle, article_versions, diff

    db = _database(ctx.config())
    try:
        versions = article_versions(db, article_id)
    except UnknownArticle as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        import json

        if show_diff:
            for old, new in pairwise(versions):
                new["diff"] = list(diff(old, new))
        click.echo(json.dumps(versions, indent=2, ensure_ascii=False))
        return
    listing = table(
        "version", "fetched", "words", "title", title=f"Article {article_id}", wrap=["title"]
    )
    for v in versions:
        label = f"{v['version']} (current)" if v["current"] else str(v["version"])
        listing.add_row(label, shown_time(v["fetched_at"]), str(v["words"]), v["title"] or "")
    console.print(listing)
    if len(versions) == 1:
        click.echo("one version: the text has not changed since it was first fetched")
    if not show_diff:
        return
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for old, new in pairwise(versions):
        console.print()
        for change in diff(old, new):
            style = "bold" if change.startswith(("+++", "---")) else styles.get(change[:1])
            console.print(line((change, style or "")))


@main.command()
@click.argument("target")
@click.option(
    "--source",
    "source_name",
    help="Judge it as this source's page (default: the source that recorded it, or the one "
    "whose feeds, sitemaps or fronts are on its host).",
)
@click.option("--url", "page_url", help="The saved FILE's address (its links are read against it).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@pass_context
def extract(
    ctx: Context, target: str, source_name: str | None, page_url: str | None, as_json: bool
) -> None:
    """What newswatch would store from one page (a URL, or a saved FILE), or why it would
    skip it: the crawl's own fetch rules, extraction and page-type judgment; nothing is
    stored. Exits 1 when the crawl would skip the page."""
    import json

    from crawler.probe import ProbeError, probe
    from pipelines.textnorm import printable

    fetching = target.lower().startswith(("http://", "https://"))
    if fetching and page_url:
        raise BadInput("--url gives a saved FILE's address; TARGET is a URL already")
    if not fetching and "://" in target:
        raise BadInput(printable(f"{target}: only http and https URLs can be fetched"))
    config = ctx.config()
    try:
        found = probe(config, target, source_name=source_name, url=page_url)
    except ConfigError as exc:
        raise BadInput(str(exc)) from None
    except ProbeError as exc:
        raise click.ClickException(printable(str(exc))) from None
    if as_json:
        click.echo(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print_probe(found)
    if found.skipped:
        raise SystemExit(1)


# How `extract` says where the crawl finds a page: it decides the minimum of words.
_PRESENTED = {
    "feed": "page listed by a feed or sitemap (half the minimum of words suffices)",
    "sitemap": "page listed by a feed or sitemap (half the minimum of words suffices)",
    "front": "page linked from a section front (it has to show it is an article)",
    "recheck": "stored article, fetched again",
    None: "page found nowhere known (the whole minimum of words)",
}


def _print_probe(found) -> None:
    from crawler.report import line

    whose = f"{found.source}'s" if found.source else "a"
    judged = f"judged as {whose} {_PRESENTED.get(found.presented_by, _PRESENTED[None])}"
    result = found.result
    if found.skipped:
        console.print(line(("skipped: ", "bold"), found.reason))
        console.print(line((found.url, "dim")))
        console.print(line((judged, "dim")))
        return
    facts = [result.published and f"published {result.published}"]
    facts += [result.authors and "by " + ", ".join(result.authors), result.language]
    console.print(line((result.title or "(untitled)", "bold")))
    console.print(line(" · ".join(f for f in facts if f) + f" · {result.word_count} words"))
    console.print(line((found.url, "dim")))
    notes = [judged]
    if found.boilerplate:
        notes.append(f"{found.boilerplate} line(s) of the source's learned boilerplate taken out")
    if found.stored_as is not None:
        notes.append(
            f"stored already, as article {found.stored_as} (newswatch show {found.stored_as})"
        )
    for note in notes:
        console.print(line((note, "dim")))
    for paragraph in result.text.split("\n"):
        if paragraph.strip():
            console.print()
            console.print(line(paragraph))


@main.command()
@click.argument("url", required=False)
@click.option("--source", "source_name", help="Only this source's pages.")
@click.option(
    "--outcome",
    help="Only pages with this outcome: skipped, failed, stored, duplicate, listed, "
    "not_modified, redirected, updated or unchanged.",
)
@click.option("--reason", help="Only pages whose reason contains this (too_short, 404, robots).")
@click.option("--since", help="Only pages fetched since this date (2026-11-28, 7d, yesterday).")
@click.option(
    "--limit", type=click.IntRange(1), default=50, show_default=True, help="The most pages listed."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@pass_context
def pages(
    ctx: Context,
    url: str | None,
    source_name: str | None,
    outcome: str | None,
    reason: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """The pages newswatch fetched, newest first, with what became of each and why (a
    page skipped, a fetch failed); with URL, that page's record."""
    import json

    from crawler.report import shown_time, table
    from pipelines.corpus.pages import OUTCOMES, PageFilter, list_pages

    _check_choice("--outcome", outcome, OUTCOMES)
    config = ctx.config()
    filters = PageFilter(
        source=source_name,
        outcome=outcome,
        reason=reason,
        since=_since(since),
        urls=_page_urls((url,) if url else ()),
    )
    with _database(config) as db:
        _check_known(db, config, sources=(source_name,) if source_name else ())
        rows = list_pages(db, filters, limit=limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no page of {url} is recorded" if url else "no pages match")
        return
    # Four columns fit 80 (a source's pages are its URLs' host; --json has the source).
    listing = table("fetched", "outcome", "url", "reason", wrap=("reason",), urls=("url",))
    for row in rows:
        what = [row["reason"] or ""]
        if row["kind"] != "article":
            what = [f"{row['kind']}: {what[0]}" if what[0] else row["kind"]]
        if row["outcome"] == "duplicate" and row["article_id"]:
            what = [f"same article as article {row['article_id']}"]  # its URL: --json
        elif row["article_id"]:
            what.append(f"article {row['article_id']}")
        if row["previous"]:
            what.append(f"before: {row['previous']}")
        listing.add_row(
            shown_time(row["fetched_at"]),
            row["outcome"],
            row["url"],
            "; ".join(w for w in what if w),
        )
    console.print(listing)


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--source", "source_name", help="Release this source's skipped pages.")
@click.option("--reason", help="Only pages whose reason contains this (too_short, robots).")
@click.option("--outcome", help="Only pages with this outcome: skipped or failed (default: both).")
@click.option(
    "--dry-run", is_flag=True, help="Say how many pages would be released; change nothing."
)
@pass_context
def forget(
    ctx: Context,
    urls: tuple[str, ...],
    source_name: str | None,
    reason: str | None,
    outcome: str | None,
    dry_run: bool,
) -> None:
    """Release skipped (or failed) article pages, the URLS given or a source's: the next
    crawl fetches them again wherever a feed, sitemap or front lists them. Stored
    articles are never touched."""
    from crawler.report import line
    from pipelines.corpus.pages import RELEASABLE, PageFilter, forget_pages, list_pages

    if not urls and not source_name:
        raise BadInput("name the pages to forget: URLs, or --source NAME")
    _check_choice("--outcome", outcome, RELEASABLE)
    config = ctx.config()
    filters = PageFilter(source=source_name, outcome=outcome, reason=reason, urls=_page_urls(urls))
    with _database(config) as db:
        _check_known(db, config, sources=(source_name,) if source_name else ())
        released = forget_pages(db, filters, dry_run=dry_run)
        # Each URL named that stays settled, and what it is.
        kept = []
        for given in urls:
            if not set(_page_urls((given,))) & {*released.pages, *released.redirects}:
                rows = list_pages(db, PageFilter(urls=_page_urls((given,))), limit=1)
                kept.append((given, rows[0]["outcome"] if rows else "not recorded"))
    for given, what in kept:
        console.print(line("not released: ", given, f" ({what})"))
    verb = "would release" if dry_run else "released"
    click.echo(
        f"{verb} {len(released.pages)} page(s): the next crawl of their source fetches them "
        "again where a feed, sitemap or front still lists them"
    )


def _check_choice(option: str, value: str | None, choices: tuple[str, ...]) -> None:
    """A value not among the choices is a one-line error naming them (exit 2)."""
    if value is not None and value not in choices:
        raise BadInput(f"{option} {value!r} is not one of: {', '.join(choices)}")


def _page_urls(urls: tuple[str, ...]) -> tuple[str, ...]:
    """URLs as given and in their canonical form (the form pages are recorded under)."""
    from crawler.urls import canonical_url

    found: list[str] = []
    for url in urls:
        found.append(url)
        try:
            found.append(canonical_url(url))
        except ValueError:
            pass
    return tuple(dict.fromkeys(found))


def _database(config: nwconfig.Config):
    """The configured database, opened (migrated if a migration is pending), or a clear
    error; `with _database(config) as db:` closes it."""
    from pipelines.storage.database import StorageError, open_database

    try:
        return open_database(config.storage.database)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("names", nargs=-1)
@click.option(
    "--runs", type=click.IntRange(0), default=0, help="Also list each source's last N runs."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@pass_context
def status(ctx: Context, names: tuple[str, ...], runs: int, as_json: bool) -> None:
    """Each source's health (or only the sources NAMES): its last and next run, new
    articles against its usual rate, error and empty-page rates, and a verdict (ok,
    degraded, failing, silent) with its reasons."""
    import json

    from crawler.locks import daemon_lock
    from crawler.report import line, table
    from pipelines.monitor.checks import source_health
    from pipelines.storage.runs import recent_runs

    config = ctx.config()
    try:
        sources = [config.source(n) for n in names] if names else list(config.sources)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    now = datetime.now(UTC).replace(microsecond=0)
    with _database(config) as db:
        healths = source_health(db, config, [s.name for s in sources], now=now)
        history = {s.name: recent_runs(db, s.name, runs) if runs else [] for s in sources}
    # The job store keeps the next run times a dead daemon planned: shown only while one runs.
    daemon_pid = daemon_lock(config.storage.database).holder()
    next_runs = {}
    if daemon_pid is not None:
        from pipelines.monitor.checks import next_run_times

        next_runs = next_run_times(config.storage.database)
    rows = []
    for source, health in zip(sources, healths, strict=True):
        row = health.as_dict()
        row["schedule"] = str(source.schedule) if source.enabled else "disabled"
        upcoming = next_runs.get(source.name)
        row["next_run"] = upcoming.isoformat() if upcoming and source.enabled else None
        if runs:
            row["runs"] = history[source.name]
        rows.append(row)
    cluster = None
    if config.cluster.enabled:
        from crawler.cluster.link import cluster_state

        state = cluster_state(config)
        cluster = {
            "broker": config.cluster.broker_shown,
            "queue": config.cluster.queue,
            "workers": state.workers,
            "queued": state.queued,
            "unstored": state.unstored,
            "error": state.error,
        }
    if as_json:
        daemon = {"running": daemon_pid is not None, "pid": daemon_pid or None}
        report = {"checked_at": now.isoformat(), "daemon": daemon, "sources": rows}
        if cluster is not None:
            report["cluster"] = cluster
        click.echo(json.dumps(report, indent=2))
        return
    listing = table(
        "source", "verdict", "last run", "next run", "new 24h", "new 7d", "errors",
        title="Source health",
    )  # fmt: skip
    for row in rows:
        last = _ago(row["last_run"], now)
        if row["last_status"] and row["last_status"] != "finished":
            last += f" ({row['last_status']})"
        upcoming = _ago(row["next_run"], now) if row["next_run"] else "-"
        listing.add_row(
            row["source"],
            _verdict(row["verdict"]),
            last,
            upcoming if row["schedule"] != "disabled" else "disabled",
            str(row["new_24h"]),
            str(row["new_7d"]),
            _share(row["error_rate"]),
        )
    console.print(listing)
    for row in rows:
        if row["verdict"] not in ("ok", "pending"):
            reason = "; ".join(row["reasons"])
            console.print(line(row["source"], ": ", _verdict(row["verdict"]), ": ", reason))
    if not any(row["last_run"] for row in rows):
        console.print("No crawl has run yet: newswatch crawl, or newswatch run for the daemon.")
    if daemon_pid is None:
        console.print("The daemon is not running: nothing is scheduled (start it: newswatch run).")
    if cluster is not None:
        console.print(_cluster_line(cluster))
    for row in rows:
        if row.get("runs"):
            console.print(_runs_table(row["source"], row["runs"]))


def _cluster_line(cluster: dict) -> str:
    """`status`'s line on the cluster: its workers, its queue, what waits to be stored."""
    where = f"Cluster {cluster['broker']} (queue {cluster['queue']})"
    if cluster["error"]:
        return f"{where}: cannot be read: {cluster['error']}"
    workers = cluster["workers"]
    seen = (
        f"{len(workers)} worker{'s' if len(workers) != 1 else ''} seen ("
        + ", ".join(f"{name} {round(age)} s ago" for name, age in sorted(workers.items()))
        + ")"
        if workers
        else "no worker seen in the last minute (start one: newswatch worker)"
    )
    return (
        f"{where}: {seen}; {cluster['queued']} crawl{'s' if cluster['queued'] != 1 else ''} "
        f"queued; {cluster['unstored']} page{'s' if cluster['unstored'] != 1 else ''} "
        "waiting to be stored"
    )


def _runs_table(source: str, runs: list[dict]):
    from crawler.report import shown_time, table
    from pipelines.storage.runs import problem_text

    listing = table(
        "started", "status", "fetched", "new", "updated", "skipped", "errors",
        title=f"Last runs of {source}",
        wrap=["status", "skipped", "errors"],
    )  # fmt: skip

    def counts(values: dict | None) -> str:
        return ", ".join(f"{k} {v}" for k, v in (values or {}).items())

    for run in runs:
        problems = problem_text(run["listing_problems"] or [])
        why = "; ".join(filter(None, (run["reason"], problems)))
        status = run["status"] + (f" ({why})" if why else "")
        skipped = str(run["skipped"] or 0)
        if run["skipped_reasons"]:
            skipped += f": {counts(run['skipped_reasons'])}"
        errors = str(run["errors"] or 0)
        if run["http_errors"]:
            errors += f": {counts(run['http_errors'])}"
        listing.add_row(
            shown_time(run["started"]),
            status,
            *(str(run[k] or 0) for k in ("pages_fetched", "articles_new", "updated")),
            skipped,
            errors,
        )
    return listing


_VERDICT_STYLES = {
    "ok": "green",
    "silent": "yellow",
    "degraded": "yellow",
    "never_worked": "bold red",
    "failing": "bold red",
}


def _verdict(verdict: str) -> Text:
    from rich.text import Text

    return Text(verdict, style=_VERDICT_STYLES.get(verdict, "dim"))


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _ago(stamp: str | None, now: datetime) -> str:
    """ "5m ago", "in 2h": a time as far from now as a reader needs it."""
    from pipelines.clock import as_utc

    moment = as_utc(stamp)
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    span = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if span >= size:
            text = f"{span // size:.0f}{unit}"
            break
    else:
        return "now"
    return f"{text} ago" if seconds > 0 else f"in {text}"


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@pass_context
def stats(ctx: Context, as_json: bool) -> None:
    """Articles by source, language and month."""
    from crawler.report import table
    from pipelines.storage.database import corpus_stats

    with _database(ctx.config()) as db:
        counts = corpus_stats(db)
    if as_json:
        import json

        click.echo(json.dumps(counts, indent=2, ensure_ascii=False))
        return
    console.print(
        f"{counts['articles']} articles, {counts['sightings']} sightings, {counts['alerts']} alerts"
    )
    for key, title in (("by_source", "source"), ("by_language", "language"), ("by_month", "month")):
        listing = table(title, "articles", title=f"Articles by {title}")
        for value, count in counts[key].items():
            listing.add_row(str(value), str(count))
        console.print(listing)


if __name__ == "__main__":
    main()
