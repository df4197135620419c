"""newswatch configuration: the example TOML files and the loader that validates them."""

from __future__ import annotations

from pathlib import Path

from config.loader import (
    Config,
    ConfigError,
    CrawlSettings,
    DaemonSettings,
    DedupeSettings,
    ExtractSettings,
    MonitorSettings,
    Schedule,
    Source,
    StorageSettings,
    load_config,
    parse_duration,
    parse_schedule,
)
from config.watchlist import Watch, redact

EXAMPLES = Path(__file__).parent

__all__ = [
    "EXAMPLES",
    "Config",
    "ConfigError",
    "CrawlSettings",
    "DaemonSettings",
    "DedupeSettings",
    "ExtractSettings",
    "MonitorSettings",
    "Schedule",
    "Source",
    "StorageSettings",
    "Watch",
    "load_config",
    "parse_duration",
    "parse_schedule",
    "redact",
]
