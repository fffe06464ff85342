"""The dashboard's handle on the database: one connection per process and database, built on first start."""

from __future__ import annotations

import threading

import duckdb
import streamlit as st

from queries.build import ensure_database
from queries.connection import DatabaseError, connect, database_path

_ready: set[str] = set()  # targets checked (and built if needed) by this process
_build_lock = threading.Lock()


def get_connection() -> duckdb.DuckDBPyConnection:
    """The cached connection to ``METRICS_DB`` (callers open a cursor per query through ``queries``).

    The first call of the process builds the database from data/ if needed, showing a progress bar to the
    session that waits for it. The build runs outside the cached function on purpose: Streamlit records
    the elements a cached function draws and replays them on every later hit, so a bar drawn inside it
    would be redrawn (dozens of messages) on every read of every page for the life of the process.
    """
    target = database_path()
    if target not in _ready:
        with _build_lock:
            if target not in _ready:
                _build_with_progress(target)
                _ready.add(target)
    return _open(target)


def _build_with_progress(target: str) -> None:
    bar = None

    def show(fraction: float, message: str) -> None:
        nonlocal bar
        if bar is None:
            bar = st.progress(0.0, text="Building the database from data/ (first start)…")
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        ensure_database(target, progress=show)
    except DatabaseError as exc:
        st.error(str(exc))
        st.stop()
    if bar is not None:
        bar.empty()


@st.cache_resource(show_spinner=False)
def _open(target: str) -> duckdb.DuckDBPyConnection:
    """Open the database once per process; keyed by the path, so a test (or a process) that points
    METRICS_DB elsewhere gets its own connection."""
    try:
        return connect(target)
    except DatabaseError as exc:
        st.error(str(exc))
        st.stop()
