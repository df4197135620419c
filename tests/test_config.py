"""Configuration: valid files load into typed objects; every mistake is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from config import ConfigError, load_config, parse_schedule
from tests.helpers import run_newswatch


def write(directory: Path, sources: str, settings: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sources.toml").write_text(sources, encoding="utf-8")
    if settings is not None:
        (directory / "settings.toml").write_text(settings, encoding="utf-8")
    return directory


MINIMAL = '[[source]]\nname = "ledger"\nfeeds = ["https://example.com/rss.xml"]\n'


def error_of(directory: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(directory)
    return str(info.value)


def test_example_configuration_loads(tmp_path):
    """The commented example shipped in config/, as `init` writes it, is itself valid."""
    result = CliRunner().invoke(main, ["init", str(tmp_path / "cfg")])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "cfg")
    assert [s.name for s in config.sources] == ["ledger", "courier"]
    assert [s.name for s in config.enabled_sources] == ["ledger"]
    assert config.source("ledger").schedule.seconds == 900
    assert config.source("courier").schedule.cron == "0 * * * *"
    assert config.crawl.obey_robots is True
    assert config.crawl.max_page_size == 10 * 1024 * 1024


def test_defaults_and_relative_database_path(tmp_path):
    config = load_config(write(tmp_path / "cfg", MINIMAL))
    assert config.storage.database == (tmp_path / "cfg" / "data" / "newswatch.db").resolve()
    source = config.source("ledger")
    assert source.enabled and source.max_pages == 1000 and source.schedule.seconds == 3600
    assert config.crawl.obey_robots and config.crawl.concurrency_per_domain == 2


def test_settings_values_are_read(tmp_path):
    settings = """
[storage]
database = "/var/tmp/nw.db"
[crawl]
user_agent = "mybot/1.0"
obey_robots = false
concurrency_per_domain = 4
delay = 0.5
timeout = 10
max_page_size = "512KB"
[extract]
min_words = 40
workers = 0
"""
    config = load_config(write(tmp_path, MINIMAL, settings))
    assert config.storage.database == Path("/var/tmp/nw.db")
    assert config.crawl.user_agent == "mybot/1.0"
    assert config.crawl.obey_robots is False
    assert config.crawl.max_page_size == 512 * 1024
    assert config.crawl.delay == 0.5 and config.extract.workers == 0


def test_missing_folder_says_how_to_make_one(tmp_path):
    message = error_of(tmp_path / "nowhere")
    assert "does not exist" in message and "newswatch init" in message, message


def test_missing_sources_file(tmp_path):
    tmp_path.joinpath("settings.toml").write_text("")
    message = error_of(tmp_path)
    assert "sources.toml is missing" in message and "newswatch init" in message, message


@pytest.mark.parametrize(
    ("sources", "settings", "expected"),
    [
        (
            MINIMAL + 'schedule = "15 moments"\n',
            None,
            "sources.toml: source 'ledger': schedule: '15 moments' is neither a cron expression",
        ),
        (
            MINIMAL + 'schedule = "61 * * * *"\n',
            None,
            "sources.toml: source 'ledger': schedule: cron expression '61 * * * *' is invalid",
        ),
        (
            MINIMAL + 'feedz = ["x"]\n',
            None,
            "sources.toml: source 'ledger': unknown key 'feedz' (did you mean 'feeds'?); "
            "allowed keys:",
        ),
        (MINIMAL + MINIMAL, None, "sources.toml: source 'ledger': name is used twice"),
        (
            MINIMAL + "follow = ['(unclosed']\n",
            None,
            "sources.toml: source 'ledger': follow: '(unclosed' is not a regular expression",
        ),
        (
            '[[source]]\nname = "x"\nfeeds = ["ftp://example.com/f"]\n',
            None,
            "sources.toml: source 'x': feeds: 'ftp://example.com/f' is not an http:// or https:// URL",
        ),
        (
            '[[source]]\nname = "x"\n',
            None,
            "sources.toml: source 'x': feeds: a source needs at least one of feeds, sitemaps",
        ),
        (
            '[[source]]\nfeeds = ["https://e.com/f"]\n',
            None,
            "sources.toml: source #1: name: is required",
        ),
        (
            '[[source]]\nname = "Big Name"\nfeeds = ["https://e.com/f"]\n',
            None,
            "name: 'Big Name' must be lower-case letters",
        ),
        (
            MINIMAL + "max_pages = 0\n",
            None,
            "source 'ledger': max_pages: must be at least 1, got 0",
        ),
        (MINIMAL + 'enabled = "yes"\n', None, "source 'ledger': enabled: expected true or false"),
        ("", None, "sources.toml: no [[source]] tables"),
        ("[[source]\n", None, "sources.toml: not valid TOML"),
        (
            MINIMAL,
            "[crawl]\nobey_robot = true\n",
            "settings.toml: [crawl]: unknown key 'obey_robot'",
        ),
        (
            MINIMAL,
            "[crawl]\ndelay = true\n",
            "settings.toml: [crawl]: delay: True is not a duration like 30",
        ),
        (MINIMAL, '[crawl]\nmax_page_size = "huge"\n', "max_page_size: 'huge' is not a size"),
        (
            MINIMAL,
            "[crawl]\nconcurrency_per_domain = 0\n",
            "concurrency_per_domain: must be at least 1",
        ),
        (MINIMAL, "[storage]\npath = 'x.db'\n", "settings.toml: [storage]: unknown key 'path'"),
        (MINIMAL, "[scheduler]\n", "settings.toml: unknown key 'scheduler'"),
    ],
)
def test_configuration_errors_name_file_source_key_and_rule(tmp_path, sources, settings, expected):
    message = error_of(write(tmp_path, sources, settings))
    assert expected in message, message


@pytest.mark.parametrize(
    ("text", "seconds", "cron"),
    [
        ("15m", 900, None),
        ("2h", 7200, None),
        ("1h30m", 5400, None),
        ("2s", 2, None),
        ("*/15 * * * *", None, "*/15 * * * *"),
        ("0 6-22 * * mon-fri", None, "0 6-22 * * mon-fri"),
    ],
)
def test_schedules(text, seconds, cron):
    schedule = parse_schedule(text)
    assert (schedule.seconds, schedule.cron) == (seconds, cron)


def test_unknown_source_name_lists_the_configured_ones(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(ConfigError, match=r"no source named 'nope' \(configured: ledger\)"):
        config.source("nope")


def test_init_writes_a_configuration_that_loads(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "cfg")])
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "cfg").source("ledger")
    again = runner.invoke(main, ["init", str(tmp_path / "cfg")])
    assert again.exit_code == 1 and "exists; use --force" in again.output, again.output


@pytest.mark.e2e
def test_the_package_s_own_config_folder_is_never_taken_for_the_user_s(tmp_path):
    """From a checkout of newswatch, `./config` is the package: `init ./config` and a bare
    `sources` say so, and the example files are left as they are."""
    root = Path(__file__).parent.parent
    examples = {p.name: p.read_bytes() for p in (root / "config").glob("*.toml")}
    init = run_newswatch("init", "./config", "--force", cwd=root)
    sources = run_newswatch("sources", cwd=root)
    for result in (init, sources):
        assert result.returncode == 1, result.stdout + result.stderr
        said = " ".join(result.stderr.split())
        assert (
            "is newswatch's own config package (its example files), not your configuration" in said
        )
        assert "newswatch init ~/newswatch" in said and "Traceback" not in said
    assert {p.name: p.read_bytes() for p in (root / "config").glob("*.toml")} == examples
    # Anywhere else, ./config is the user's.
    made = run_newswatch("init", "./config", cwd=tmp_path)
    listed = run_newswatch("sources", cwd=tmp_path)
    assert made.returncode == 0 and listed.returncode == 0, made.stderr + listed.stderr
    assert "ledger" in listed.stdout


def test_sources_command_lists_schedules_with_the_zone_a_cron_is_read_in(tmp_path):
    write(tmp_path, MINIMAL + 'schedule = "*/30 6-22 * * *"\n')
    result = CliRunner().invoke(main, ["--config", str(tmp_path), "sources"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "ledger" in said and "cron */30 6-22 * * * (local time)" in said, result.output
    write(
        tmp_path, MINIMAL + 'schedule = "*/30 6-22 * * *"\n', '[daemon]\ntimezone = "Asia/Tokyo"\n'
    )
    result = CliRunner().invoke(main, ["--config", str(tmp_path), "sources"])
    said = " ".join(result.output.split())
    assert "cron */30 6-22 * * * (Asia/Tokyo)" in said, result.output


def test_cli_reports_config_errors_without_traceback(tmp_path):
    write(tmp_path, MINIMAL + 'schedule = "soon"\n')
    result = CliRunner().invoke(main, ["--config", str(tmp_path), "sources"])
    assert result.exit_code == 1, result.output
    assert "Error: sources.toml: source 'ledger': schedule:" in result.output, result.output
    assert "Traceback" not in result.output


def test_every_command_has_help():
    runner = CliRunner()
    for name, command in main.commands.items():
        assert command.help, f"command {name} has no help"
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        (
            {"sources.toml": MINIMAL.replace("[[source]]", "[source]")},
            [],
            "sources.toml: [source] is a single table; write each one as [[source]] (two brackets)",
        ),
        (
            {"sources.toml": MINIMAL, "watchlist.toml": '[watch]\nname = "A"\n'},
            [],
            "watchlist.toml: [watch] is a single table; write each one as [[watch]]",
        ),
        (
            {"sources.toml": MINIMAL, "settings.toml": "[crawl]\ntimout = 5\n"},
            [],
            "[crawl]: unknown key 'timout' (did you mean 'timeout'?)",
        ),
        (
            {"sources.toml": MINIMAL},
            ["sources.toml"],
            "--config takes the configuration folder, not a file",
        ),
    ],
)
def test_mistakes_people_make_in_the_configuration_are_named(tmp_path, files, args, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = tmp_path.joinpath(*args) if args else tmp_path
    result = run_newswatch("--config", str(config), "sources")
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_every_length_of_time_takes_one_syntax(tmp_path):
    write(
        tmp_path,
        MINIMAL + 'schedule = "5 minutes"\nrecheck = "1h 30m"\n',
        '[crawl]\ntimeout = "30s"\ndelay = "1.5s"\nmax_retry_after = "2 min"\n'
        '[daemon]\ncrawl_timeout = "20min"\n',
    )
    config = load_config(tmp_path)
    source = config.sources[0]
    assert (source.schedule.seconds, source.recheck) == (300, 5400)
    assert (config.crawl.timeout, config.crawl.delay, config.crawl.max_retry_after) == (
        30,
        1.5,
        120,
    )
    assert config.daemon.crawl_timeout == 1200
    assert parse_schedule("5min").seconds == parse_schedule("1h").seconds // 12


def test_a_bad_length_of_time_says_what_is_meant(tmp_path):
    write(tmp_path, MINIMAL, '[crawl]\ntimeout = "soon"\n')
    with pytest.raises(ConfigError, match="timeout: 'soon' is not a duration like 30, '30s'"):
        load_config(tmp_path)
    write(tmp_path, MINIMAL, '[crawl]\ntimeout = "0.5s"\n')
    with pytest.raises(ConfigError, match="timeout: must be at least 1 seconds, got 0.5"):
        load_config(tmp_path)


def test_relative_and_local_moments():
    from datetime import UTC, datetime

    from config import parse_when

    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert parse_when("7d", now=now) == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_when("24 hours ago", now=now) == datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    local_midnight = datetime(2026, 11, 29).astimezone().astimezone(UTC)
    assert parse_when("yesterday", now=now) == local_midnight
    assert parse_when("2026-11-29") == local_midnight
    assert parse_when("2026-11-28", end=True) == local_midnight
    assert parse_when("2026-11-29T08:00+02:00") == datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="is not a date or time"):
        parse_when("last week")
