"""newswatch configuration: the example TOML files and the loader that validates them."""

from __future__ import annotations

from pathlib import Path

from config.loader import (
    Config,
    ConfigError,
    CrawlSettings,
    ExtractSettings,
    Schedule,
    Source,
    StorageSettings,
    load_config,
    parse_schedule,
)

EXAMPLES = Path(__file__).parent

__all__ = [
    "EXAMPLES",
    "Config",
    "ConfigError",
    "CrawlSettings",
    "ExtractSettings",
    "Schedule",
    "Source",
    "StorageSettings",
    "load_config",
    "parse_schedule",
]
