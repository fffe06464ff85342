"""Readable functions over the SQL files for the Overview, Trends, Compare, Releases, Review and Data quality
pages (design §7). Each runs one file of ``queries/sql`` (named in its docstring) and returns a DataFrame,
or a dict for a single record. Arguments are checked here so a page gets a clear ValueError, not a SQL error.
"""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pandas as pd

from queries.sql_runner import run

GRAINS = ("quarter", "year", "half", "month", "instant")
SNAPSHOT_GRAINS = (*GRAINS, "any")
SOURCE_BEST = "best"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_grain(grain: str, allowed: tuple[str, ...] = GRAINS) -> str:
    if grain not in allowed:
        raise ValueError(f"grain must be one of {', '.join(allowed)}, got {grain!r}")
    return grain


def _check_currency(currency: str) -> str:
    if currency and not _CURRENCY.match(currency):
        raise ValueError(f"currency must be an ISO code such as USD or CNY, or '' for none; got {currency!r}")
    return currency


def _first_record(frame: pd.DataFrame) -> dict | None:
    return None if frame.empty else frame.iloc[0].to_dict()


def growth_series(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    companies: list[str],
    segment: str = "",
    source: str = SOURCE_BEST,
    grain: str = "quarter",
    index_period: date | None = None,
) -> pd.DataFrame:
    """Value, YoY %, QoQ %, TTM, derived Q4 and an index = 100 at ``index_period`` (sql/growth_series.sql)."""
    return run(
        con,
        "growth_series",
        metric=metric,
        companies=list(companies),
        segment=segment,
        source=source,
        grain=_check_grain(grain),
        index_period=index_period,
    )


def compare_period(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    period_end: date,
    grain: str = "quarter",
    segment: str = "",
    source: str = SOURCE_BEST,
    currency: str = "USD",
) -> pd.DataFrame:
    """Companies ranked for one calendar period, money in ``currency`` (sql/compare_period.sql)."""
    return run(
        con,
        "compare_period",
        metric=metric,
        segment=segment,
        source=source,
        grain=_check_grain(grain),
        period_end=period_end,
        currency=_check_currency(currency),
    )


def scatter_metrics(
    con: duckdb.DuckDBPyConnection,
    metric_x: str,
    metric_y: str,
    period_end: date,
    grain: str = "quarter",
    segment_x: str = "",
    segment_y: str = "",
    source: str = SOURCE_BEST,
    currency: str = "USD",
) -> pd.DataFrame:
    """Two metrics for one period, one row per company that has both (e.g. shipments vs revenue).

    Both sides come from sql/compare_period.sql, so alignment and FX are the same as on the bar chart.
    Columns: company, x, y, x_unit, y_unit, x_currency, y_currency, x_fact_id, y_fact_id, x_alignment, y_alignment.
    """
    sides = []
    for prefix, metric, segment in (("x", metric_x, segment_x), ("y", metric_y, segment_y)):
        frame = compare_period(con, metric, period_end, grain, segment, source, currency)
        frame = frame[["company", "converted_value", "unit", "converted_currency", "fact_id", "alignment"]]
        sides.append(
            frame.rename(
                columns={
                    "converted_value": prefix,
                    "unit": f"{prefix}_unit",
                    "converted_currency": f"{prefix}_currency",
                    "fact_id": f"{prefix}_fact_id",
                    "alignment": f"{prefix}_alignment",
                }
            )
        )
    return sides[0].merge(sides[1], on="company", how="inner").sort_values("company", ignore_index=True)


def latest_snapshot(
    con: duckdb.DuckDBPyConnection, company: str, grain: str = "quarter", source: str = SOURCE_BEST
) -> pd.DataFrame:
    """KPI cards: per metric the latest value, prior, change, YoY and an 8-period sparkline (sql/latest_snapshot.sql)."""
    return run(con, "latest_snapshot", company=company, grain=_check_grain(grain, SNAPSHOT_GRAINS), source=source)


def coverage_cells(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    segment: str = "",
    grain: str = "quarter",
    companies: list[str] | None = None,
) -> pd.DataFrame:
    """One row per company × calendar period with a value (sql/coverage_grid.sql)."""
    return run(
        con,
        "coverage_grid",
        metric=metric,
        segment=segment,
        grain=_check_grain(grain),
        companies=list(companies or []),
    )


def coverage_grid(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    segment: str = "",
    grain: str = "quarter",
    companies: list[str] | None = None,
    values: bool = False,
) -> pd.DataFrame:
    """Company × period matrix: how many sources give a value (or the best value when ``values``); gaps are NaN."""
    cells = coverage_cells(con, metric, segment, grain, companies)
    if cells.empty:
        return pd.DataFrame()
    order = cells.drop_duplicates("period").sort_values("calendar_period_end")["period"].tolist()
    grid = cells.pivot(index="company", columns="period", values="value" if values else "facts")
    return grid.reindex(columns=order)


def list_conflicts(
    con: duckdb.DuckDBPyConnection, metric: str = "", company: str = "", tolerance_pct: float = 0.5
) -> pd.DataFrame:
    """Pairs of facts for one key whose values differ beyond the tolerance (sql/list_conflicts.sql)."""
    return run(con, "list_conflicts", metric=metric, company=company, tolerance_pct=float(tolerance_pct))


def quarters_not_adding_up(
    con: duckdb.DuckDBPyConnection, metric: str = "", company: str = "", tolerance_pct: float = 0.5
) -> pd.DataFrame:
    """Fiscal years whose four quarters differ from the year beyond the tolerance (sql/quarters_not_adding_up.sql)."""
    return run(con, "quarters_not_adding_up", metric=metric, company=company, tolerance_pct=float(tolerance_pct))


def fact_provenance(con: duckdb.DuckDBPyConnection, fact_id: int, window: int = 300) -> dict | None:
    """Document, sentence, span and the text around it for one fact; None when there is no such fact."""
    return _first_record(run(con, "fact_provenance", fact_id=int(fact_id), window=max(0, int(window))))


def list_documents(
    con: duckdb.DuckDBPyConnection, company: str = "", search: str = "", limit: int = 500
) -> pd.DataFrame:
    """Documents newest first with their number of facts; ``search`` matches title or text (sql/list_documents.sql)."""
    return run(con, "list_documents", company=company, search=search.strip(), limit=int(limit))


def get_document(con: duckdb.DuckDBPyConnection, document_id: str) -> dict | None:
    """One document with its text (sql/get_document.sql); None when unknown."""
    return _first_record(run(con, "get_document", document_id=document_id))


def list_document_facts(con: duckdb.DuckDBPyConnection, document_id: str) -> pd.DataFrame:
    """The facts of one document in text order, for highlighting, with ``is_current`` (whether the current
    series shows it): sql/list_document_facts.sql, then sql/list_current_fact_ids.sql once per company.
    """
    facts = run(con, "list_document_facts", document_id=document_id)
    shown: set[int] = set()
    for company, ids in facts.groupby("company")["fact_id"]:
        found = run(con, "list_current_fact_ids", company=company, fact_ids=[int(i) for i in ids])
        shown.update(found["fact_id"].tolist())
    return facts.assign(is_current=facts["fact_id"].isin(shown))


def list_events(con: duckdb.DuckDBPyConnection, company: str = "") -> pd.DataFrame:
    """Event documents with their date and title, for vertical markers (sql/list_events.sql)."""
    return run(con, "list_events", company=company)


def list_review_queue(
    con: duckdb.DuckDBPyConnection,
    company: str = "",
    metric: str = "",
    max_confidence: float = 0.8,
    limit: int = 500,
) -> pd.DataFrame:
    """Low-confidence extracted facts and unverified curated rows (sql/list_review_queue.sql)."""
    return run(
        con,
        "list_review_queue",
        company=company,
        metric=metric,
        max_confidence=float(max_confidence),
        limit=int(limit),
    )


def list_fact_edits(
    con: duckdb.DuckDBPyConnection, fact_id: int | None = None, editor: str = "", limit: int = 200
) -> pd.DataFrame:
    """The audit trail, newest first (sql/list_fact_edits.sql)."""
    return run(
        con,
        "list_fact_edits",
        fact_id=None if fact_id is None else int(fact_id),
        editor=editor,
        limit=int(limit),
    )
