"""CSV export of the current series: one function for the Export page and the command line, same bytes.

What is exported: every current value of ``series_by_source``, that is one per company × metric ×
segment × period × *source* (the company's own figure and each tracker's). No "best source" is
picked: the source is a column (``attributed_to``, empty for the company itself), so nothing is
hidden and a peer chart can still keep to one source. Rejected facts are never exported.

The file is made for Excel and for other programs alike:

- UTF-8, with a byte order mark only on request (``bom``; Excel needs it to read UTF-8).
- RFC 4180: a header row, ``,`` separators, CR LF after every line (header included), a field quoted
  only when it holds a comma, a quote or a line break, quotes doubled: exactly what Python's
  ``csv.writer`` writes with ``QUOTE_MINIMAL`` and ``lineterminator="\\r\\n"`` (tests compare the two).
- ISO dates; numbers in plain notation with the shortest digits that read back to the same float
  (``70462900000``, ``0.00000015``, ``-3.5``): no exponent, no thousands separator, ``.`` as decimal.
- Formula injection: a *text* cell that begins with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading
  apostrophe, and so does one that already begins with an apostrophe, which keeps the escape
  reversible (the importer strips exactly one). Numeric columns are never touched: -3.5 stays -3.5.

Long shape: one row per value (``LONG_COLUMNS``, then ``TRACE_COLUMNS`` with ``trace``, then
``RATE_COLUMNS`` when money is normalised). Wide shape: one row per company × metric × segment ×
source × frequency × unit × currency and one column per period, named by the ISO date of its
``period_end`` (a label such as "2020-Q4" would be wrong for Apple's fiscal quarters, and the
frequency column keeps a quarter and a year that end on the same day apart).

Currency normalisation (``currency`` = "USD" or "CNY"): money is converted with ``fx_rates`` for the
period of the fact: for flows the average rate of exactly that period, else the average rate whose
period differs from it by the fewest days; for stocks (instants) the period-end rate of that day, or
within 7 days, else the average of the shortest period holding the date. ``rate`` is units of the
reported currency per unit of the target (for USD: ``units_per_usd``) and ``value = reported_value /
rate``; ``rate_kind`` and ``rate_period`` say which rate was used. Without a rate the value is left
empty (the reported value stays in ``reported_value``) rather than mixing currencies in one column.

Rows are streamed: the formatting, quoting and sorting run inside DuckDB (which spills to disk under
its memory limit) and Python writes the finished lines in batches, so 10 million facts export in
bounded memory (bench/export.py).
"""

from __future__ import annotations

import csv
import io
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import BinaryIO

import duckdb

from queries.sql_runner import load_sql

SHAPES = ("long", "wide")
FREQUENCIES = ("any", "quarter", "year", "month", "half", "nine_months", "instant")
STATUSES = ("all", "confirmed")  # all = every status but rejected; confirmed = confirmed or edited
CURRENCIES = ("reported", "USD", "CNY")
SOURCE_COMPANY = "company"

# Keep in sync with the header in sql/export_long.sql and sql/export_wide.sql (tests check both).
LONG_COLUMNS = (
    "company", "metric", "segment", "period_start", "period_end", "period_kind", "value", "unit",
    "currency", "qualifier", "attributed_to", "comparative", "status", "confidence",
)  # fmt: skip
TRACE_COLUMNS = (
    "document_title", "document_published", "source_url", "evidence", "span_start", "span_end", "fact_id",
)  # fmt: skip
RATE_COLUMNS = ("reported_value", "reported_currency", "rate", "rate_kind", "rate_period")
WIDE_KEY_COLUMNS = ("company", "metric", "segment", "attributed_to", "frequency", "unit", "currency")

BOM = "\ufeff".encode()
LINE_END = "\r\n"  # RFC 4180; the SQL files end every line with chr(13) || chr(10)
FETCH_ROWS = 20_000  # lines per batch: big enough to amortise the call, small enough to stay flat
COMMAND = "python -m queries export"


@dataclass(frozen=True)
class ExportFilters:
    """What to export and how. Empty lists mean "all"; every choice is checked against an allow-list."""

    companies: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()  # "" is the whole company
    sources: tuple[str, ...] = ()  # "company" (the company's own figures) or tracker names
    period_from: date | None = None  # compared with period_end, inclusive
    period_to: date | None = None
    frequency: str = "any"
    statuses: str = "all"
    currency: str = "reported"
    shape: str = "long"
    trace: bool = True  # provenance columns (long shape only)
    bom: bool = False

    def __post_init__(self) -> None:
        for name in ("companies", "metrics", "segments", "sources"):
            object.__setattr__(self, name, _as_tuple(getattr(self, name), name))
        _check_choice("frequency", self.frequency, FREQUENCIES)
        _check_choice("statuses", self.statuses, STATUSES)
        _check_choice("currency", self.currency, CURRENCIES)
        _check_choice("shape", self.shape, SHAPES)
        for name in ("period_from", "period_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                raise ValueError(f"{name} must be a date, got {value!r}")
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise ValueError(f"period_from {self.period_from} is after period_to {self.period_to}")


def _as_tuple(values: Iterable[str] | str, name: str) -> tuple[str, ...]:
    """Lists from widgets or argparse become tuples (hashable, so the page can cache on them)."""
    if isinstance(values, str):
        raise ValueError(f"{name} must be a list of names, got the string {values!r}")
    items = tuple(values or ())
    if not all(isinstance(v, str) for v in items):
        raise ValueError(f"{name} must hold strings, got {items!r}")
    return items


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def export_columns(filters: ExportFilters) -> list[str]:
    """The header of a long export (a wide header adds one column per period present)."""
    if filters.shape == "wide":
        return list(WIDE_KEY_COLUMNS)
    columns = list(LONG_COLUMNS)
    if filters.trace:
        columns += TRACE_COLUMNS
    if filters.currency != "reported":
        columns += RATE_COLUMNS
    return columns


def sql_parameters(filters: ExportFilters) -> dict:
    """The named parameters of sql/export_long.sql or sql/export_wide.sql."""
    params = {
        "companies": list(filters.companies),
        "metrics": list(filters.metrics),
        "segments": list(filters.segments),
        "sources": list(filters.sources),
        "period_from": filters.period_from,
        "period_to": filters.period_to,
        "grain": filters.frequency,
        "statuses": filters.statuses,
        "currency": filters.currency,
    }
    if filters.shape == "long":
        params["trace"] = filters.trace
    return params


def write_csv(con: duckdb.DuckDBPyConnection, filters: ExportFilters, out: BinaryIO) -> int:
    """Write the CSV to a binary file object; return the number of data rows (the header not counted).

    Runs on its own cursor (connections are not shared between threads) and fetches finished lines in
    batches, so memory stays flat however many rows there are. The query runs before the first byte is
    written, so a failing query leaves ``out`` empty.
    """
    wide = filters.shape == "wide"
    with con.cursor() as cur:
        cur.execute(load_sql("export_wide" if wide else "export_long"), sql_parameters(filters))
        if filters.bom:
            out.write(BOM)
        if not wide:  # the wide header names the periods found, so sql/export_wide.sql writes it
            out.write(header_line(export_columns(filters)))
        rows = 0
        while batch := cur.fetchmany(FETCH_ROWS):
            out.write("".join([line for (line,) in batch]).encode("utf-8"))
            rows += len(batch)
    return rows - 1 if wide else rows


def header_line(columns: list[str]) -> bytes:
    """The header row, written by the csv module with the dialect every data line follows."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator=LINE_END).writerow(columns)
    return buffer.getvalue().encode("utf-8")


def export_bytes(con: duckdb.DuckDBPyConnection, filters: ExportFilters) -> bytes:
    """The whole CSV in memory, for a download button (use :func:`write_csv` for big exports)."""
    buffer = io.BytesIO()
    write_csv(con, filters, buffer)
    return buffer.getvalue()


def export_filename(filters: ExportFilters) -> str:
    """A file name that says what is in the file, e.g. ``kpi_facts_wide_usd.csv``.

    >>> export_filename(ExportFilters(shape="wide", currency="USD", frequency="quarter"))
    'kpi_facts_wide_quarter_usd.csv'
    >>> export_filename(ExportFilters())
    'kpi_facts_long.csv'
    """
    parts = ["kpi_facts", filters.shape]
    if filters.frequency != "any":
        parts.append(filters.frequency)
    if filters.currency != "reported":
        parts.append(filters.currency.lower())
    return "_".join(parts) + ".csv"


def equivalent_command(filters: ExportFilters, out: str | None = None) -> str:
    """The ``python -m queries export …`` command line that writes the same bytes (shell-quoted).

    >>> equivalent_command(ExportFilters(companies=("Xiaomi", "Li Auto"), segments=("",), trace=False))
    "python -m queries export --company Xiaomi --company 'Li Auto' --segment '' --no-trace"
    """
    words = [*_repeated("--company", filters.companies), *_repeated("--metric", filters.metrics)]
    words += [*_repeated("--segment", filters.segments), *_repeated("--source", filters.sources)]
    if filters.period_from:
        words += ["--from", filters.period_from.isoformat()]
    if filters.period_to:
        words += ["--to", filters.period_to.isoformat()]
    words += _changed_options(filters)
    if out:
        words += ["--out", out]
    return " ".join([COMMAND, *(shlex.quote(word) for word in words)])


def _repeated(flag: str, values: tuple[str, ...]) -> list[str]:
    return [word for value in values for word in (flag, value)]


def _changed_options(filters: ExportFilters) -> list[str]:
    """Flags for the settings that differ from the defaults, in the order of ``ExportFilters``."""
    default = ExportFilters()
    words: list[str] = []
    for spec in fields(ExportFilters):
        value = getattr(filters, spec.name)
        if spec.name not in _OPTION_FLAGS or value == getattr(default, spec.name):
            continue
        flag = _OPTION_FLAGS[spec.name]
        words += [flag] if isinstance(value, bool) else [flag, value]
    return words


# ExportFilters field -> command-line flag (booleans: the flag that turns the default around).
_OPTION_FLAGS = {
    "frequency": "--frequency",
    "statuses": "--status",
    "currency": "--currency",
    "shape": "--shape",
    "trace": "--no-trace",
    "bom": "--bom",
}
