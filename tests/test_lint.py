"""The code stays ruff-clean (the style the project agreed on in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parent.parent


def test_ruff_check_passes():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def project_modules() -> list[str]:
    """Every module of the application (not tests or benchmarks), by dotted name."""
    files = [ROOT / "cli.py", ROOT / "scheduler.py"]
    for package in ("config", "crawler", "pipelines"):
        files += (ROOT / package).rglob("*.py")
    names = {".".join(f.relative_to(ROOT).with_suffix("").parts) for f in files}
    return sorted(name.removesuffix(".__init__") for name in names)


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    # A hidden import cycle only fails when one of its modules is imported first: so each
    # module gets its own interpreter. `-P`: the modules come from the installed project.
    # And none pulls in pandas (installed here, for the tests), as sqlite-utils does when it
    # is imported before pipelines/__init__.py: it doubled the daemon's memory at start.
    modules = project_modules()
    assert {"pipelines.storage.writer", "pipelines.alerts.delivery", "scheduler"} <= set(modules)
    with ThreadPoolExecutor(2) as pool:
        results = pool.map(
            lambda module: subprocess.run(
                [
                    sys.executable,
                    "-P",
                    "-c",
                    f"import sys, {module}; assert 'pandas' not in sys.modules, 'imports pandas'",
                ],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
            ),
            modules,
        )
        failed = {
            m: r.stderr.strip().splitlines()[-1]
            for m, r in zip(modules, results, strict=True)
            if r.returncode
        }
    assert not failed
