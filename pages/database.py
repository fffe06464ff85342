"""The dashboard's handle on the database: one connection per process and database, built on first start."""

from __future__ import annotations

import duckdb
import streamlit as st

from queries.build import ensure_database
from queries.connection import DatabaseError, connect, database_path


def get_connection() -> duckdb.DuckDBPyConnection:
    """The cached connection to ``METRICS_DB`` (callers open a cursor per query through ``queries``)."""
    return _open(database_path())


@st.cache_resource(show_spinner=False)
def _open(target: str) -> duckdb.DuckDBPyConnection:
    """Build the database from data/ if needed (with a progress bar), then open it once per process.

    Keyed by the path, so a test (or a process) that points METRICS_DB elsewhere gets its own connection.
    """
    bar = None

    def show(fraction: float, message: str) -> None:
        nonlocal bar
        if bar is None:
            bar = st.progress(0.0, text="Building the database from data/ (first start)…")
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        ensure_database(target, progress=show)
        con = connect(target)
    except DatabaseError as exc:
        st.error(str(exc))
        st.stop()
    if bar is not None:
        bar.empty()
    return con
