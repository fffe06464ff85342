"""Storing releases: one transaction per document, idempotency, re-extraction that keeps human work,
parallel ingest of folders, bad files reported, and a SIGKILL in the middle of a bulk ingest."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest

from metrics import EXTRACTOR_VERSION
from metrics.document import Document, load_document
from metrics.errors import InputError
from metrics.extract import extract_facts
from metrics.facts import Fact
from queries import schema
from queries.analytics import list_events
from queries.build import DATA_DIR, load_companies_table, load_fx_rates
from queries.ingest import ingest_document, ingest_paths
from queries.store import confirm_fact, edit_fact, reject_fact

ROOT = Path(__file__).resolve().parents[1]
RELEASES = sorted(p for p in (ROOT / "data" / "releases").iterdir() if p.is_file())
DECIMAL = re.compile(r"(?<=\d\.)(\d)")


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "ingest.duckdb"))
    _prepare(connection)
    yield connection
    connection.close()


def _prepare(connection) -> None:
    schema.migrate(connection)
    load_companies_table(connection, DATA_DIR)
    load_fx_rates(connection, DATA_DIR)


def make_document(text: str, name: str = "note.txt") -> Document:
    return Document(
        text, "A note", date(2021, 3, 30), name, "text/plain", "utf-8", hashlib.sha256(text.encode()).hexdigest()
    )


def make_fact(text: str, needle: str, metric: str, value: float, **extra) -> Fact:
    start = text.index(needle)
    fields = dict(
        company="Xiaomi", metric=metric, segment="", period_start=date(2020, 1, 1), period_end=date(2020, 12, 31),
        period_kind="duration", value=value, unit="units", currency=None, qualifier=None, attributed_to=None,
        comparative=False, confidence=0.8, span=(start, start + len(needle)), evidence=text, change_pct=None,
        rule="test",
    )  # fmt: skip
    fields.update(extra)
    return Fact(**fields)


def vary(text: str, n: int) -> str:
    """A different release with the same shape: decimals shifted by n, and a reference line."""
    return DECIMAL.sub(lambda m: str((int(m.group(1)) + n) % 10), text) + f"\n\nReference: copy {n}\n"


def counts(con) -> tuple[int, int]:
    return (
        con.execute("select count(*) from documents").fetchone()[0],
        con.execute("select count(*) from facts").fetchone()[0],
    )


def fact_keys(con) -> set[tuple]:
    return set(
        con.execute(
            "select document_id, company, metric, segment, period_start, period_end, attributed_to, value, span_start "
            "from facts"
        ).fetchall()
    )


# ---------------------------------------------------------------------------- one document


def test_store_document_with_given_facts_and_again_changes_nothing(con):
    text = "Xiaomi shipped 146.4 million smartphones in 2020, up 17.5% year-over-year."
    doc = make_document(text)
    fact = make_fact(text, "146.4 million", "smartphone_shipments", 146.4e6, change_pct=17.5)
    first = ingest_document(con, doc, [fact], user="ana")
    assert (first.status, first.documents, first.facts) == ("stored", 1, 1)
    row = con.execute(
        "select change_pct, confidence, span_start, span_end, evidence, extractor_version, origin, status, rule, "
        "document_id from facts"
    ).fetchone()
    assert row == (17.5, 0.8, 15, 28, text, EXTRACTOR_VERSION, "extracted", "extracted", "test", doc.sha256)
    assert con.execute("select company, published, ingested_by from documents").fetchone() == (
        "Xiaomi",
        date(2021, 3, 30),
        "ana",
    )
    before = counts(con)
    again = ingest_document(con, doc, [fact])
    assert again.status == "already stored" and counts(con) == before
    current = con.execute("select value from series_by_source where metric = 'smartphone_shipments'").fetchall()
    assert current == [(146.4e6,)]


def test_an_investment_commitment_marks_an_event(con):
    text = "Xiaomi will invest US$10 billion in electric vehicles over ten years."
    fact = make_fact(
        text, "US$10 billion", "investment_commitment", 10e9, unit="currency", currency="USD",
        period_start=date(2021, 3, 30), period_end=date(2021, 3, 30), period_kind="instant",
    )  # fmt: skip
    ingest_document(con, make_document(text), [fact])
    events = list_events(con)
    assert events["commitment_value"].tolist() == [10e9] and events["published"].iloc[0].date() == date(2021, 3, 30)
    plain = "Xiaomi shipped 146.4 million smartphones in 2020."
    ingest_document(con, make_document(plain), [], is_event=True)
    assert len(list_events(con)) == 2


def test_a_document_without_text_is_refused(con):
    with pytest.raises(InputError, match="no text"):
        ingest_document(con, make_document("  \n"), [])
    assert counts(con) == (0, 0)


def test_reextraction_with_a_newer_extractor_keeps_human_work(con):
    path = next(p for p in RELEASES if p.name.startswith("007_"))
    doc = load_document(path)
    ingest_document(con, doc)
    facts = con.execute("select id, metric from facts order by span_start, id").fetchall()
    assert len(facts) >= 4
    (edited, _), (rejected, _), (confirmed, _) = facts[0], facts[1], facts[2]
    edit_fact(con, edited, {"value": 1.0, "qualifier": "approx"}, user="ana")
    reject_fact(con, rejected, user="ana")
    confirm_fact(con, confirmed, user="ana")
    human = con.execute("select * from facts where status <> 'extracted' order by id").fetchall()
    con.execute("update documents set extractor_version = '0.0.1'")
    con.execute("update facts set extractor_version = '0.0.1' where status = 'extracted'")
    old_extracted = {i for (i,) in con.execute("select id from facts where status = 'extracted'").fetchall()}

    result = ingest_document(con, doc)

    assert result.status == "re-extracted"
    assert con.execute("select * from facts where status <> 'extracted' order by id").fetchall() == human
    new_extracted = {i for (i,) in con.execute("select id from facts where status = 'extracted'").fetchall()}
    assert new_extracted.isdisjoint(old_extracted) and len(new_extracted) == len(old_extracted)
    versions = con.execute("select distinct extractor_version from facts where status = 'extracted'").fetchall()
    assert versions == [(EXTRACTOR_VERSION,)]
    keys = con.execute(
        "select company, metric, segment, period_start, period_end, attributed_to, count(*) from facts group by all"
    ).fetchall()
    assert all(n == 1 for *_, n in keys)  # nothing a person handled came back a second time
    assert con.execute("select extractor_version from documents").fetchone()[0] == EXTRACTOR_VERSION


# ---------------------------------------------------------------------------- many files


def test_ingest_paths_in_parallel_equals_sequential_and_reports_bad_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in RELEASES[:20]:
        shutil.copy(path, folder / path.name)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02\x03 binary junk \xff\xfe" * 10)
    results = {}
    for workers in (1, 2):
        con = duckdb.connect(str(tmp_path / f"w{workers}.duckdb"))
        _prepare(con)
        seen = []
        result = ingest_paths(
            con, [folder, tmp_path / "missing.txt"], workers=workers, progress=lambda f, m, seen=seen: seen.append(f)
        )
        results[workers] = (result, fact_keys(con))
        assert seen[-1] == 1.0 and seen == sorted(seen)
        con.close()
    (one, keys_one), (two, keys_two) = results[1], results[2]
    assert keys_one == keys_two and len(keys_one) == one.facts == two.facts > 50
    assert one.documents == two.documents == 20
    assert sorted(Path(p).name for p, _ in two.rejected) == ["broken.txt", "missing.txt"]


def test_ingest_paths_twice_adds_nothing(con, tmp_path):
    first = ingest_paths(con, RELEASES[:6])
    before = counts(con)
    second = ingest_paths(con, RELEASES[:6])
    assert first.documents == 6 and second.documents == 0 and second.skipped == 6
    assert counts(con) == before


KILL_SCRIPT = """
import sys, duckdb
import queries.ingest as ingest
ingest.BATCH_DOCUMENTS = 4
con = duckdb.connect(sys.argv[1])
def report(fraction, message):
    print(f"{fraction:.3f}", flush=True)
ingest.ingest_paths(con, [sys.argv[2]], progress=report, workers=2)
print("done", flush=True)
"""


def test_sigkill_during_bulk_ingest_leaves_only_whole_documents(tmp_path):
    folder = tmp_path / "releases"
    folder.mkdir()
    sources = [p for p in RELEASES if p.suffix in (".txt", ".md")]
    for n in range(64):
        source = sources[n % len(sources)]
        (folder / f"{n:04d}_{source.name}").write_text(vary(source.read_text(encoding="utf-8"), n), encoding="utf-8")
    db = tmp_path / "killed.duckdb"
    con = duckdb.connect(str(db))
    _prepare(con)
    con.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILL_SCRIPT), str(db), str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the kill takes the extraction workers too
    )
    try:
        for line in proc.stdout:
            if line.strip() == "done" or float(line) >= 0.5:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole ingest, as a power cut or the OOM killer would
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    con = duckdb.connect(str(db))  # opens: the WAL is replayed or discarded, never half-applied
    stored = dict(
        con.execute(
            "select d.id, count(f.id) from documents d left join facts f on f.document_id = d.id group by d.id"
        ).fetchall()
    )
    documents = {doc.sha256: doc for doc in map(load_document, folder.iterdir())}
    expected = {doc_id: len(extract_facts(documents[doc_id])) for doc_id in stored}
    orphans = con.execute("select count(*) from facts where document_id not in (select id from documents)").fetchone()[
        0
    ]
    assert 0 < len(stored) < len(documents)  # killed in the middle
    assert {doc_id: expected[doc_id] for doc_id in stored} == stored
    assert orphans == 0
    cached = con.execute("select id from series_cache order by id").fetchall()
    con.execute(
        "insert into series_refresh_keys select distinct company, metric, segment, period_start, period_end from facts"
    )
    assert cached == con.execute("select id from series_ranked order by id").fetchall()
    con.close()
