"""Choosing the engine from METRICS_DB, the lake translation of the migrations, lake ids, and the file policy.

The file policy is tested with real processes: a DuckDB file has one writer, so a command-line ingest
while another process holds the file is refused at once with the holder's PID, and writes nothing.
"""

from __future__ import annotations

import doctest
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bench.releases import write_releases
from queries import engine, schema
from queries.connection import DatabaseInUseError, connect

ROOT = Path(__file__).resolve().parents[1]
HOLD_SCRIPT = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
"""


def test_engine_doctests():
    result = doctest.testmod(engine)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize(
    ("dsn", "kind"),
    [
        ("data/metrics.duckdb", "file"),
        ("/srv/kpi/metrics.duckdb", "file"),
        ("ducklake:postgres:host=db dbname=kpi", "ducklake"),
        ("DuckLake:sqlite:/srv/lake.sqlite", "ducklake"),
        ("md:kpi", "motherduck"),
        ("md:kpi?motherduck_token=x", "motherduck"),
    ],
)
def test_engine_kind_from_metrics_db(dsn, kind):
    assert engine.engine_kind(dsn) == kind
    assert engine.is_remote_target(dsn) == (kind != "file")


def test_data_path_is_made_absolute_for_replicas(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("METRICS_DATA_PATH", "lake_files")
    target = engine.parse_target("ducklake:postgres:dbname=kpi password=secret")
    assert target.data_path == str(tmp_path / "lake_files") + os.sep
    assert "secret" not in target.label
    assert engine.parse_target("md:kpi").data_path is None


@pytest.mark.parametrize(("number", "path"), schema.list_migrations(), ids=lambda v: str(v))
def test_every_migration_translates_for_the_lake(number, path):
    sql = engine.translate_for_lake(path.read_text(encoding="utf-8")).lower()
    for refused in ("primary key", "create sequence", "nextval(", "create index"):
        assert refused not in sql, f"migration {number} still has {refused!r} for DuckLake"


def test_translated_migrations_build_the_same_tables(tmp_path):
    """The lake's schema (translated) has the same tables and columns as the file's (checked on plain DuckDB)."""
    plain = duckdb.connect(str(tmp_path / "plain.duckdb"))
    schema.migrate(plain)
    lake_like = duckdb.connect(str(tmp_path / "lake_like.duckdb"))
    lake_like.create_function("lake_next_id", engine.IdClock(1).next_id, [], "BIGINT", side_effects=True)
    lake_like.execute("create table lake_state (next_node bigint not null)")
    lake_like.execute("insert into lake_state values (0)")
    engine.migrate_lake(lake_like)
    columns = "select table_name, column_name, data_type from information_schema.columns where table_name <> 'lake_state' order by all"
    assert plain.execute(columns).fetchall() == lake_like.execute(columns).fetchall()
    assert schema.current_version(lake_like) == schema.LATEST_VERSION


def test_lake_ids_grow_stay_unique_and_fit_javascript():
    now = [1_800_000_000.0]
    a, b = engine.IdClock(1, clock=lambda: now[0]), engine.IdClock(2, clock=lambda: now[0])
    ids = [a.next_id() for _ in range(20_000)] + [b.next_id() for _ in range(100)]
    assert len(set(ids)) == len(ids)
    assert ids[:20_000] == sorted(ids[:20_000])  # the counter overflowed and borrowed the next seconds
    assert max(ids) < 2**53
    now[0] += 60
    assert a.next_id() > max(ids) and b.next_id() > max(ids)  # a later second beats any node


# ---------------------------------------------------------------------------- the file policy, real processes


def hold(path: str, mode: str = "rw", seconds: float = 30) -> subprocess.Popen:
    """Another process holding the database file; returns once it has opened it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_SCRIPT, path, mode, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


def run_cli(db: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "queries", *args],
        cwd=ROOT,
        env={**os.environ, "METRICS_DB": db, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def count_documents(db: str) -> int:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("select count(*) from documents").fetchone()[0]
    finally:
        con.close()


def test_cli_ingest_is_refused_while_a_dashboard_holds_the_file(db_copy, tmp_path):
    before = count_documents(db_copy)
    release = write_releases(tmp_path / "in", 1)[0]
    holder = hold(db_copy)
    try:
        done = run_cli(db_copy, "ingest", str(release))
        assert holder.poll() is None, "the holding process (the dashboard) must keep running"
    finally:
        stop(holder)
    assert done.returncode == 2
    assert f"PID {holder.pid}" in done.stderr and "Traceback" not in done.stderr
    assert count_documents(db_copy) == before


def test_lock_wait_lets_a_short_job_finish_first(db_copy, monkeypatch):
    holder = hold(db_copy, seconds=1.0)
    try:
        with pytest.raises(DatabaseInUseError):
            connect(db_copy)
        monkeypatch.setenv("METRICS_LOCK_WAIT", "20")
        con = connect(db_copy)
        assert con.execute("select count(*) from facts").fetchone()[0] > 0
        con.close()
    finally:
        stop(holder)


def test_read_only_dashboards_share_the_file_and_refuse_writes(db_copy, monkeypatch):
    monkeypatch.setenv("METRICS_DB", db_copy)
    monkeypatch.setenv("METRICS_READ_ONLY", "1")
    other = hold(db_copy, mode="ro")
    try:
        con = connect()
        assert con.execute("select count(*) from facts").fetchone()[0] > 0
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("delete from facts")
        con.close()
    finally:
        stop(other)


def test_killed_ingest_leaves_nothing_half_written(db_copy, tmp_path):
    """kill -9 in the middle of a CLI ingest: every stored document has all its facts, the file opens."""
    paths = write_releases(tmp_path / "in", 60)
    before = count_documents(db_copy)
    proc = subprocess.Popen(
        [sys.executable, "-m", "queries", "ingest", "--workers", "1", *map(str, paths)],
        cwd=ROOT,
        env={**os.environ, "METRICS_DB": db_copy},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3.0)  # inside extraction or the single batch transaction
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    con = duckdb.connect(db_copy)
    try:
        stored = con.execute("select count(*) from documents").fetchone()[0] - before
        orphans = con.execute(
            "select count(*) from documents d where starts_with(d.source, $folder) "
            "and not exists (select 1 from facts f where f.document_id = d.id)",
            {"folder": str(tmp_path / "in")},
        ).fetchone()[0]
    finally:
        con.close()
    assert stored in (0, len(paths)) and orphans == 0
    again = run_cli(db_copy, "ingest", *map(str, paths))  # and the file still takes the ingest afterwards
    assert again.returncode == 0, again.stderr
    assert count_documents(db_copy) == before + len(paths)
