"""Every file in queries/sql/ runs with sample parameters, documents its parameters (those of the files it
includes too) and columns, and the materialised current series obeys the data rules (dbt style)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from metrics.catalogue import UNITS
from queries.sql_runner import SQL_DIR, load_sql, run

SQL_FILES = sorted(p.stem for p in SQL_DIR.glob("*.sql"))
PARAMETER = re.compile(r"\$([a-z_]+)")

# One sample value per parameter name used anywhere in queries/sql (a new name must be added here).
SAMPLES = {
    "metric": "revenue",
    "metric_x": "smartphone_shipments",
    "metric_y": "revenue",
    "companies": ["Xiaomi", "Apple", "Samsung"],
    "company": "Xiaomi",
    "segment": "",
    "source": "best",
    "grain": "quarter",
    "index_period": date(2020, 12, 31),
    "period_end": date(2020, 12, 31),
    "currency": "USD",
    "tolerance_pct": 0.5,
    "search": "",
    "limit": 50,
    "window": 200,
    "max_confidence": 0.8,
    "editor": "",
    "metrics": ["revenue", "smartphone_shipments"],
    "segments": [],
    "sources": [],
    "period_from": date(2019, 1, 1),
    "period_to": date(2021, 12, 31),
    "statuses": "all",
    "trace": True,
}


def split_header(text: str) -> tuple[str, str]:
    """The leading comment block and the SQL after it."""
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if not line.startswith("--"))
    return "\n".join(lines[:n]), "\n".join(lines[n:])


def header_parameters(header: str) -> set[str]:
    return set(PARAMETER.findall(header))


def header_columns(header: str) -> list[str]:
    """Column names after 'Returns:' (notes in parentheses dropped)."""
    text = " ".join(line.removeprefix("--").strip() for line in header.splitlines())
    returns = text.split("Returns:", 1)[1]
    returns = re.split(r"\s(?:No parameters|Parameters:)", returns)[0]
    while re.search(r"\([^()]*\)", returns):
        returns = re.sub(r"\([^()]*\)", "", returns)
    return [c.strip(" .") for c in returns.split(",") if c.strip(" .")]


def sample_parameters(con, name: str, used: set[str]) -> dict:
    params = {p: SAMPLES[p] for p in used if p in SAMPLES}
    if "fact_id" in used:
        params["fact_id"] = con.execute("select min(id) from facts where document_id is not null").fetchone()[0]
    if "fact_ids" in used:
        params["fact_ids"] = [r[0] for r in con.execute("select id from facts where company = 'Xiaomi'").fetchall()]
    if "document_id" in used:
        params["document_id"] = con.execute("select min(id) from documents").fetchone()[0]
    return params


@pytest.fixture(scope="module")
def con(built_db):
    connection = duckdb.connect(built_db, read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("name", SQL_FILES)
def test_header_lists_every_parameter_and_column(name):
    header, body = split_header(load_sql(name))
    assert header, f"{name}.sql has no header comment"
    assert "Returns:" in header
    assert header_parameters(header) == set(PARAMETER.findall(body))
    assert set(header_parameters(header)) <= set(SAMPLES) | {"fact_id", "fact_ids", "document_id"}


@pytest.mark.parametrize("name", SQL_FILES)
def test_runs_with_sample_parameters(con, name):
    header, body = split_header(load_sql(name))
    frame = run(con, name, **sample_parameters(con, name, header_parameters(header)))
    assert list(frame.columns) == header_columns(header)


def test_every_sql_file_is_covered():
    assert len(SQL_FILES) >= 15 and "growth_series" in SQL_FILES


def test_the_series_cache_equals_a_fresh_ranking(built_db, tmp_path):
    con = duckdb.connect(built_db, read_only=True)
    cached = con.execute("select * exclude (created_at) from series_cache order by id").df()
    con.close()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(Path(built_db).read_bytes())
    con = duckdb.connect(str(copy))
    con.execute(
        "insert into series_refresh_keys select distinct company, metric, segment, period_start, period_end from facts"
    )
    fresh = con.execute("select * exclude (created_at) from series_ranked order by id").df()
    assert len(cached) > 1000
    assert cached.equals(fresh)


def test_data_rules_of_the_current_series(con):
    assert con.execute("select count(*) from series_by_source where value is null").fetchone()[0] == 0
    units = {u for (u,) in con.execute("select distinct unit from series_by_source").fetchall()}
    assert units <= set(UNITS)
    money_without_currency = con.execute(
        "select count(*) from series_by_source where unit = 'currency' and currency is null"
    ).fetchone()[0]
    assert money_without_currency == 0
    dupes = con.execute(
        """
        select count(*) from (
            select company, metric, segment, period_start, period_end, source from series_by_source
            group by all having count(*) > 1
        )
        """
    ).fetchone()[0]
    assert dupes == 0
    summary = con.execute("select sum(facts) from series_summary").fetchone()[0]
    assert summary == con.execute("select count(*) from series_cache").fetchone()[0]
