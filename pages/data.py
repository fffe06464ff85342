"""Cached reads for the pages: every ``queries`` read the UI uses, through one ``st.cache_data``.

A page calls ``data.growth_series(metric, companies, ...)`` exactly like ``queries.analytics.growth_series``
without the connection. Results are cached per database file, read and arguments (lists are frozen to
tuples so they can be part of the key); :func:`clear` empties the cache after a write.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

import duckdb
import streamlit as st

from pages.database import get_connection
from queries import analytics, export, reads
from queries.connection import database_path
from queries.store import company_names

CACHE_TTL = 600
_READS: dict[str, Callable[..., Any]] = {}


def _freeze(value: Any) -> Any:
    if isinstance(value, list | set):
        return tuple(value)
    return value


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=1024)
def _read(db: str, name: str, args: tuple, kwargs: tuple, _con: duckdb.DuckDBPyConnection) -> Any:
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
        return _read(database_path(), name, frozen_args, frozen_kwargs, con)

    return wrapper


def clear() -> None:
    """Forget every cached result (call after any write)."""
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
