"""newswatch's item pipelines (extract; dedupe and store) and the pure functions behind them."""

import importlib
import sys
from types import ModuleType


def import_without(name: str, *optional: str) -> ModuleType:
    """Import `name` as if the `optional` packages it would import were not installed
    (those not imported yet); they stay importable afterwards, for code that needs them."""
    hidden = [m for m in optional if m not in sys.modules]
    for module in hidden:
        sys.modules[module] = None  # type: ignore[assignment]
    try:
        return importlib.import_module(name)
    finally:
        for module in hidden:
            del sys.modules[module]


# sqlite-utils imports pandas and numpy when they are installed, for DataFrame and numpy
# values newswatch never passes it: half a second at the start of every command, crawl and
# extraction worker. It is imported here, before any of our modules can, without them.
import_without("sqlite_utils", "pandas", "numpy")
