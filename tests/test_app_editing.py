"""The editor pages with AppTest on a private copy of the database: what they write, and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries.connection import connect

APP = str(Path(__file__).resolve().parents[1] / "app.py")
RELEASE = """Xiaomi posts record results <script>alert('x')</script>

BEIJING, March 22, 2023 -- Xiaomi Corporation today announced its results. Total revenue for the fourth quarter
was RMB 66.0 billion. Smartphone shipments reached 33.2 million units in the fourth quarter.
"""


@pytest.fixture
def at(db_copy, monkeypatch) -> AppTest:
    monkeypatch.setenv("METRICS_DB", db_copy)
    monkeypatch.setenv("METRICS_USER", "tester")
    monkeypatch.delenv("METRICS_ROLE_DEFAULT", raising=False)
    return AppTest.from_file(APP, default_timeout=60).run()


@pytest.fixture
def con(at, db_copy):
    """Opened after the app (same configuration, so DuckDB shares the instance with the app's connection)."""
    connection = connect(db_copy)
    yield connection
    connection.close()


def _open(at: AppTest, page: str, **params) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    return at.switch_page(page).run()


def _fact(con, fact_id: int) -> dict:
    row = con.execute("select value, status, updated_by from facts where id = $id", {"id": fact_id}).fetchone()
    return dict(zip(("value", "status", "updated_by"), row, strict=True))


def _edits(con, fact_id: int) -> list[tuple]:
    return con.execute(
        "select action, editor, before, after from fact_edits where fact_id = $id order by id", {"id": fact_id}
    ).fetchall()


def _edit_table(at: AppTest, rows: dict) -> AppTest:
    at.session_state["review_editor"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.button(key="review_apply").click().run()


def test_review_edit_is_written_with_its_audit_row_and_undone(at, con):
    _open(at, "pages/review.py")
    assert not at.exception and at.title[0].value == "Review"
    queue = at.data_editor(key="review_editor").value
    assert len(queue) > 0 and set(queue["reason"]) == {"low confidence"}
    fact_id, old = int(queue["fact_id"][0]), float(queue["value"][0])

    _edit_table(at, {0: {"value": old + 1e6}})
    assert not at.exception
    assert any(f"Fact {fact_id}: edit saved" in s.value for s in at.success)
    assert _fact(con, fact_id) == {"value": old + 1e6, "status": "edited", "updated_by": "tester"}
    (action, editor, before, after), *_ = _edits(con, fact_id)
    assert (action, editor) == ("edit", "tester")
    assert json.loads(before)["value"] == old and json.loads(after)["value"] == old + 1e6
    audit = next(t.value for t in at.dataframe if "change" in t.value.columns)
    assert audit["fact_id"].iloc[0] == fact_id and "→" in audit["change"].iloc[0]

    at.button(key="review_undo").click().run()
    assert any("Undid your last change" in s.value for s in at.success)
    assert _fact(con, fact_id)["value"] == old
    assert [a for a, *_ in _edits(con, fact_id)] == ["edit", "undo"]


def test_review_reject_and_confirm_from_the_decision_column(at, con):
    _open(at, "pages/review.py")
    queue = at.data_editor(key="review_editor").value
    first, second = int(queue["fact_id"][0]), int(queue["fact_id"][1])
    _edit_table(at, {0: {"decision": "reject"}, 1: {"decision": "confirm"}})
    assert not at.exception
    assert _fact(con, first)["status"] == "rejected" and _fact(con, second)["status"] == "confirmed"
    remaining = at.data_editor(key="review_editor").value["fact_id"].tolist()
    assert first not in remaining and second not in remaining


def test_review_filters_unverified_and_conflicts(at):
    _open(at, "pages/review.py", show="conflicts", metric="market_share_pct")
    assert not at.exception
    conflicts = at.data_editor(key="review_editor").value
    assert len(conflicts) > 0 and conflicts["reason"].str.startswith("conflict").all()
    assert set(conflicts["metric"]) == {"market_share_pct"}
    at.radio(key="review_kind").set_value("unverified").run()
    assert not at.exception
    if at.data_editor:
        assert set(at.data_editor(key="review_editor").value["reason"]) == {"unverified"}


def test_ingest_paste_detects_company_and_date_and_saves(at, con):
    _open(at, "pages/ingest.py")
    at.text_area(key="ingest_paste").input(RELEASE).run()
    assert not at.exception
    company = next(s for s in at.selectbox if s.key.startswith("ingest_company_"))
    assert company.value == "Xiaomi" and at.date_input[0].value == dt.date(2023, 3, 22)
    preview = at.dataframe[0].value
    assert {("revenue", "Q4 2022", "RMB 66.0 bn"), ("smartphone_shipments", "Q4 2022", "33.2 M units")} <= set(
        zip(preview["metric"], preview["period"], preview["value"], strict=True)
    )
    assert preview["confidence"].between(0, 1).all()

    at.date_input[0].set_value(dt.date(2024, 3, 20)).run()  # a corrected date moves the periods with it
    assert set(at.dataframe[0].value["period"]) == {"Q4 2023"}
    at.button(key="ingest_save").click().run()
    assert not at.exception
    assert any("pasted.txt: stored, 2 facts" in s.value for s in at.success)
    stored = con.execute(
        "select d.company, d.published, count(*) from documents d join facts f on f.document_id = d.id "
        "where d.title like 'Xiaomi posts record results%' group by all"
    ).fetchall()
    assert stored == [("Xiaomi", dt.date(2024, 3, 20), 2)]


def test_ingest_several_files_rejects_the_unreadable_one(at, con):
    _open(at, "pages/ingest.py")
    good = b"Apple Inc. said revenue for the quarter ended December 30, 2023 was $119.6 billion."
    at.file_uploader(key="ingest_files").set_value(
        [("apple.txt", good, "text/plain"), ("broken.pdf", b"%PDF-1.4 not really", "application/pdf")]
    ).run()
    assert not at.exception
    assert any(e.value.startswith("Rejected broken.pdf") for e in at.error)
    at.button(key="ingest_save").click().run()
    assert any(s.value.startswith("apple.txt: stored") for s in at.success)
    assert con.execute("select count(*) from documents where source = 'apple.txt'").fetchone()[0] == 1


def test_a_release_with_a_script_tag_shows_as_text(at):
    _open(at, "pages/ingest.py")
    at.text_area(key="ingest_paste").input(RELEASE).run()
    at.button(key="ingest_save").click().run()
    link = next(p for p in at.get("page_link") if p.proto.query_string.startswith("doc="))
    doc_id = link.proto.query_string.removeprefix("doc=")
    _open(at, "pages/releases.py", doc=doc_id)
    assert not at.exception
    html = "".join(el.proto.body for el in at.get("html"))
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "<script>" not in html
    assert html.count('<mark class="fact"') == 2
