"""newswatch configuration: the example TOML files and the loader that validates them."""

from __future__ import annotations

from config.loader import (
    EXAMPLES,
    ClusterSettings,
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
    own_folder,
    parse_duration,
    parse_schedule,
    parse_when,
)
from config.watchlist import Watch

__all__ = [
    "EXAMPLES",
    "ClusterSettings",
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
    "own_folder",
    "parse_duration",
    "parse_schedule",
    "parse_when",
]
