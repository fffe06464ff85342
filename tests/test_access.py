"""Roles in the query layer: a viewer's direct call to a write function is refused; an editor's is recorded."""

from __future__ import annotations

import threading

import duckdb
import pytest

from bench.releases import write_releases
from queries import access
from queries.access import AccessDenied, Principal

EDITOR = Principal("ed@example.com", "editor")
VIEWER = Principal("vi@example.com", "viewer")


@pytest.fixture
def con(db_copy):
    connection = duckdb.connect(db_copy)
    yield connection
    connection.close()


def some_fact(con) -> int:
    return con.execute("select min(id) from facts where status <> 'rejected'").fetchone()[0]


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]  # table names from this file only


@pytest.mark.parametrize(
    "write",
    [
        lambda p, con, fid, paths: access.edit_fact_as(p, con, fid, {"value": 1.0}),
        lambda p, con, fid, paths: access.confirm_fact_as(p, con, fid),
        lambda p, con, fid, paths: access.reject_fact_as(p, con, fid),
        lambda p, con, fid, paths: access.undo_last_edit_as(p, con),
        lambda p, con, fid, paths: access.ingest_paths_as(p, con, paths, workers=1),
    ],
    ids=["edit", "confirm", "reject", "undo", "ingest"],
)
@pytest.mark.parametrize("principal", [VIEWER, access.ANONYMOUS_VIEWER, Principal("", "editor")], ids=str)
def test_a_viewer_write_is_refused_and_changes_nothing(con, tmp_path, write, principal):
    paths = write_releases(tmp_path, 2)
    fact_id = some_fact(con)
    before = (count(con, "facts"), count(con, "fact_edits"), count(con, "documents"))
    with pytest.raises(PermissionError, match="cannot .*"):
        write(principal, con, fact_id, paths)
    assert (count(con, "facts"), count(con, "fact_edits"), count(con, "documents")) == before


def test_the_refusal_says_who_and_why(con):
    with pytest.raises(AccessDenied, match=r"vi@example.com \(a viewer\) may read but not change data"):
        access.confirm_fact_as(VIEWER, con, some_fact(con))


def test_read_only_mode_refuses_even_an_editor(con, monkeypatch):
    monkeypatch.setenv("METRICS_READ_ONLY", "1")
    with pytest.raises(AccessDenied, match="read-only"):
        access.confirm_fact_as(EDITOR, con, some_fact(con))


def test_an_editor_change_records_who_made_it(con):
    fact_id = some_fact(con)
    result = access.edit_fact_as(EDITOR, con, fact_id, {"value": 123.0})
    editor, updated_by = con.execute(
        "select e.editor, f.updated_by from fact_edits e join facts f on f.id = e.fact_id where e.id = $id",
        {"id": result.edit_id},
    ).fetchone()
    assert editor == updated_by == EDITOR.user


def test_an_editor_ingest_records_who_stored_it(con, tmp_path):
    paths = write_releases(tmp_path, 3)
    result = access.ingest_paths_as(EDITOR, con, paths, workers=1)
    assert result.documents == 3
    rows = con.execute(
        "select d.ingested_by, count(f.id), count(distinct f.updated_by), min(f.updated_by) "
        "from documents d join facts f on f.document_id = d.id where list_contains($ids, d.id) group by 1",
        {"ids": result.document_ids},
    ).fetchall()
    assert rows == [(EDITOR.user, 9, 1, EDITOR.user)]


def test_writes_from_many_sessions_are_serialised(con):
    """Eight sessions of one process confirm facts at once: all succeed (the lock turns conflicts into waits)."""
    ids = [r[0] for r in con.execute("select id from facts where status = 'extracted' limit 8").fetchall()]
    errors: list[BaseException] = []

    def confirm(fact_id: int) -> None:
        try:
            access.confirm_fact_as(EDITOR, con.cursor(), fact_id)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert con.execute(
        "select count(*) from facts where list_contains($ids, id) and status = 'confirmed'", {"ids": ids}
    ).fetchone()[0] == len(ids)
