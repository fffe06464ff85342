"""Schema and numbered migrations. The applied version is stored in ``schema_version``.

A migration is a file ``migrations/NNN_name.sql``; each runs once, in order, inside one transaction
with the version bump, so a database is never left between two versions.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def list_migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        if m := _MIGRATION_NAME.match(path.name):
            found.append((int(m.group(1)), path))
    return found


LATEST_VERSION = list_migrations()[-1][0]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """0 for an empty database."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("select coalesce(max(version), 0) from schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the stored version; return the version reached."""
    con.execute(
        "create table if not exists schema_version (version integer primary key, applied_at timestamp default current_timestamp)"
    )
    version = current_version(con)
    for number, path in list_migrations():
        if number <= version:
            continue
        con.execute("begin transaction")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_version (version) values ($v)", {"v": number})
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        version = number
    return version
