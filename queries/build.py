"""Build the default database from ``data/`` on first start; reuse it afterwards.

The build writes a temporary file and renames it into place, so a build that is interrupted leaves
no half-built database behind. Loads are set-based (one INSERT … SELECT per table from a DataFrame).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from metrics.companies import load_companies, name_index
from queries import schema
from queries.connection import (
    PROJECT_ROOT,
    DatabaseCorruptError,
    connect,
    database_path,
)
from queries.curated import read_curated_csv
from queries.series import sync_series

DATA_DIR = PROJECT_ROOT / "data"
Progress = Callable[[float, str], None]


@dataclass
class BuildReport:
    companies: int = 0
    curated_facts: int = 0
    fx_rates: int = 0
    documents: int = 0
    extracted_facts: int = 0
    rejected: list[str] = field(default_factory=list)  # "file:line: reason"


def _no_progress(fraction: float, message: str) -> None:
    return None


def load_companies_table(con: duckdb.DuckDBPyConnection, data_dir: Path) -> int:
    companies = load_companies(data_dir / "companies.csv")
    frame = pd.DataFrame(
        [
            {
                "name": c.name,
                "legal_name": c.legal_name,
                "aliases": list(c.aliases),
                "tickers": list(c.tickers),
                "currency": c.currency,
                "fiscal_year_end": c.fiscal_year_end,
                "country": c.country,
                "sector": c.sector,
                "is_tracker": c.is_tracker,
                "source_url": c.source_url,
            }
            for c in companies.values()
        ]
    )
    con.execute("insert into companies by name select * from frame")
    return len(frame)


def load_fx_rates(con: duckdb.DuckDBPyConnection, data_dir: Path) -> int:
    path = str(data_dir / "fx_rates.csv")
    con.execute(
        """
        insert into fx_rates by name
        select currency, period_start, period_end, kind, units_per_usd, source_url, source_note
        from read_csv($path, header = true, all_varchar = false)
        """,
        {"path": path},
    )
    return con.execute("select count(*) from fx_rates").fetchone()[0]


def load_curated_facts(con: duckdb.DuckDBPyConnection, path: Path, report: BuildReport) -> int:
    companies = load_companies(path.parent / "companies.csv")
    curated = read_curated_csv(path, name_index(companies))
    report.rejected += [f"{path.name}:{line}: {reason}" for line, reason in curated.rejected]
    if not curated.rows:
        return 0
    frame = pd.DataFrame(curated.rows)
    frame["origin"] = "curated"
    frame["status"] = "confirmed"
    frame["evidence"] = frame["source_note"]
    con.execute("insert into facts by name select * from frame")
    return len(frame)


def build_database(target: str, data_dir: Path = DATA_DIR, progress: Progress = _no_progress) -> BuildReport:
    """Create a fresh database at ``target`` from the files in ``data_dir``."""
    report = BuildReport()
    tmp = f"{target}.building"
    for leftover in (tmp, f"{tmp}.wal"):
        if os.path.exists(leftover):
            os.remove(leftover)
    con = connect(tmp)
    try:
        progress(0.05, "Creating schema")
        schema.migrate(con)
        con.execute("begin transaction")
        progress(0.15, "Loading the company registry")
        report.companies = load_companies_table(con, data_dir)
        progress(0.25, "Loading FX rates")
        report.fx_rates = load_fx_rates(con, data_dir)
        progress(0.4, "Loading curated facts")
        report.curated_facts = load_curated_facts(con, data_dir / "kpi_facts.csv", report)
        sync_series(con)  # rank the bulk-loaded facts into the current series (migration 003)
        con.execute("commit")
        progress(0.6, "Reading the sample releases")
        _ingest_releases(con, data_dir / "releases", report, progress)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, target)
    progress(1.0, "Database ready")
    return report


def _ingest_releases(con, folder: Path, report: BuildReport, progress: Progress) -> None:
    """Ingest the bundled sample releases, when the ingest layer is available."""
    try:
        from queries.ingest import ingest_paths
    except ImportError:
        return
    from metrics.score import release_files

    paths = release_files(folder) if folder.is_dir() else []
    if not paths:
        return
    result = ingest_paths(con, paths, progress=lambda f, m: progress(0.6 + 0.35 * f, m))
    report.documents = result.documents
    report.extracted_facts = result.facts
    report.rejected += [f"{path}: {reason}" for path, reason in result.rejected]


def needs_build(target: str) -> bool:
    """True when the file is missing, unreadable, or holds no schema of ours (an older one is migrated)."""
    if not os.path.exists(target):
        return True
    try:
        # Read-write, like every other connection of this process: DuckDB refuses a second connection to
        # the same file with a different configuration.
        con = connect(target)
    except DatabaseCorruptError:
        return True
    try:
        return schema.current_version(con) == 0
    finally:
        con.close()


def upgrade_in_place(target: str, progress: Progress = _no_progress) -> int:
    """Apply the migrations a file lacks, keeping its documents, facts and edits; return how many ran.

    Each migration commits with its version bump (queries.schema), so an interrupted upgrade resumes at
    the next start. Facts are then ranked into the current series, which a new series table needs.
    """
    con = connect(target)
    try:
        before = schema.current_version(con)
        if before >= schema.LATEST_VERSION:
            return 0
        progress(0.0, f"Upgrading {target} from schema {before} to {schema.LATEST_VERSION}")
        schema.migrate(con)
        con.execute("begin transaction")
        sync_series(con)
        con.execute("commit")
        return schema.LATEST_VERSION - before
    finally:
        con.close()


def ensure_database(target: str | None = None, progress: Progress = _no_progress) -> BuildReport | None:
    """Build the database if it is missing or corrupt (moving a corrupt file aside), or bring an older one
    up to the latest schema in place; else do nothing.

    Returns the build report when a build happened.
    """
    target = target or database_path()
    # --- hosted mode (issue #8): a DuckLake / MotherDuck target is migrated and seeded in place
    from queries import engine

    if engine.is_remote_target(target):
        return engine.ensure_remote(target, progress)
    # --- end hosted mode
    if not needs_build(target):
        upgrade_in_place(target, progress)
        return None
    if os.path.exists(target):
        aside = f"{target}.corrupt"
        os.replace(target, aside)
        progress(0.0, f"{target} was unreadable or empty; moved to {aside} and rebuilding")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    return build_database(target, progress=progress)
