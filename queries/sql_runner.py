"""Run the named SQL files in ``queries/sql/`` with DuckDB named parameters.

One query per file; the file's header comment says what it returns and its parameters. Values are
always bound as parameters, never formatted into the SQL text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).with_name("sql")


@cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql``; unknown names raise KeyError."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run a named query on a fresh cursor (connections are not shared between threads)."""
    with con.cursor() as cur:
        return cur.execute(load_sql(name), params).df()
