"""Cached reads for the pages: every ``queries`` read the UI uses, through one ``st.cache_data``.

A page calls ``data.growth_series(metric, companies, ...)`` exactly like ``queries.analytics.growth_series``
without the connection. Results are cached per :func:`cache_token`, read and arguments (lists are frozen to
tuples so they can be part of the key); :func:`clear` empties the cache after a write.

On DuckLake other replicas write too, so the token holds the lake's snapshot id, noted once per run
(:func:`note_data_version`) and looked up at most once per ``VERSION_MAX_AGE`` by the whole process (the
lookup is a catalog query costing about a quarter of a cached page run): a page shows another replica's
write on its first run that starts a second after it. A read the lake cannot
answer (its PostgreSQL catalog down) stops the page with one clear line instead of a traceback.
"""

from __future__ import annotations

import functools
import io
import time
from collections.abc import Callable
from typing import Any, NoReturn

import duckdb
import streamlit as st

from pages.database import get_connection
from queries import analytics, export, reads
from queries.connection import database_path
from queries.engine import data_version, engine_kind, explain_error, is_remote_target
from queries.store import company_names

CACHE_TTL = 600
VERSION_MAX_AGE = 1.0  # seconds one lake snapshot lookup serves every run of this process
RUN_VERSION_KEY = "data_version"  # in st.session_state: the lake snapshot this run reads
_READS: dict[str, Callable[..., Any]] = {}
_writes_here = [0]  # writes this process made (clear() counts them): part of every cache key
_versions_seen: dict[str, tuple[float, int]] = {}  # lake target -> (when looked up, snapshot id)


def _freeze(value: Any) -> Any:
    if isinstance(value, list | set):
        return tuple(value)
    return value


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=1024)
def _read(token: tuple, name: str, args: tuple, kwargs: tuple, _con: duckdb.DuckDBPyConnection) -> Any:
    return _READS[name](_con, *args, **dict(kwargs))


def _cached(read: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``queries`` read (first argument: the connection) as a cached read without it."""
    name = f"{read.__module__}.{read.__name__}"
    _READS[name] = read

    @functools.wraps(read)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        con = get_connection()  # outside the cache: builds the database on first start
        frozen_args = tuple(_freeze(a) for a in args)
        frozen_kwargs = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
        try:
            return _read(cache_token(), name, frozen_args, frozen_kwargs, con)
        except duckdb.Error as exc:
            if not is_remote_target(database_path()):
                raise  # on a file this is a bug, to be seen in full
            _stop_with_explanation(exc)

    return wrapper


def cache_token() -> tuple:
    """What every cached read and view (pages.views) is keyed by besides its arguments.

    The database, how many writes this process made and, on a DuckLake, the snapshot this run reads: after
    a write here or in another replica every key is new, so no page shows a result read before it.
    """
    return (database_path(), _writes_here[0], _run_version())


def current_data_version() -> int | None:
    """The DuckLake's snapshot id, as of at most ``VERSION_MAX_AGE`` ago; None for a DuckDB file and MotherDuck.

    A file has one writing process, this dashboard, which counts its writes in :func:`clear`. MotherDuck
    has no such cheap id: its reads are cached for ``CACHE_TTL`` at most.
    """
    target = database_path()
    if engine_kind(target) != "ducklake":
        return None
    now = time.monotonic()
    seen = _versions_seen.get(target)
    if seen is not None and now - seen[0] < VERSION_MAX_AGE:
        return seen[1]
    version = data_version(get_connection())
    _versions_seen[target] = (now, version)
    return version


def note_data_version() -> None:
    """Look the data version up once for this run; app.py calls it before routing to the page.

    Every cached read of the run is keyed by it: one catalog query per run rather than one per read. When
    the lookup fails nothing is noted, and the page's first read looks again and explains the failure.
    """
    try:
        st.session_state[RUN_VERSION_KEY] = current_data_version()
    except duckdb.Error:
        st.session_state[RUN_VERSION_KEY] = None


def _run_version() -> int | None:
    """The version noted for this run, else looked up now (outside a run, or after a failed lookup)."""
    noted = st.session_state.get(RUN_VERSION_KEY)
    if noted is not None:
        return noted
    try:
        return current_data_version()
    except duckdb.Error as exc:
        _stop_with_explanation(exc)


def _stop_with_explanation(exc: duckdb.Error) -> NoReturn:
    """Show in one line why a remote engine could not answer and end this run (the next run tries again)."""
    st.error(explain_error(exc, database_path()))
    st.stop()


def clear() -> None:
    """Forget every cached result (call after any write)."""
    _writes_here[0] += 1
    st.cache_data.clear()


def _export(con: duckdb.DuckDBPyConnection, filters: export.ExportFilters) -> tuple[bytes, int]:
    """The CSV bytes and the number of data rows, exactly as ``python -m queries export`` writes them."""
    buffer = io.BytesIO()
    rows = export.write_csv(con, filters, buffer)
    return buffer.getvalue(), rows


def _companies(con: duckdb.DuckDBPyConnection) -> list[str]:
    return sorted(set(company_names(con).values()))


list_metrics = _cached(reads.list_metrics)
list_companies_for_metric = _cached(reads.list_companies_for_metric)
list_sources_for_metric = _cached(reads.list_sources_for_metric)
list_segments_for_metric = _cached(reads.list_segments_for_metric)
default_peers = _cached(reads.default_peers)
current_series = _cached(reads.current_series)
growth_series = _cached(analytics.growth_series)
compare_period = _cached(analytics.compare_period)
scatter_metrics = _cached(analytics.scatter_metrics)
latest_snapshot = _cached(analytics.latest_snapshot)
coverage_cells = _cached(analytics.coverage_cells)
coverage_grid = _cached(analytics.coverage_grid)
list_conflicts = _cached(analytics.list_conflicts)
quarters_not_adding_up = _cached(analytics.quarters_not_adding_up)
fact_provenance = _cached(analytics.fact_provenance)
list_documents = _cached(analytics.list_documents)
get_document = _cached(analytics.get_document)
list_document_facts = _cached(analytics.list_document_facts)
list_events = _cached(analytics.list_events)
list_review_queue = _cached(analytics.list_review_queue)
list_fact_edits = _cached(analytics.list_fact_edits)
list_companies = _cached(_companies)
export_csv = _cached(_export)
