"""Human changes to facts: edit, confirm, reject and undo, each with its audit row.

Every change and its ``fact_edits`` row (who, when, action, the fact before and after as JSON) are
written in one transaction, together with the re-ranking of the current series, so the audit trail
can never disagree with the data. Edited values go through the same validation as curated CSV rows
(:func:`queries.curated.validate_row`). DuckDB's concurrency is optimistic: two writers touching the
same row make one fail with "Conflict on update"; :func:`with_retry` runs the change again.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import duckdb

from metrics.catalogue import load_catalogue
from queries.curated import validate_row
from queries.series import count_document_facts, mark_fact_keys, refresh_series, sync_series

T = TypeVar("T")

EDITABLE_FIELDS = (
    "company", "metric", "segment", "period_start", "period_end", "period_kind", "value", "unit",
    "currency", "qualifier", "attributed_to", "comparative",
)  # fmt: skip
# What the audit trail keeps of a fact, and what undo restores.
SNAPSHOT_FIELDS = (*EDITABLE_FIELDS, "status", "unverified", "updated_by")
RETRY_ATTEMPTS = 10


class EditError(ValueError):
    """An edit that cannot be made, with a message meant for the editor."""


@dataclass(frozen=True)
class EditResult:
    fact_id: int
    edit_id: int
    action: str  # edit | confirm | reject | undo
    before: dict
    after: dict


# Writes from the threads of one process (Streamlit sessions) take turns: they would only conflict with
# each other and retry. Retries remain for writers this lock cannot see (another connection, a remote engine).
_WRITE_LOCK = threading.RLock()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor inside BEGIN … COMMIT for a write; any error rolls everything back."""
    with _WRITE_LOCK, _cursor_transaction(con) as cur:
        yield cur


@contextmanager
def _cursor_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    cur = con.cursor()
    try:
        cur.execute("begin transaction")
        try:
            yield cur
            cur.execute("commit")
        except BaseException:
            _rollback_quietly(cur)
            raise
    finally:
        cur.close()


def _rollback_quietly(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # a failed commit has already ended the transaction
        cur.execute("rollback")


def is_conflict(exc: BaseException) -> bool:
    """DuckDB's optimistic concurrency reports a write-write conflict as a TransactionException."""
    return isinstance(exc, duckdb.TransactionException) and "onflict" in str(exc)


def with_retry(action: Callable[[], T], attempts: int = RETRY_ATTEMPTS) -> T:
    """Run ``action`` (which opens its own transaction) again after a write-write conflict."""
    for attempt in range(attempts):
        try:
            return action()
        except duckdb.TransactionException as exc:
            if not is_conflict(exc) or attempt == attempts - 1:
                raise
            time.sleep(random.uniform(0, min(1.0, 0.01 * 2**attempt)))  # jitter: retry apart
    raise AssertionError("unreachable")


def edit_fact(con: duckdb.DuckDBPyConnection, fact_id: int, changes: dict, user: str) -> EditResult:
    """Change some fields of a fact; it becomes 'edited' and wins over extracted values of its key."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise EditError(f"cannot edit {', '.join(unknown)}; editable fields: {', '.join(EDITABLE_FIELDS)}")
    return with_retry(lambda: _change(con, fact_id, user, "edit", changes))


def confirm_fact(con: duckdb.DuckDBPyConnection, fact_id: int, user: str) -> EditResult:
    """Mark a fact as checked by a person: it ranks above extracted values and is no longer unverified."""
    return with_retry(lambda: _change(con, fact_id, user, "confirm", {}))


def reject_fact(con: duckdb.DuckDBPyConnection, fact_id: int, user: str) -> EditResult:
    """Take a fact out of every series (it stays in the table and the audit trail)."""
    return with_retry(lambda: _change(con, fact_id, user, "reject", {}))


def undo_last_edit(con: duckdb.DuckDBPyConnection, user: str) -> EditResult:
    """Undo this user's most recent change that is not undone yet, restoring the fact as it was."""
    _require_user(user)
    return with_retry(lambda: _undo(con, user))


def _require_user(user: str | None) -> str:
    if not user or not str(user).strip():
        raise EditError("an editor name is required for every change")
    return str(user).strip()


def _change(con, fact_id: int, user: str, action: str, changes: dict) -> EditResult:
    user = _require_user(user)
    with transaction(con) as cur:
        sync_series(cur)
        before = read_snapshot(cur, fact_id)
        after = _apply_action(cur, before, action, changes, user)
        if after == before:
            raise EditError(f"fact {fact_id}: nothing to change")
        edit_id = _write_change(cur, fact_id, before, after, action, user)
    return EditResult(fact_id, edit_id, action, before, after)


def _apply_action(cur, before: dict, action: str, changes: dict, user: str) -> dict:
    if action == "reject":
        return {**before, "status": "rejected", "updated_by": user}
    if action == "confirm":
        if before["status"] == "rejected":
            raise EditError("a rejected fact cannot be confirmed; edit it to bring it back")
        status = "edited" if before["status"] == "edited" else "confirmed"
        return {**before, "status": status, "unverified": False, "updated_by": user}
    validated = validate_values(cur, {**before, **changes})
    if all(_same(validated[k], before[k]) for k in EDITABLE_FIELDS):
        return before
    return {**before, **validated, "status": "edited", "unverified": False, "updated_by": user}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return a == b


def validate_values(con: duckdb.DuckDBPyConnection, values: dict) -> dict:
    """Check a fact's editable values as a curated row is checked; EditError says what is wrong."""
    raw = {k: _as_text(values.get(k)) for k in EDITABLE_FIELDS}
    raw["attributed_to"] = raw["attributed_to"] or ""
    metric = load_catalogue().metrics.get(raw["metric"])
    if metric is not None and metric.unit != "currency" and raw["unit"] == "currency":
        raise EditError(f"{metric.id} is counted in {metric.unit}, not money")
    try:
        row = validate_row(raw, company_names(con), load_catalogue())
    except ValueError as exc:
        raise EditError(str(exc)) from None
    row["attributed_to"] = raw["attributed_to"].strip() or None  # no guessing from notes for an edit
    return {k: row[k] for k in EDITABLE_FIELDS}


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def company_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every company name and alias in the database, lower-cased -> canonical name."""
    rows = con.execute("select name, coalesce(aliases, []) || coalesce(tickers, []) from companies").fetchall()
    index: dict[str, str] = {}
    for name, aliases in rows:
        for alias in aliases:
            index.setdefault(alias.lower(), name)
    index.update({name.lower(): name for name, _ in rows})
    return index


def read_snapshot(con: duckdb.DuckDBPyConnection, fact_id: int) -> dict:
    """The audited fields of one fact; EditError when there is no such fact."""
    columns = ", ".join(SNAPSHOT_FIELDS)
    row = con.execute(f"select {columns} from facts where id = $id", {"id": int(fact_id)}).fetchone()
    if row is None:
        raise EditError(f"no fact with id {fact_id}")
    return dict(zip(SNAPSHOT_FIELDS, row, strict=True))


def _write_change(cur, fact_id: int, before: dict, after: dict, action: str, user: str, undoes=None) -> int:
    """Update the fact, re-rank its old and new keys, and append the audit row; returns the edit id."""
    mark_fact_keys(cur, [fact_id])
    assignments = ", ".join(f"{k} = ${k}" for k in SNAPSHOT_FIELDS)
    cur.execute(f"update facts set {assignments} where id = $id", {**after, "id": int(fact_id)})
    if before["status"] != after["status"]:
        document = cur.execute("select document_id from facts where id = $id", {"id": int(fact_id)}).fetchone()[0]
        count_document_facts(cur, document)
    mark_fact_keys(cur, [fact_id])
    refresh_series(cur)
    cur.execute(
        """
        insert into fact_edits (fact_id, editor, action, before, after, undoes)
        values ($fact_id, $editor, $action, $before, $after, $undoes)
        """,
        {
            "fact_id": int(fact_id),
            "editor": user,
            "action": action,
            "before": _to_json(before),
            "after": _to_json(after),
            "undoes": undoes,
        },
    )
    return _inserted_edit_id(cur, fact_id)


def _inserted_edit_id(cur, fact_id: int) -> int:
    """The id the column default gave the audit row this transaction wrote (DuckLake has no RETURNING).

    The row is the one of this fact stamped with this transaction's start time (``edited_at`` defaults to
    ``current_timestamp``, fixed for a transaction): any other row of the fact visible here was committed
    before this transaction began, so it was stamped earlier. Ids come from a sequence on a DuckDB file and
    from ``lake_next_id()`` on DuckLake (migration 004), both safe with several writers.
    """
    return cur.execute(
        "select id from fact_edits where fact_id = $fact_id and edited_at = current_timestamp::timestamp",
        {"fact_id": int(fact_id)},
    ).fetchone()[0]


def _to_json(snapshot: dict) -> str:
    return json.dumps(snapshot, default=lambda v: v.isoformat() if isinstance(v, date) else str(v), sort_keys=True)


def _from_json(text: str) -> dict:
    data = json.loads(text)
    for key in ("period_start", "period_end"):
        data[key] = date.fromisoformat(data[key])
    return {k: data.get(k) for k in SNAPSHOT_FIELDS}


def _undo(con, user: str) -> EditResult:
    with transaction(con) as cur:
        sync_series(cur)
        last = cur.execute(
            """
            select e.id, e.fact_id, e.before
            from fact_edits as e
            where e.editor = $user and e.action <> 'undo'
              and not exists (select 1 from fact_edits as u where u.undoes = e.id)
            order by e.id desc
            limit 1
            """,
            {"user": user},
        ).fetchone()
        if last is None:
            raise EditError(f"{user} has no change left to undo")
        edit_id, fact_id, before_json = last
        _check_still_latest(cur, edit_id, fact_id)
        current = read_snapshot(cur, fact_id)
        restored = _from_json(before_json)
        undo_id = _write_change(cur, fact_id, current, restored, "undo", user, undoes=edit_id)
    return EditResult(fact_id, undo_id, "undo", current, restored)


def _check_still_latest(cur, edit_id: int, fact_id: int) -> None:
    """Undoing a change that someone made after would silently discard theirs: refuse instead."""
    newer = cur.execute(
        """
        select e.editor from fact_edits as e
        where e.fact_id = $fact_id and e.id > $id and e.action <> 'undo'
          and not exists (select 1 from fact_edits as u where u.undoes = e.id)
        order by e.id desc
        limit 1
        """,
        {"fact_id": fact_id, "id": edit_id},
    ).fetchone()
    if newer is not None:
        raise EditError(f"fact {fact_id} was changed later by {newer[0]}; undo that change first")


def list_edits(con: duckdb.DuckDBPyConnection, fact_id: int) -> list[dict]:
    """The audit trail of one fact, oldest first, with before/after decoded."""
    with con.cursor() as cur:
        rows = cur.execute(
            "select id, editor, edited_at, action, before, after, undoes from fact_edits "
            "where fact_id = $id order by id",
            {"id": int(fact_id)},
        ).fetchall()
    keys = ("id", "editor", "edited_at", "action", "before", "after", "undoes")
    return [{**dict(zip(keys, r, strict=True)), "before": json.loads(r[4]), "after": json.loads(r[5])} for r in rows]
