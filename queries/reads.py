"""Readable functions over the SQL files: what the pages call. Each returns a pandas DataFrame."""

from __future__ import annotations

import duckdb
import pandas as pd

from queries.sql_runner import run

SOURCES_BEST = "best"
SOURCES_COMPANY = "company"


def list_metrics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return run(con, "list_metrics")


def list_companies_for_metric(con: duckdb.DuckDBPyConnection, metric: str) -> pd.DataFrame:
    return run(con, "list_companies_for_metric", metric=metric)


def list_sources_for_metric(con: duckdb.DuckDBPyConnection, metric: str) -> pd.DataFrame:
    return run(con, "list_sources_for_metric", metric=metric)


def list_segments_for_metric(con: duckdb.DuckDBPyConnection, metric: str) -> pd.DataFrame:
    return run(con, "list_segments_for_metric", metric=metric)


def current_series(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    companies: list[str],
    segment: str = "",
    source: str = SOURCES_BEST,
    grain: str = "any",
) -> pd.DataFrame:
    """One value per company × period; see sql/current_series.sql for the choice between sources."""
    return run(
        con,
        "current_series",
        metric=metric,
        companies=list(companies),
        segment=segment,
        source=source,
        grain=grain,
    )


def default_peers(con: duckdb.DuckDBPyConnection, metric: str, anchor: str = "Xiaomi", size: int = 4) -> list[str]:
    """The anchor company and the companies best covered for this metric, up to ``size``."""
    covered = list_companies_for_metric(con, metric)["company"].tolist()
    peers = [anchor] if anchor in covered else []
    peers += [c for c in covered if c != anchor]
    return peers[:size]
