"""CSV import (queries/importer.py) and the export/import command line (queries/csv_cli.py).

Real databases only: the session build from data/, private copies, and fresh databases made from the
schema (with or without the company registry and FX rates).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_export import INJECTION_TEXTS, TRICKY_EVIDENCE, TRICKY_FACTS, insert_facts, parse

from queries import schema
from queries.build import load_companies_table, load_fx_rates
from queries.csv_cli import main
from queries.export import TRACE_COLUMNS, ExportFilters, export_bytes
from queries.importer import import_csv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
HEADER = "company,metric,segment,period_start,period_end,period_kind,value,unit,currency,qualifier,attributed_to,comparative,status,confidence,evidence"  # fmt: skip
GOOD_ROW = "Xiaomi,revenue,,2030-01-01,2030-03-31,duration,100000000000,currency,CNY,,,false,confirmed,1,good row"


def fresh_database(path: Path, registry: bool = True) -> str:
    """A database with the schema and no facts; with the registry: companies and fx_rates from data/."""
    con = duckdb.connect(str(path))
    schema.migrate(con)
    if registry:
        load_companies_table(con, DATA)
        load_fx_rates(con, DATA)
    con.close()
    return str(path)


def count_facts(path: str) -> int:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute("select count(*) from facts").fetchone()[0]
    finally:
        con.close()


def export_file(path: str, filters: ExportFilters | None = None) -> bytes:
    con = duckdb.connect(path, read_only=True)
    try:
        return export_bytes(con, filters or ExportFilters())
    finally:
        con.close()


def import_file(db: str, csv_path: Path, **options):
    con = duckdb.connect(db)
    try:
        return import_csv(con, csv_path, **options)
    finally:
        con.close()


def write(tmp_path: Path, text: str, name: str = "facts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def drop_columns(data: bytes, columns: tuple[str, ...]) -> list[list[str]]:
    rows = parse(data)
    keep = [i for i, name in enumerate(rows[0]) if name not in columns]
    return [[row[i] for i in keep] for row in rows]


# --- round trip -------------------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_bytes(built_db, tmp_path):
    exported = tmp_path / "export.csv"
    exported.write_bytes(export_file(built_db))
    fresh = fresh_database(tmp_path / "fresh.duckdb")
    report = import_file(fresh, exported)
    assert report.ok and report.written and report.warnings == []
    assert report.inserted == len(parse(exported.read_bytes())) - 1
    for filters in (
        ExportFilters(trace=False),
        ExportFilters(currency="USD", trace=False),
        ExportFilters(shape="wide"),
    ):
        assert export_file(fresh, filters) == export_file(built_db, filters), filters
    # with provenance: the same except what belongs to the database (ids) or to documents (not in a CSV)
    local = ("fact_id", "document_title", "document_published")
    assert drop_columns(export_file(fresh), local) == drop_columns(exported.read_bytes(), local)


def test_tricky_text_round_trips_into_an_empty_database(tricky_db, tmp_path):
    exported = tmp_path / "tricky.csv"
    exported.write_bytes(export_file(tricky_db, ExportFilters(bom=True)))
    fresh = fresh_database(tmp_path / "fresh.duckdb", registry=False)
    report = import_file(fresh, exported)
    assert report.ok and report.inserted == len(parse(exported.read_bytes())) - 1
    created = {message.split("'")[1] for _, message in report.warnings if "unknown company" in message}
    assert {"Xiaomi", "小米 Test"} <= created  # an empty registry: every company is added, with a warning
    con = duckdb.connect(fresh, read_only=True)
    stored = set(con.execute("select company from facts").fetchall()) | set(
        con.execute("select segment from facts").fetchall()
    )
    evidence = {e for (e,) in con.execute("select evidence from facts").fetchall()}
    con.close()
    assert {(INJECTION_TEXTS[0],), (INJECTION_TEXTS[1],), (INJECTION_TEXTS[3],), ("'apostrophe",)} <= stored
    assert TRICKY_EVIDENCE in evidence and INJECTION_TEXTS[2] in evidence
    assert export_file(fresh, ExportFilters(trace=False)) == export_file(tricky_db, ExportFilters(trace=False))


@pytest.fixture
def tricky_db(db_copy) -> str:
    insert_facts(db_copy, TRICKY_FACTS)
    return db_copy


def test_importing_twice_adds_nothing(db_copy, tmp_path):
    exported = tmp_path / "export.csv"
    exported.write_bytes(export_file(db_copy))
    before = count_facts(db_copy)
    report = import_file(db_copy, exported)
    assert report.inserted == 0 and report.skipped_duplicates == len(parse(exported.read_bytes())) - 1
    assert count_facts(db_copy) == before
    fresh = fresh_database(tmp_path / "fresh.duckdb")
    assert import_file(fresh, exported).inserted > 1000
    assert import_file(fresh, exported).inserted == 0


def test_reference_file_imports_like_the_build(built_db, tmp_path):
    fresh = fresh_database(tmp_path / "fresh.duckdb")
    report = import_file(fresh, DATA / "kpi_facts.csv")
    with open(DATA / "kpi_facts.csv", newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    assert report.ok and report.inserted + report.skipped_duplicates == rows
    # a row repeating the key, source, currency and value of an earlier one is a duplicate, even when its
    # note differs (the build keeps both, so compare distinct values)
    query = """
        select company, metric, segment, period_start, period_end, coalesce(attributed_to, '-'), value,
               coalesce(currency, '-'), status
        from facts {where} group by all order by all
    """
    built = duckdb.connect(built_db, read_only=True)
    want = built.execute(query.format(where="where origin = 'curated'")).fetchall()
    got = duckdb.connect(fresh, read_only=True).execute(query.format(where="")).fetchall()
    assert got == want
    curated = built.execute("select count(*) from facts where origin = 'curated'").fetchone()[0]
    assert report.skipped_duplicates == curated - len(want)


def test_rows_keep_status_confidence_and_the_company_as_source(db_copy, tmp_path):
    text = "\r\n".join(
        [
            HEADER + ",span_start,span_end",
            "Xiaomi,market_share_pct,,2030-01-01,2030-03-31,duration,14.5,percent,,approx,,false,extracted,0.42,"
            '"Xiaomi said its share was 14.5%, IDC said 13%",12,17',
        ]
    )
    report = import_file(db_copy, write(tmp_path, text), user="analyst")
    assert report.ok and report.inserted == 1
    con = duckdb.connect(db_copy, read_only=True)
    row = con.execute(
        "select status, confidence, attributed_to, qualifier, span_start, span_end, updated_by, origin "
        "from facts where metric = 'market_share_pct' and period_start = date '2030-01-01'"
    ).fetchone()
    in_series = con.execute("select count(*) from series_by_source where period_start = date '2030-01-01'").fetchone()
    con.close()
    assert row == ("extracted", 0.42, None, "approx", 12, 17, "analyst", "curated")
    assert in_series == (1,)  # the current series was re-ranked in the same transaction


# --- invalid files ----------------------------------------------------------------------------------------

BAD_ROWS = [
    GOOD_ROW,  # line 2
    'Xiaomi,revenue,,2030-04-01,2030-06-30,duration,5,currency,CNY,,,false,confirmed,1,"two\nlines"',  # 3-4
    "Xiaomi,not_a_metric,,2030-01-01,2030-03-31,duration,5,units,,,,false,confirmed,1,x",  # 5
    "Xiaomi,revenue,,2030-02-30,2030-03-31,duration,5,currency,CNY,,,false,confirmed,1,x",  # 6
    'Xiaomi,revenue,,2030-01-01,2030-03-31,duration,"1,234",currency,CNY,,,false,confirmed,1,x',  # 7
    "Xiaomi,revenue,,2030-01-01,2030-03-31,duration,5,currency,,,,false,confirmed,1,x",  # 8
    "Xiaomi,revenue,,2030-01-01,2030-03-31,duration,5,currency,CNY,,,false,approved,1,x",  # 9
    "Xiaomi,revenue,,2030-01-01,2030-03-31,duration,5,currency,CNY,,,false,confirmed,1.5,x",  # 10
    "Xiaomi,revenue,,2030-01-01,2030-03-31,duration,5,currency,CNY",  # 11
]
EXPECTED_ERRORS = [
    (5, "unknown metric 'not_a_metric'"),
    (6, "invalid period"),
    (7, "value is not a number"),
    (8, "money needs an ISO currency"),
    (9, "unknown status 'approved'"),
    (10, "confidence must be between 0 and 1"),
    (11, "expected 15 fields, found 9"),
]


def _check_errors(report) -> None:
    assert [line for line, _ in report.errors] == [line for line, _ in EXPECTED_ERRORS]
    for (_, message), (_, expected) in zip(report.errors, EXPECTED_ERRORS, strict=True):
        assert expected in message


def test_invalid_rows_are_reported_with_line_numbers_and_nothing_is_written(db_copy, tmp_path):
    before = count_facts(db_copy)
    report = import_file(db_copy, write(tmp_path, "\r\n".join([HEADER, *BAD_ROWS]) + "\r\n"))
    _check_errors(report)
    assert not report.written and report.inserted == 0 and report.skipped_invalid == len(EXPECTED_ERRORS)
    assert "nothing written" in report.summary()
    assert count_facts(db_copy) == before


def test_skip_invalid_writes_the_valid_rows(db_copy, tmp_path):
    before = count_facts(db_copy)
    report = import_file(db_copy, write(tmp_path, "\r\n".join([HEADER, *BAD_ROWS])), skip_invalid=True)
    _check_errors(report)
    assert report.written and report.inserted == 2 and report.skipped_invalid == len(EXPECTED_ERRORS)
    assert count_facts(db_copy) == before + 2


@pytest.mark.parametrize(
    "header, message",
    [
        ("company,metric,value", "missing columns: period_start, period_end, period_kind, unit"),
        (HEADER + ",reported_value,reported_currency,rate,rate_kind,rate_period", "converted to another currency"),
        ("company,metric,segment,attributed_to,frequency,unit,currency,2020-12-31", "wide shape"),
    ],
)
def test_files_of_another_shape_are_refused(db_copy, tmp_path, header, message):
    report = import_file(db_copy, write(tmp_path, header + "\r\n" + GOOD_ROW + "\r\n"))
    assert report.errors[0][0] == 1 and message in report.errors[0][1] and not report.written


def test_a_file_that_is_not_utf8_is_refused_even_with_skip_invalid(db_copy, tmp_path):
    path = tmp_path / "latin1.csv"
    rows = [HEADER, GOOD_ROW, GOOD_ROW.replace("good row", "Société").replace("2030-01", "2031-01")]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("latin-1"))
    report = import_file(db_copy, path, skip_invalid=True)
    assert not report.written and report.inserted == 0 and "UTF-8" in report.errors[0][1]


def test_unknown_columns_are_ignored_with_a_warning(db_copy, tmp_path):
    report = import_file(db_copy, write(tmp_path, HEADER + ",notes\r\n" + GOOD_ROW + ",hello\r\n"))
    assert report.inserted == 1 and report.warnings == [(1, "columns ignored: notes")]


# --- command line -----------------------------------------------------------------------------------------


def run_cli(argv: list[str], db: str) -> subprocess.CompletedProcess:
    """The way a user runs it: a new interpreter (no traceback may reach stderr)."""
    code = "import sys; from queries.csv_cli import main; sys.exit(main(sys.argv[1:]))"
    env = {"METRICS_DB": db, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, env=env, cwd=ROOT, timeout=120)


def test_cli_export_to_stdout_equals_export_bytes(built_db):
    argv = ["export", "--company", "Xiaomi", "--metric", "revenue", "--currency", "USD", "--bom"]
    done = run_cli(argv, built_db)
    assert done.returncode == 0 and done.stderr == b""
    filters = ExportFilters(companies=("Xiaomi",), metrics=("revenue",), currency="USD", bom=True)
    assert done.stdout == export_file(built_db, filters)


def test_cli_export_to_file_and_import(built_db, tmp_path, monkeypatch, capsys):
    out = tmp_path / "x.csv"
    monkeypatch.setenv("METRICS_DB", built_db)
    assert main(["export", "--no-trace", "--frequency", "year", "--out", str(out)]) == 0
    assert out.read_bytes() == export_file(built_db, ExportFilters(trace=False, frequency="year"))
    assert "rows written" in capsys.readouterr().err
    fresh = fresh_database(tmp_path / "fresh.duckdb")
    monkeypatch.setenv("METRICS_DB", fresh)
    assert main(["import", str(out), "--user", "tester"]) == 0
    assert "facts added" in capsys.readouterr().err
    assert export_file(fresh, ExportFilters(trace=False)) == out.read_bytes()


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["export", "--from", "2020-13-01"], "not a date"),
        (["export", "--frequency", "weekly"], "invalid choice"),
        (["export", "--from", "2021-01-01", "--to", "2020-01-01"], "after"),
        (["export", "--bogus"], "unrecognized arguments"),
        (["import", "/nonexistent/facts.csv"], "no such file"),
        ([], "usage"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(db_copy, argv, fragment):
    done = run_cli(argv, db_copy)
    assert done.returncode == 2
    assert fragment in done.stderr.decode() and done.stderr.decode().count("\n") == 1
    assert b"Traceback" not in done.stderr and done.stdout == b""


def test_cli_import_invalid_rows_exit_1(db_copy, tmp_path):
    path = write(tmp_path, "\r\n".join([HEADER, *BAD_ROWS]))
    before = count_facts(db_copy)
    done = run_cli(["import", str(path)], db_copy)
    err = done.stderr.decode()
    assert done.returncode == 1 and f"{path}:5: unknown metric" in err and "nothing written" in err
    assert count_facts(db_copy) == before
    done = run_cli(["import", str(path), "--skip-invalid"], db_copy)
    assert done.returncode == 1 and "2 facts added" in done.stderr.decode()
    assert count_facts(db_copy) == before + 2
    assert b"Traceback" not in done.stderr


def test_cli_database_errors_exit_2(tmp_path):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 1000)
    good = write(tmp_path, HEADER + "\r\n" + GOOD_ROW + "\r\n")
    for argv in (["export"], ["import", str(good)]):
        done = run_cli(argv, str(broken))
        assert done.returncode == 2 and done.stderr.decode().count("\n") == 1, done.stderr
        assert b"Traceback" not in done.stderr


def test_export_header_columns_are_known_to_the_importer():
    from queries.importer import KNOWN_COLUMNS

    assert set(TRACE_COLUMNS) <= KNOWN_COLUMNS
    data = io.StringIO(HEADER)
    assert set(next(csv.reader(data))) <= KNOWN_COLUMNS
