"""Roles in the query layer: every write names a :class:`Principal`, and a viewer's write is refused here.

Hiding the editor pages is a convenience; this module is the rule. Pages call the ``*_as`` functions
below instead of ``queries.store`` / ``queries.ingest`` directly. Each one

- refuses with :class:`AccessDenied` (a ``PermissionError``) unless the principal is a signed-in editor
  and the database is writable (``METRICS_READ_ONLY`` unset),
- passes the principal's name down, so the audit trail (``fact_edits.editor``, ``documents.ingested_by``,
  ``facts.updated_by``) records who made the change,
- holds the process-wide :data:`WRITE_LOCK`: one Streamlit process serves many sessions on one DuckDB
  instance, and serialising their writes turns most write-write conflicts into waits. Conflicts with other
  processes (DuckLake replicas) are retried by ``queries.store.with_retry``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import duckdb

from queries import ingest, store
from queries.engine import env_flag

Role = Literal["editor", "viewer"]
ROLES: tuple[Role, ...] = ("editor", "viewer")
ANONYMOUS = "anonymous"
WRITE_LOCK = threading.RLock()
T = TypeVar("T")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user name (an e-mail or login) and a role."""

    user: str
    role: Role = "viewer"

    @property
    def is_editor(self) -> bool:
        return self.role == "editor" and bool(self.user.strip()) and self.user != ANONYMOUS


ANONYMOUS_VIEWER = Principal(ANONYMOUS, "viewer")


class AccessDenied(PermissionError):
    """A write refused for this principal or this database, with a message meant for the user."""


def require_editor(principal: Principal, action: str) -> str:
    """The principal's name when they may write; AccessDenied saying why not otherwise."""
    if env_flag("METRICS_READ_ONLY"):
        raise AccessDenied(f"cannot {action}: this dashboard is read-only (METRICS_READ_ONLY is set)")
    if not isinstance(principal, Principal):
        raise AccessDenied(f"cannot {action}: no principal given (sign in first)")
    if not principal.is_editor:
        who = "an anonymous viewer" if principal.user in ("", ANONYMOUS) else f"{principal.user} (a {principal.role})"
        raise AccessDenied(f"cannot {action}: {who} may read but not change data; ask an editor")
    return principal.user.strip()


def run_write(principal: Principal, action: str, write: Callable[[str], T]) -> T:
    """Check the principal, then run ``write(user)`` under the process-wide write lock."""
    user = require_editor(principal, action)
    with WRITE_LOCK:
        return write(user)


# ---------------------------------------------------------------------------- human changes (queries.store)


def edit_fact_as(principal: Principal, con: duckdb.DuckDBPyConnection, fact_id: int, changes: dict):
    """queries.store.edit_fact for an editor."""
    return run_write(principal, "edit a fact", lambda user: store.edit_fact(con, fact_id, changes, user))


def confirm_fact_as(principal: Principal, con: duckdb.DuckDBPyConnection, fact_id: int):
    """queries.store.confirm_fact for an editor."""
    return run_write(principal, "confirm a fact", lambda user: store.confirm_fact(con, fact_id, user))


def reject_fact_as(principal: Principal, con: duckdb.DuckDBPyConnection, fact_id: int):
    """queries.store.reject_fact for an editor."""
    return run_write(principal, "reject a fact", lambda user: store.reject_fact(con, fact_id, user))


def undo_last_edit_as(principal: Principal, con: duckdb.DuckDBPyConnection):
    """queries.store.undo_last_edit for an editor (their own last change)."""
    return run_write(principal, "undo a change", lambda user: store.undo_last_edit(con, user))


# ---------------------------------------------------------------------------- ingest (queries.ingest)


def ingest_document_as(principal: Principal, con: duckdb.DuckDBPyConnection, doc, **options) -> ingest.IngestResult:
    """queries.ingest.ingest_document for an editor; the document records who stored it."""
    options.pop("user", None)  # the principal decides who it was
    return run_write(principal, "ingest a release", lambda user: ingest.ingest_document(con, doc, user=user, **options))


def ingest_paths_as(principal: Principal, con: duckdb.DuckDBPyConnection, paths, **options) -> ingest.IngestResult:
    """queries.ingest.ingest_paths for an editor; every document it stores records who stored it."""
    options.pop("user", None)
    return run_write(principal, "ingest releases", lambda user: ingest.ingest_paths(con, paths, user=user, **options))


def cli_principal() -> Principal:
    """The command line is an editor named METRICS_USER (or the OS user): whoever can run it can write the file."""
    import getpass

    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):
        fallback = "cli"
    return Principal(os.environ.get("METRICS_USER", "").strip() or fallback, "editor")
