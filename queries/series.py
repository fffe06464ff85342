"""Upkeep of the materialised current series (``series_cache``, migration 003).

Every write that changes facts names the keys it touched (company × metric × segment × period) in
``series_refresh_keys`` and calls :func:`refresh_series` in the same transaction, so a reader never sees
facts and series disagree. Facts inserted by code that does not do this (a bulk load) are picked up by
:func:`sync_series`, which ranks every key of the facts above the stored high-water mark.
"""

from __future__ import annotations

import duckdb

_KEY_MATCH = (
    "c.company = k.company and c.metric = k.metric and c.segment = k.segment "
    "and c.period_start = k.period_start and c.period_end = k.period_end"
)


def mark_document_keys(con: duckdb.DuckDBPyConnection, document_ids: list[str]) -> None:
    """Queue the keys of every fact of these documents for re-ranking."""
    con.execute(
        """
        insert into series_refresh_keys
        select distinct company, metric, segment, period_start, period_end
        from facts where list_contains($ids, document_id)
        """,
        {"ids": list(document_ids)},
    )


def mark_fact_keys(con: duckdb.DuckDBPyConnection, fact_ids: list[int]) -> None:
    """Queue the keys of these facts (as they are now) for re-ranking."""
    con.execute(
        """
        insert into series_refresh_keys
        select distinct company, metric, segment, period_start, period_end
        from facts where list_contains($ids, id)
        """,
        {"ids": [int(i) for i in fact_ids]},
    )


def count_document_facts(con: duckdb.DuckDBPyConnection, document_id: str | None) -> None:
    """Keep documents.fact_count (shown on the Releases page) equal to its facts that are not rejected."""
    if document_id is None:
        return
    con.execute(
        """
        update documents set fact_count = (
            select count(*) from facts where document_id = $id and status <> 'rejected'
        )
        where id = $id
        """,
        {"id": document_id},
    )


def refresh_series(con: duckdb.DuckDBPyConnection) -> None:
    """Re-rank the queued keys into series_cache and series_summary; empties the queue.

    Call inside the writing transaction, after the facts have changed.
    """
    con.execute(f"delete from series_cache as c using series_refresh_keys as k where {_KEY_MATCH}")
    con.execute("insert into series_cache by name select * from series_ranked")
    con.execute(
        """
        delete from series_summary as s
        using (select distinct metric, company from series_refresh_keys) as k
        where s.metric = k.metric and s.company = k.company
        """
    )
    con.execute(
        """
        insert into series_summary by name
        select c.metric, c.company, c.segment, c.source, count(*) as facts,
               min(c.period_end) as first_period, max(c.period_end) as last_period
        from series_cache as c
        semi join (select distinct metric, company from series_refresh_keys) as k
            on c.metric = k.metric and c.company = k.company
        group by all
        """
    )
    _refresh_metric_summary(con, "where list_contains((select list(distinct metric) from series_refresh_keys), metric)")
    con.execute("delete from series_refresh_keys")
    _advance_mark(con)


def _refresh_metric_summary(con: duckdb.DuckDBPyConnection, scope: str) -> None:
    """Recount companies and values of the metrics in ``scope`` (a fixed WHERE clause, never user input)."""
    con.execute(f"delete from metric_summary {scope}")
    con.execute(
        f"""
        insert into metric_summary by name
        select metric, count(distinct company) as companies, sum(facts)::bigint as facts
        from series_summary {scope}
        group by metric
        """
    )


def _advance_mark(con: duckdb.DuckDBPyConnection) -> None:
    """Move the high-water mark only when it changes: every writer touching this one row would conflict."""
    con.execute(
        """
        update series_state set max_fact_id = m.newest
        from (select coalesce(max(id), 0) as newest from facts) as m
        where series_state.max_fact_id <> m.newest
        """
    )


def sync_series(con: duckdb.DuckDBPyConnection) -> bool:
    """Rank the facts inserted since the last refresh by code that did not refresh; True when any were.

    Call inside a transaction (it is one statement group; the caller commits).
    """
    mark = con.execute("select max_fact_id from series_state").fetchone()[0]
    newest = con.execute("select coalesce(max(id), 0) from facts").fetchone()[0]
    if newest <= mark:
        return False
    con.execute(
        """
        insert into series_refresh_keys
        select distinct company, metric, segment, period_start, period_end from facts where id > $mark
        """,
        {"mark": mark},
    )
    refresh_series(con)
    return True


def rebuild_series(con: duckdb.DuckDBPyConnection) -> None:
    """Rank every key again and store the cache sorted by metric and company (fast reads after bulk loads)."""
    con.execute(
        "insert into series_refresh_keys select distinct company, metric, segment, period_start, period_end from facts"
    )
    con.execute("delete from series_cache")
    con.execute(
        "insert into series_cache by name select * from series_ranked order by metric, company, segment, period_end"
    )
    con.execute("delete from series_summary")
    con.execute(
        """
        insert into series_summary by name
        select metric, company, segment, source, count(*) as facts, min(period_end) as first_period,
               max(period_end) as last_period
        from series_cache group by all
        """
    )
    _refresh_metric_summary(con, "")
    con.execute("delete from series_refresh_keys")
    _advance_mark(con)
