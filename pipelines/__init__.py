"""newswatch's item pipelines (extract; dedupe and store) and the pure functions behind them."""

import sys

# sqlite-utils imports pandas when it is installed, for DataFrame values newswatch never
# passes: half a second at the start of every command, crawl and extraction worker. It
# is imported here, before any of our modules can, without seeing pandas (as where pandas
# is not installed); pandas itself stays importable.
if "sqlite_utils" not in sys.modules and "pandas" not in sys.modules:
    sys.modules["pandas"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["pandas"]
