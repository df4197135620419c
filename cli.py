"""The newswatch command line: a thin click layer over the library.

Library errors (ConfigError, StorageError, ...) become click errors here, at
the edge: a message naming what is wrong, never a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

import config as nwconfig
from config import ConfigError, load_config
from config.logs import setup_logging
from pipelines.storage import StorageError, open_database

console = Console()


class Context:
    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir

    def config(self) -> nwconfig.Config:
        try:
            return load_config(self.config_dir)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None


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
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors in the log.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    default="auto",
    show_default=True,
    help="Log lines on stderr: JSON when stderr is not a terminal (auto).",
)
@click.version_option(package_name="newswatch")
@click.pass_context
def main(ctx: click.Context, config_dir: Path, verbose: int, quiet: bool, log_format: str) -> None:
    """newswatch watches news sources for you: it crawls them, keeps each article's
    main text in one SQLite file, and lets you search it."""
    setup_logging(-1 if quiet else verbose, log_format)
    ctx.obj = Context(config_dir)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default="config")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: Path, force: bool) -> None:
    """Write a commented example configuration into DIRECTORY."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in (nwconfig.loader.SETTINGS_FILE, nwconfig.loader.SOURCES_FILE):
        target = directory / name
        if target.exists() and not force:
            raise click.ClickException(f"{target} exists; use --force to overwrite it")
        shutil.copyfile(nwconfig.EXAMPLES / name, target)
        click.echo(f"wrote {target}")
    click.echo(f"Edit {directory / 'sources.toml'}, then: newswatch --config {directory} crawl")


@main.command()
@pass_context
def sources(ctx: Context) -> None:
    """List the configured sources, validated, with their schedules."""
    config = ctx.config()
    table = Table("name", "enabled", "schedule", "max pages", "discovery", box=None)
    for source in config.sources:
        discovery = [f"feed {u}" for u in source.feeds] + [f"sitemap {u}" for u in source.sitemaps]
        discovery += [f"front {u}" for u in source.start_urls]
        table.add_row(
            source.name,
            "yes" if source.enabled else "no",
            str(source.schedule),
            str(source.max_pages),
            "\n".join(discovery),
        )
    console.print(table)
    console.print(f"database: {config.storage.database}")


@main.command()
@click.argument("names", nargs=-1)
@pass_context
def crawl(ctx: Context, names: tuple[str, ...]) -> None:
    """Crawl every enabled source once, now (or only the sources NAMES)."""
    from crawler.report import results_table
    from crawler.run import crawl_sources

    config = ctx.config()
    try:
        chosen = [config.source(n) for n in names] if names else list(config.enabled_sources)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not chosen:
        raise click.ClickException("no enabled sources; enable one in sources.toml or name it")
    try:
        results = crawl_sources(config, chosen)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(results_table(results))
    failed = [f"{r.source} ({r.reason})" if r.reason else r.source for r in results if r.failed]
    if failed:
        raise click.ClickException(f"crawl failed for: {', '.join(failed)}")


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="The most results shown.")
@click.option("--source", "source_name", help="Only articles from this source.")
@pass_context
def search(ctx: Context, query: str, limit: int, source_name: str | None) -> None:
    """Full-text search over the collected articles (SQLite FTS5 query syntax)."""
    from pipelines.search import SearchError, search_articles

    config = ctx.config()
    try:
        db = open_database(config.storage.database, migrate=False)
        hits = search_articles(db, query, limit=limit, source=source_name)
    except (SearchError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    if not hits:
        click.echo(f"no articles match {query!r}")
        return
    for hit in hits:
        console.print(f"[bold]{hit['title'] or '(untitled)'}[/bold]  [dim]#{hit['id']}[/dim]")
        console.print(f"  {hit['source']} · {hit['published'] or 'undated'} · {hit['url']}")
        console.print(f"  {hit['snippet']}", highlight=False)


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

    try:
        run_demo(directory, console)
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
