"""Human changes: edit, confirm, reject, undo, their audit rows, validation, and retries on write conflicts."""

from __future__ import annotations

import json
import threading
from datetime import date

import duckdb
import pytest

from queries.reads import current_series
from queries.store import (
    EditError,
    confirm_fact,
    edit_fact,
    list_edits,
    reject_fact,
    undo_last_edit,
    with_retry,
)


@pytest.fixture
def con(db_copy):
    connection = duckdb.connect(db_copy)
    yield connection
    connection.close()


def shipments_fact(con, end: date = date(2019, 12, 31)) -> int:
    """Xiaomi's own quarterly smartphone shipments (a curated row) for the quarter ending ``end``."""
    return con.execute(
        """
        select id from series_by_source
        where company = 'Xiaomi' and metric = 'smartphone_shipments' and segment = '' and attributed_to is null
          and period_end = $end and grain = 'quarter'
        """,
        {"end": end},
    ).fetchone()[0]


def current_value(con, end: date = date(2019, 12, 31)) -> tuple[float, str]:
    frame = current_series(con, "smartphone_shipments", ["Xiaomi"], "", "company", "quarter")
    row = frame[frame["period_end"] == str(end)].iloc[0]
    return row["value"], row["status"]


def fresh_ranking_matches_cache(con) -> bool:
    cached = con.execute("select id from series_cache order by id").fetchall()
    con.execute(
        "insert into series_refresh_keys select distinct company, metric, segment, period_start, period_end from facts"
    )
    fresh = con.execute("select id from series_ranked order by id").fetchall()
    con.execute("delete from series_refresh_keys")
    return cached == fresh


def test_edit_writes_the_audit_row_and_wins(con):
    fact_id = shipments_fact(con)
    result = edit_fact(con, fact_id, {"value": 33e6, "qualifier": "approx"}, user="ana")
    assert current_value(con) == (33e6, "edited")
    (edit,) = list_edits(con, fact_id)
    assert (edit["editor"], edit["action"]) == ("ana", "edit")
    assert edit["before"]["value"] == pytest.approx(32.6e6) and edit["after"]["value"] == 33e6
    assert edit["after"]["qualifier"] == "approx" and edit["after"]["status"] == "edited"
    assert result.edit_id == edit["id"]
    assert fresh_ranking_matches_cache(con)


def test_each_change_names_its_own_audit_row(con):
    """The id comes from the column default (migration 004) and is read back by fact and transaction time."""
    facts = [
        r[0] for r in con.execute("select id from facts where status = 'extracted' order by id limit 3").fetchall()
    ]
    results = [confirm_fact(con, fact_id, user="ana") for fact_id in facts] + [undo_last_edit(con, user="ana")]
    rows = con.execute("select id, fact_id, action from fact_edits order by id").fetchall()
    assert [(r.edit_id, r.fact_id, r.action) for r in results] == rows
    assert len({r.edit_id for r in results}) == 4


def test_edit_that_moves_the_period_re_ranks_both_keys(con):
    fact_id = shipments_fact(con)
    edit_fact(con, fact_id, {"period_start": "2019-07-01", "period_end": "2019-09-30"}, user="ana")
    frame = current_series(con, "smartphone_shipments", ["Xiaomi"], "", "company", "quarter")
    by_end = frame.set_index(frame["period_end"].astype(str))
    assert by_end.loc["2019-09-30", "fact_id"] == fact_id  # the edited fact wins its new key
    assert "2019-12-31" not in by_end.index or by_end.loc["2019-12-31", "fact_id"] != fact_id
    assert fresh_ranking_matches_cache(con)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "lots"}, "not a number"),
        ({"metric": "happiness"}, "unknown metric"),
        ({"period_end": "2019-13-01"}, "invalid period"),
        ({"period_start": "2020-01-01"}, "starts after it ends"),
        ({"company": "Nobody Inc"}, "unknown company"),
        ({"colour": "red"}, "cannot edit colour"),
        ({"unit": "currency"}, "counted in units, not money"),
        ({"metric": "revenue"}, "needs an ISO currency"),
        ({"value": 32.6e6}, "nothing to change"),
    ],
)
def test_invalid_edits_are_refused_with_a_clear_message(con, changes, message):
    fact_id = shipments_fact(con)
    before = con.execute("select count(*) from fact_edits").fetchone()[0]
    with pytest.raises(EditError, match=message):
        edit_fact(con, fact_id, changes, user="ana")
    assert con.execute("select count(*) from fact_edits").fetchone()[0] == before
    assert current_value(con)[1] == "confirmed"


def test_an_editor_name_and_an_existing_fact_are_required(con):
    with pytest.raises(EditError, match="editor name"):
        confirm_fact(con, shipments_fact(con), user="")
    with pytest.raises(EditError, match="no fact"):
        reject_fact(con, 10**9, user="ana")


def test_reject_removes_from_the_series_and_undo_restores(con):
    fact_id = shipments_fact(con)
    reject_fact(con, fact_id, user="bo")
    frame = current_series(con, "smartphone_shipments", ["Xiaomi"], "", "company", "quarter")
    assert fact_id not in set(frame["fact_id"])
    undone = undo_last_edit(con, user="bo")
    assert undone.action == "undo" and undone.after["status"] == "confirmed"
    assert current_value(con) == (pytest.approx(32.6e6), "confirmed")
    actions = [e["action"] for e in list_edits(con, fact_id)]
    assert actions == ["reject", "undo"]
    with pytest.raises(EditError, match="no change left"):
        undo_last_edit(con, user="bo")
    assert fresh_ranking_matches_cache(con)


def test_undo_goes_back_one_change_at_a_time(con):
    fact_id = shipments_fact(con)
    edit_fact(con, fact_id, {"value": 40e6}, user="ana")
    edit_fact(con, fact_id, {"value": 41e6}, user="ana")
    undo_last_edit(con, user="ana")
    assert current_value(con) == (40e6, "edited")
    undo_last_edit(con, user="ana")
    assert current_value(con) == (pytest.approx(32.6e6), "confirmed")


def test_undo_refuses_to_discard_someone_elses_later_change(con):
    fact_id = shipments_fact(con)
    edit_fact(con, fact_id, {"value": 40e6}, user="ana")
    edit_fact(con, fact_id, {"value": 42e6}, user="bo")
    with pytest.raises(EditError, match="changed later by bo"):
        undo_last_edit(con, user="ana")


def test_confirm_clears_unverified_and_ranks_above_extraction(con):
    fact_id = con.execute("select min(id) from facts where unverified").fetchone()[0]
    result = confirm_fact(con, fact_id, user="ana")
    assert result.before["unverified"] is True and result.after["unverified"] is False
    assert json.loads(con.execute("select after from fact_edits").fetchone()[0])["unverified"] is False


def test_concurrent_edits_of_one_fact_are_retried_not_lost(con):
    """Eight threads, each with its own cursor, edit the same row: conflicts are retried until all land."""
    fact_id = shipments_fact(con)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            edit_fact(con, fact_id, {"value": 50e6 + n}, user=f"user{n}")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert con.execute("select count(*) from fact_edits where fact_id = $id", {"id": fact_id}).fetchone()[0] == 8
    final = con.execute("select value from facts where id = $id", {"id": fact_id}).fetchone()[0]
    last_after = json.loads(
        con.execute(
            "select after from fact_edits where fact_id = $id order by id desc limit 1", {"id": fact_id}
        ).fetchone()[0]
    )
    assert final == last_after["value"]
    assert fresh_ranking_matches_cache(con)


def test_a_write_conflict_with_another_writer_is_retried(con):
    """A transaction outside this process's write lock holds the row; the edit retries until it commits."""
    fact_id = shipments_fact(con)
    other = con.cursor()
    other.execute("begin transaction")
    other.execute("update facts set updated_by = 'other' where id = $id", {"id": fact_id})
    timer = threading.Timer(0.3, lambda: other.execute("commit"))
    timer.start()
    try:
        result = edit_fact(con, fact_id, {"value": 45e6}, user="ana")
    finally:
        timer.join()
    assert result.after["value"] == 45e6
    assert current_value(con) == (45e6, "edited")


def test_with_retry_gives_up_on_other_errors():
    calls = []

    def fail():
        calls.append(1)
        raise duckdb.TransactionException("TransactionContext Error: something else")

    with pytest.raises(duckdb.TransactionException):
        with_retry(fail)
    assert len(calls) == 1
