"""Run the named SQL files in ``queries/sql/`` with DuckDB named parameters.

One query per file; the file's header comment says what it returns and its parameters. Values are
always bound as parameters, never formatted into the SQL text.

A line ``-- include: <name>`` stands for the whole text of ``sql/<name>.sql``, so queries that share a
part write it once (both CSV exports read their rows from ``export_selection``). The include happens
here, in the text, rather than in a view: the shared part takes parameters, which a view cannot, and
the same text then runs on a DuckDB file and on DuckLake without a migration.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).with_name("sql")
_INCLUDE = re.compile(r"^[ \t]*-- include: (\w+)[ \t]*$", re.MULTILINE)


@cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql`` with its includes filled in; unknown names raise KeyError."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return _INCLUDE.sub(lambda line: load_sql(line.group(1)), path.read_text(encoding="utf-8"))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run a named query on a fresh cursor (connections are not shared between threads)."""
    with con.cursor() as cur:
        return cur.execute(load_sql(name), params).df()
