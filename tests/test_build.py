"""Building the database from data/: counts, sources, periods, rebuild and lock behaviour."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from queries.build import build_database, ensure_database
from queries.connection import DatabaseInUseError, connect
from queries.schema import LATEST_VERSION

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def _csv_rows(name: str) -> int:
    with open(DATA / name, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_counts_equal_the_csv_files(built_db):
    con = connect(built_db)
    curated = con.execute("select count(*) from facts where origin = 'curated'").fetchone()[0]
    assert curated == _csv_rows("kpi_facts.csv")  # the bundled file has no invalid rows
    assert con.execute("select count(*) from companies").fetchone()[0] == _csv_rows("companies.csv")
    assert con.execute("select count(*) from fx_rates").fetchone()[0] == _csv_rows("fx_rates.csv")
    assert con.execute("select max(version) from schema_version").fetchone()[0] == LATEST_VERSION


def test_every_fact_has_a_source_and_a_valid_period(built_db):
    con = connect(built_db)
    no_source = con.execute(
        "select count(*) from facts where coalesce(source_url, '') = '' and document_id is null"
    ).fetchone()[0]
    assert no_source == 0
    assert con.execute("select count(*) from facts where period_start > period_end").fetchone()[0] == 0
    assert (
        con.execute(
            "select count(*) from facts where period_kind = 'instant' and period_start <> period_end"
        ).fetchone()[0]
        == 0
    )


def test_no_duplicate_current_value_per_key_and_source(built_db):
    con = connect(built_db)
    dupes = con.execute(
        """
        select count(*) from (
            select company, metric, segment, period_start, period_end, source, count(*) as n
            from series_by_source group by all having n > 1
        )
        """
    ).fetchone()[0]
    assert dupes == 0


def test_trackers_and_unverified_rows_stay_visible(built_db):
    con = connect(built_db)
    by_source = dict(
        con.execute("select coalesce(attributed_to, 'company'), count(*) from facts group by 1").fetchall()
    )
    assert by_source["IDC"] > 100 and by_source["Canalys"] > 100 and by_source["company"] > 300
    unverified = con.execute("select count(*) from facts where unverified").fetchone()[0]
    with open(DATA / "kpi_facts.csv", newline="", encoding="utf-8") as fh:
        flagged = sum(
            1
            for row in csv.DictReader(fh)
            if "unverif" in row["source_note"].lower() or "conflict" in row["source_note"].lower()
        )
    assert unverified == flagged > 0


def test_segment_global_is_the_whole_company(built_db):
    con = connect(built_db)
    value = con.execute(
        """
        select value from series_by_source
        where company = 'Xiaomi' and metric = 'smartphone_shipments' and segment = ''
          and period_end = date '2019-12-31' and period_start = date '2019-10-01' and attributed_to is null
        """
    ).fetchone()[0]
    assert value == pytest.approx(32.6e6)


def test_invalid_rows_are_reported_with_line_numbers_and_skipped(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("*.duckdb*", "releases"))
    with open(data / "kpi_facts.csv", "a", encoding="utf-8") as fh:
        fh.write("Xiaomi,revenue,,2020-13-01,2020-12-31,duration,5,CNY,CNY,https://x,bad month\n")
        fh.write("Xiaomi,revenue,,2020-01-01,2020-12-31,duration,1,2,3,CNY,CNY,https://x,bad number\n")
        fh.write("Xiaomi,not_a_metric,,2020-01-01,2020-12-31,duration,5,CNY,CNY,https://x,bad metric\n")
    report = build_database(str(tmp_path / "m.duckdb"), data_dir=data)
    total = _csv_rows("kpi_facts.csv")
    assert report.curated_facts == total
    assert len(report.rejected) == 3
    assert report.rejected[0].startswith(f"kpi_facts.csv:{total + 2}: invalid period")
    assert "not_a_metric" in report.rejected[2]


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path):
    target = tmp_path / "metrics.duckdb"
    target.write_bytes(b"this is not a database" * 100)
    messages = []
    report = ensure_database(str(target), progress=lambda f, m: messages.append(m))
    assert report is not None and report.curated_facts > 1000
    assert (tmp_path / "metrics.duckdb.corrupt").exists()
    assert any("rebuilding" in m for m in messages)
    assert ensure_database(str(target)) is None  # later starts reuse it


def test_an_older_schema_is_upgraded_in_place_keeping_edits(built_db, tmp_path):
    """A file from before migration 004 keeps its facts and its audit trail; nothing is moved aside."""
    from queries.store import confirm_fact, list_edits

    target = tmp_path / "metrics.duckdb"
    shutil.copy(built_db, target)
    con = connect(str(target))
    fact_id, facts = con.execute("select min(id), count(*) from facts").fetchone()
    confirm_fact(con, fact_id, "analyst@example.com")
    con.execute("alter table fact_edits alter column id drop default")  # the table as 003 left it
    con.execute("delete from schema_version where version = 4")
    con.close()

    assert ensure_database(str(target)) is None  # no rebuild
    assert not (tmp_path / "metrics.duckdb.corrupt").exists()
    con = connect(str(target))
    assert con.execute("select max(version) from schema_version").fetchone()[0] == LATEST_VERSION
    assert con.execute("select count(*) from facts").fetchone()[0] == facts
    confirm_fact(con, fact_id + 1, "editor@example.com")  # needs 004's default
    assert [e["editor"] for e in list_edits(con, fact_id)] == ["analyst@example.com"]
    assert [e["editor"] for e in list_edits(con, fact_id + 1)] == ["editor@example.com"]


def test_locked_file_names_the_holder(built_db, tmp_path):
    target = tmp_path / "locked.duckdb"
    shutil.copy(built_db, target)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(target)!r})
                print("ready", flush=True)
                time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseInUseError) as info:
            connect(str(target))
        assert f"PID {holder.pid}" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    connect(str(target)).close()
