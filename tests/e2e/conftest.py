"""Real-browser fixtures: Streamlit on a free loopback port, Playwright driving Debian's Chromium.

Playwright never downloads a browser here: it is pointed at /usr/bin/chromium (CHROMIUM_PATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.server import start_dashboard, stop_process

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))


def start_streamlit(db_path: str) -> tuple[subprocess.Popen, str]:
    """The app on its own database file, healthy; bench/server.py owns how a dashboard is started."""
    return start_dashboard({**os.environ, "METRICS_DB": db_path})


@pytest.fixture(scope="session")
def app_url(built_db, tmp_path_factory):
    """A server on its own copy of the built database: a running server holds DuckDB's write lock."""
    db = tmp_path_factory.mktemp("e2e") / "metrics.duckdb"
    shutil.copy(built_db, db)
    proc, url = start_streamlit(str(db))
    yield url
    stop_process(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "accept_downloads": True, "viewport": {"width": 1400, "height": 1100}}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
