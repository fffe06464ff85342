"""Shared fixtures: a real DuckDB built from data/ in a temporary directory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> str:
    """A database built once per test session from the bundled data/ (read it, don't write it)."""
    from queries.build import build_database

    path = str(tmp_path_factory.mktemp("db") / "metrics.duckdb")
    build_database(path)
    return path


@pytest.fixture
def db_copy(built_db, tmp_path) -> str:
    """A private copy of the built database that a test may write to."""
    target = tmp_path / "metrics.duckdb"
    shutil.copy(built_db, target)
    return str(target)


@pytest.fixture(scope="session")
def app_db_file(built_db, tmp_path_factory) -> str:
    """The app's own copy of the built database: its cached connection stays open for the whole session,
    which would lock other tests out of ``built_db`` (DuckDB allows one configuration per file)."""
    target = tmp_path_factory.mktemp("app") / "metrics.duckdb"
    shutil.copy(built_db, target)
    return str(target)


@pytest.fixture
def app_db(app_db_file, monkeypatch) -> str:
    """Point the app (METRICS_DB) at its session copy of the database."""
    monkeypatch.setenv("METRICS_DB", app_db_file)
    return app_db_file


def seed_release() -> Path | None:
    """The original seed release from ../shared/seeds, when present (never copied into the project)."""
    found = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return found[0] if found else None


os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
