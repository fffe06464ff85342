"""Command line for the store: ``python -m queries ingest|rebuild|facts|conflicts``.

Exit codes: 0 ok; 1 some files were rejected (each listed on stderr); 2 usage or database error (one line,
never a traceback). The database is ``METRICS_DB`` (default ``data/metrics.duckdb``).

A subcommand is one entry of ``COMMANDS``: a function that adds its arguments to a subparser and a
function that runs it and returns the exit code. Another module adds one with :func:`register`
(``export`` and ``import`` are meant to arrive that way).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from queries import csv_cli
from queries.connection import DatabaseError, connect, database_path

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    """Add a subcommand (the place for ``export`` / ``import``)."""
    COMMANDS[command.name] = command
    return command


class UsageError(Exception):
    """Bad arguments: printed as one line, exit code 2."""


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


# ---------------------------------------------------------------------------- ingest


def _ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="release files or folders of releases")
    parser.add_argument("--company", help="the issuer, when the texts do not say it")
    parser.add_argument("--published", type=parse_date, help="publication date YYYY-MM-DD")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: CPU count)")


def _run_ingest(args: argparse.Namespace) -> int:
    from queries.access import cli_principal, ingest_paths_as
    from queries.build import ensure_database

    ensure_database()  # a first ingest starts from the bundled data, like the dashboard
    con = connect()
    try:
        bar = ProgressBar()
        result = ingest_paths_as(  # the documents record who ingested them (METRICS_USER or the OS user)
            cli_principal(),
            con,
            args.paths,
            company=args.company,
            published=args.published,
            progress=bar,
            workers=args.workers,
        )
        bar.close()
    finally:
        con.close()
    print(
        f"{result.documents} documents stored ({result.reextracted} re-extracted), {result.facts} facts, "
        f"{result.skipped} already stored, {len(result.rejected)} rejected"
    )
    for path, reason in result.rejected:
        print(f"rejected: {path}: {reason}", file=sys.stderr)
    return EXIT_REJECTED if result.rejected else EXIT_OK


class ProgressBar:
    """A one-line progress bar on stderr (only when stderr is a terminal, so logs stay clean)."""

    def __init__(self, width: int = 30, stream=None) -> None:
        self.width = width
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()

    def __call__(self, fraction: float, message: str) -> None:
        if not self.live:
            return
        filled = int(self.width * min(max(fraction, 0.0), 1.0))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {fraction:4.0%} {message[:60]:<60}")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------------------- rebuild


def _rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    return None


def _run_rebuild(args: argparse.Namespace) -> int:
    import os

    from queries.build import build_database

    target = database_path()
    if os.path.exists(target):
        connect(target).close()  # a file in use gives DatabaseInUseError here, before anything is replaced
    bar = ProgressBar()
    report = build_database(target, progress=bar)
    bar.close()
    print(
        f"{target}: {report.companies} companies, {report.curated_facts} curated facts, {report.fx_rates} FX rates, "
        f"{report.documents} documents with {report.extracted_facts} facts"
    )
    for reason in report.rejected:
        print(f"rejected: {reason}", file=sys.stderr)
    return EXIT_REJECTED if report.rejected else EXIT_OK


# ---------------------------------------------------------------------------- facts / conflicts


FACT_COLUMNS = (
    "company",
    "period_start",
    "period_end",
    "value",
    "unit",
    "currency",
    "source",
    "status",
    "document_title",
)
GRAIN_CHOICES = ("quarter", "year", "half", "month", "instant", "any")


def _facts_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--company", required=True, action="append", help="company (repeat for several)")
    parser.add_argument("--metric", required=True, help="metric id, e.g. revenue")
    parser.add_argument("--segment", default="", help="segment ('' = whole company)")
    parser.add_argument("--source", default="best", help="best (default), company, or a tracker name")
    parser.add_argument("--grain", default="any", choices=GRAIN_CHOICES)


def _run_facts(args: argparse.Namespace) -> int:
    from queries.reads import current_series

    con = _open_for_reading()
    try:
        frame = current_series(con, args.metric, args.company, args.segment, args.source, args.grain)
    finally:
        con.close()
    if frame.empty:
        print(f"no values for {args.metric} of {', '.join(args.company)}", file=sys.stderr)
        return EXIT_OK
    _print_table(frame[list(FACT_COLUMNS)])
    return EXIT_OK


def _conflicts_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metric", default="", help="only this metric")
    parser.add_argument("--company", default="", help="only this company")
    parser.add_argument("--tolerance", type=float, default=0.5, help="percent difference tolerated (default 0.5)")


def _run_conflicts(args: argparse.Namespace) -> int:
    from queries.analytics import list_conflicts

    con = _open_for_reading()
    try:
        frame = list_conflicts(con, args.metric, args.company, args.tolerance)
    finally:
        con.close()
    if frame.empty:
        print("no conflicts", file=sys.stderr)
        return EXIT_OK
    columns = [
        "company",
        "metric",
        "segment",
        "period_end",
        "value_a",
        "source_a",
        "value_b",
        "source_b",
        "difference_pct",
    ]
    _print_table(frame[columns])
    return EXIT_OK


def _open_for_reading():
    """Open the database, building it from data/ first when it does not exist yet."""
    from queries.build import ensure_database

    ensure_database()
    return connect(read_only=True)


def _print_table(frame: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
        print(frame.to_string(index=False))


register(Command("ingest", "extract and store releases (files or folders)", _ingest_arguments, _run_ingest))
register(Command("rebuild", "rebuild the database from data/ (replaces the file)", _rebuild_arguments, _run_rebuild))
register(Command("facts", "print the current series of a metric", _facts_arguments, _run_facts))
register(Command("conflicts", "list facts that disagree", _conflicts_arguments, _run_conflicts))
register(Command("export", csv_cli.EXPORT_HELP, csv_cli.add_export_arguments, csv_cli.run))
register(Command("import", csv_cli.IMPORT_HELP, csv_cli.add_import_arguments, csv_cli.run))


# ---------------------------------------------------------------------------- entry


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit code 2, as argparse does, without the usage block
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m queries", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS.values():
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command].run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except DatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a database error from DuckDB itself, never as a traceback
        import duckdb

        if isinstance(exc, duckdb.Error):
            print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
