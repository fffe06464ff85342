"""`python -m queries`: output and exit codes (0 ok, 1 files rejected, 2 usage or database error)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import queries.__main__ as cli

ROOT = Path(__file__).resolve().parents[1]
RELEASES = sorted(p for p in (ROOT / "data" / "releases").iterdir() if p.is_file())


def run_cli(*args: str, db: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "METRICS_DB": db}
    return subprocess.run(
        [sys.executable, "-m", "queries", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def assert_one_line_error(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr


def test_facts_prints_the_current_series(db_copy):
    result = run_cli("facts", "--company", "Xiaomi", "--metric", "smartphone_shipments", "--grain", "year", db=db_copy)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["company", "period_start", "period_end", "value"]
    assert any("2020-12-31" in line for line in lines[1:])


def test_conflicts_lists_disagreeing_values(db_copy):
    result = run_cli("conflicts", "--metric", "market_share_pct", db=db_copy)
    assert result.returncode == 0, result.stderr
    assert "value_a" in result.stdout.splitlines()[0] and len(result.stdout.splitlines()) > 5


def test_ingest_exit_codes_and_rejected_files(db_copy, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    for path in RELEASES[:2]:
        shutil.copy(path, good / f"copy_{path.name}")
    (good / f"copy_{RELEASES[0].name}").write_text(RELEASES[0].read_text(encoding="utf-8") + "\nEdited copy.\n")
    result = run_cli("ingest", str(good), "--company", "Xiaomi", db=db_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 documents stored") and "1 already stored" in result.stdout

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    result = run_cli("ingest", str(good), str(bad), str(tmp_path / "missing.txt"), db=db_copy)
    assert result.returncode == 1
    assert "2 already stored, 2 rejected" in result.stdout
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 2 and any("bad.pdf" in line for line in rejected)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((), "required"),
        (("ingest",), "PATH"),
        (("facts", "--metric", "revenue"), "--company"),
        (("ingest", "x.txt", "--published", "2020-13-01"), "not a date"),
        (("facts", "--company", "Xiaomi", "--metric", "revenue", "--grain", "decade"), "invalid choice"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(db_copy, args, text):
    assert_one_line_error(run_cli(*args, db=db_copy), text)


def test_a_database_in_use_gives_the_holders_pid(db_copy):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, time
                con = duckdb.connect({db_copy!r})
                print("ready", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        for args in (
            ("ingest", str(RELEASES[0])),
            ("facts", "--company", "Xiaomi", "--metric", "revenue"),
            ("rebuild",),
        ):
            assert_one_line_error(run_cli(*args, db=db_copy), f"is in use by PID {holder.pid}")
    finally:
        holder.kill()
        holder.wait()


def test_rebuild_replaces_the_file(db_copy):
    con = duckdb.connect(db_copy)
    con.execute("delete from facts where origin = 'curated'")
    con.close()
    result = run_cli("rebuild", db=db_copy)
    assert result.returncode in (0, 1), result.stderr
    assert "curated facts" in result.stdout
    con = duckdb.connect(db_copy, read_only=True)
    assert con.execute("select count(*) from facts where origin = 'curated'").fetchone()[0] > 1000
    con.close()


def test_a_subcommand_can_be_registered(capsys):
    seen = []
    command = cli.Command(
        "export-test",
        "a command added from outside",
        lambda parser: parser.add_argument("--format", default="csv"),
        lambda args: seen.append(args.format) or 0,
    )
    cli.register(command)
    try:
        assert cli.main(["export-test", "--format", "long"]) == 0
    finally:
        del cli.COMMANDS["export-test"]
    assert seen == ["long"]
