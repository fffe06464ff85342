"""The one place that opens the database.

The location comes from ``METRICS_DB`` (default ``data/metrics.duckdb``). A file that another process
holds gives :class:`DatabaseInUseError` naming the holder; a file that is not a DuckDB database gives
:class:`DatabaseCorruptError`, which :func:`queries.build.ensure_database` answers by rebuilding.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_ROOT / "data" / "metrics.duckdb"

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>\S+) \(PID (?P<pid>\d+)\)")


class DatabaseError(RuntimeError):
    """A database problem with a message meant for the user."""


class DatabaseInUseError(DatabaseError):
    """Another process holds the write lock on the database file."""


class DatabaseCorruptError(DatabaseError):
    """The file exists but is not a readable DuckDB database."""


def database_path() -> str:
    """``METRICS_DB`` or the default file; relative paths are taken from the project root."""
    target = os.environ.get("METRICS_DB", "").strip()
    if not target:
        return str(DEFAULT_DB)
    if ":" in target.split("/")[0] and not Path(target).exists():
        return target  # a DSN such as md:… or ducklake:…
    path = Path(target)
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


def describe_lock_error(message: str, path: str) -> str:
    """Turn DuckDB's lock message into one line naming the holder.

    >>> describe_lock_error('Could not set lock on file "x": Conflicting lock is held in /usr/bin/python3 (PID 42)', "x")
    'database x is in use by PID 42 (/usr/bin/python3); close that program or set METRICS_DB to another file'
    """
    m = _LOCK_HOLDER.search(message)
    holder = f"PID {m['pid']} ({m['program']})" if m else "another process"
    return f"database {path} is in use by {holder}; close that program or set METRICS_DB to another file"


def connect(path: str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database; errors come back as DatabaseError subclasses with a clear message."""
    target = path or database_path()
    # --- hosted mode (issue #8, queries/engine.py): DuckLake / MotherDuck DSNs open through the engine
    # module; METRICS_READ_ONLY=1 opens the configured database read-only; METRICS_LOCK_WAIT waits for a
    # lock held by another process. Files otherwise open exactly as before.
    from queries import engine

    read_only = read_only or engine.is_read_only(target, database_path())
    if engine.is_remote_target(target):
        return engine.open_engine(target, read_only=read_only)
    # --- end hosted mode
    try:
        return engine.open_file(target, read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseInUseError(describe_lock_error(text, target)) from exc
        if "not a valid DuckDB database" in text or "database file" in text.lower():
            raise DatabaseCorruptError(f"{target} is not a readable DuckDB database: {text.splitlines()[0]}") from exc
        raise DatabaseError(f"cannot open {target}: {text.splitlines()[0]}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"cannot open {target}: {str(exc).splitlines()[0]}") from exc
