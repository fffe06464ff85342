"""The ``export`` and ``import`` subcommands of ``python -m queries``.

``register(subparsers)`` adds both to an argparse subparsers object and ``run(args)`` executes one;
``main(argv)`` is a stand-alone parser with just these two (used by the tests). With the ``Command``
registry of queries/__main__.py the same pieces wire in as::

    register(Command("export", csv_cli.EXPORT_HELP, csv_cli.add_export_arguments, csv_cli.run))
    register(Command("import", csv_cli.IMPORT_HELP, csv_cli.add_import_arguments, csv_cli.run))

Exit codes: 0 done, 1 invalid rows in an import (with ``--skip-invalid`` the valid rows were still
written), 2 usage or database errors. Every message is one line on stderr; the CSV of an export
without ``--out`` goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

import duckdb

from queries.connection import DatabaseError, connect, database_path
from queries.export import CURRENCIES, FREQUENCIES, SHAPES, STATUSES, ExportFilters, write_csv
from queries.importer import ImportReport, import_csv

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# DuckDB's share of a command-line export: it sorts and spills to disk beyond this, so a 10-million-row
# export stays under 1 GB of RSS (bench/export.py). The app's shared connection is left alone.
EXPORT_MEMORY_LIMIT = "512MB"
MAX_ERRORS_SHOWN = 20


class UsageError(Exception):
    """A bad argument: exit code 2 with a one-line message."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so main() keeps control."""

    def error(self, message: str) -> None:
        raise UsageError(message)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``export`` and ``import`` to the subparsers of ``python -m queries``; run them with :func:`run`."""
    add_export_arguments(subparsers.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP))
    add_import_arguments(subparsers.add_parser("import", help=IMPORT_HELP, description=IMPORT_HELP))


EXPORT_HELP = "write the current series (a value per company, metric, segment, period and source) as CSV"
IMPORT_HELP = "add facts from a CSV (the long export, or data/kpi_facts.csv's format); all or nothing"


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``export`` (also usable as ``Command.add_arguments`` in queries/__main__.py)."""
    parser.add_argument(
        "--company", action="append", default=[], metavar="NAME", help="company name (repeatable; default all)"
    )
    parser.add_argument(
        "--metric", action="append", default=[], metavar="ID", help="metric id (repeatable; default all)"
    )
    parser.add_argument(
        "--segment", action="append", default=[], metavar="NAME", help="segment, '' = whole company (repeatable)"
    )
    parser.add_argument(
        "--source", action="append", default=[], metavar="NAME", help="'company' or a tracker name (repeatable)"
    )
    parser.add_argument("--from", dest="period_from", type=_iso_date, metavar="YYYY-MM-DD", help="first period_end")
    parser.add_argument("--to", dest="period_to", type=_iso_date, metavar="YYYY-MM-DD", help="last period_end")
    parser.add_argument("--frequency", choices=FREQUENCIES, default="any")
    parser.add_argument("--status", dest="statuses", choices=STATUSES, default="all",
                        help="'confirmed': confirmed or edited by a person; 'all': everything not rejected")  # fmt: skip
    parser.add_argument("--currency", choices=CURRENCIES, default="reported", help="normalise money (FX of the period)")
    parser.add_argument(
        "--shape", choices=SHAPES, default="long", help="long: a row per value; wide: a column per period"
    )
    parser.add_argument("--no-trace", dest="trace", action="store_false", help="leave out the provenance columns")
    parser.add_argument("--bom", action="store_true", help="start with a UTF-8 byte order mark (for Excel)")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(csv_command="export")


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``import`` (also usable as ``Command.add_arguments`` in queries/__main__.py)."""
    parser.add_argument("file", metavar="FILE.csv")
    parser.add_argument("--skip-invalid", action="store_true", help="write the valid rows and report the others")
    parser.add_argument("--user", default=None, help="recorded as updated_by (default: METRICS_USER or the login name)")
    parser.set_defaults(csv_command="import")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m queries", description="CSV export and import of the KPI facts.")
    register(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse and run ``export`` or ``import``; return the exit code, never raise."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return _fail(f"usage: {exc}")
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run the subcommand registered by :func:`register`; every failure becomes an exit code."""
    try:
        if args.csv_command == "export":
            return run_export(args)
        return run_import(args)
    except (UsageError, ValueError) as exc:
        return _fail(f"usage: {exc}")
    except DatabaseError as exc:
        return _fail(str(exc))
    except duckdb.Error as exc:
        return _fail(f"database error: {_first_line(exc)}")
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except Exception as exc:  # a bug: still one line, never a traceback
        return _fail(f"error: {type(exc).__name__}: {_first_line(exc)}")


def filters_from_args(args: argparse.Namespace) -> ExportFilters:
    return ExportFilters(
        companies=tuple(args.company),
        metrics=tuple(args.metric),
        segments=tuple(args.segment),
        sources=tuple(args.source),
        period_from=args.period_from,
        period_to=args.period_to,
        frequency=args.frequency,
        statuses=args.statuses,
        currency=args.currency,
        shape=args.shape,
        trace=args.trace,
        bom=args.bom,
    )


def run_export(args: argparse.Namespace) -> int:
    filters = filters_from_args(args)
    con = open_database(read_only=True)
    try:
        con.execute(f"set memory_limit = '{EXPORT_MEMORY_LIMIT}'")  # a constant, not user input
        if args.out:
            rows = export_to_file(con, filters, Path(args.out))
            print(f"export: {rows} rows written to {args.out}", file=sys.stderr)
        else:
            export_to_stdout(con, filters)
    finally:
        con.close()
    return EXIT_OK


def export_to_file(con: duckdb.DuckDBPyConnection, filters: ExportFilters, path: Path) -> int:
    """Write next to the target and rename at the end, so a failed export leaves no half file."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as fh:
            rows = write_csv(con, filters, fh)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def export_to_stdout(con: duckdb.DuckDBPyConnection, filters: ExportFilters) -> None:
    try:
        write_csv(con, filters, sys.stdout.buffer)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader stopped early (| head): not an error; silence the flush at interpreter exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run_import(args: argparse.Namespace) -> int:
    from queries.access import cli_principal  # the ingest layer it imports is not needed by export

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    con = open_database(read_only=False)
    try:
        report = import_csv(con, path, skip_invalid=args.skip_invalid, user=args.user or cli_principal().user)
    finally:
        con.close()
    print_import_report(path, report)
    return EXIT_INVALID if report.errors else EXIT_OK


def print_import_report(path: Path, report: ImportReport) -> None:
    for line, message in report.warnings:
        print(f"{path}:{line}: warning: {message}", file=sys.stderr)
    for line, message in report.errors[:MAX_ERRORS_SHOWN]:
        print(f"{path}:{line}: {message}", file=sys.stderr)
    if len(report.errors) > MAX_ERRORS_SHOWN:
        print(f"{path}: … and {len(report.errors) - MAX_ERRORS_SHOWN} more invalid rows", file=sys.stderr)
    print(f"import: {report.summary()}", file=sys.stderr)


def open_database(read_only: bool) -> duckdb.DuckDBPyConnection:
    """The configured database (METRICS_DB); a missing default file is built from data/ first."""
    target = database_path()
    if not os.path.exists(target) and ":" not in Path(target).name:
        from queries.build import ensure_database

        ensure_database(target)
    return connect(target, read_only=read_only)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _fail(message: str) -> int:
    print((message.strip().splitlines() or ["error"])[0], file=sys.stderr)
    return EXIT_USAGE
