"""CSV import of facts: the long export of queries/export.py, or the reference format of data/kpi_facts.csv.

- Every row is validated like a curated row (:func:`queries.curated.validate_row`: known metric, ISO
  dates, a numeric value, an ISO currency for money …) plus status, confidence and span; errors carry
  the file's line number (the line where the record starts; the header is line 1).
- All or nothing: one invalid row and nothing is written, unless ``skip_invalid``, which writes the
  valid rows and reports the others. The write is one transaction and one set-based INSERT, with the
  re-ranking of the current series (queries/series.py) in the same transaction.
- A company that is not in ``companies`` (by name or alias) is added, with a warning.
- Rows keep their ``status`` and ``confidence`` (a file without them: confirmed, 1). The evidence
  doubles as the source note when there is no ``source_note`` column, as for the bundled curated rows.
  An empty ``attributed_to`` in a file that has the column means the company's own figure.
- Importing the same file twice adds nothing: a row is skipped when a fact with the same company,
  metric, segment, period, source (``attributed_to``, else the company), currency and value is already
  stored (whatever its status, so a rejected fact stays rejected), or appears earlier in the file.
- Cells are read back from the export's formula neutralising: one leading apostrophe is removed.
- Not imported: ``document_title`` and ``document_published`` (the document's text is not in a CSV, so
  imported facts have no document; ``source_url``, ``evidence`` and the span stay) and ``fact_id``
  (ids belong to a database). A file normalised to USD/CNY is refused: its values are conversions.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from metrics.catalogue import Catalogue, load_catalogue
from queries.curated import validate_row
from queries.export import LONG_COLUMNS, RATE_COLUMNS, TRACE_COLUMNS, WIDE_KEY_COLUMNS
from queries.series import sync_series
from queries.store import transaction, with_retry

REQUIRED_COLUMNS = ("company", "metric", "period_start", "period_end", "period_kind", "value", "unit")
KNOWN_COLUMNS = frozenset((*LONG_COLUMNS, *TRACE_COLUMNS, "source_note"))
IMPORT_STATUSES = ("extracted", "confirmed", "edited", "rejected")
DEFAULT_STATUS = "confirmed"
NEW_COMPANY_FISCAL_YEAR_END = "12-31"
INSERT_COLUMNS = (
    "line", "origin", "status", "company", "metric", "segment", "period_start", "period_end", "period_kind",
    "value", "unit", "currency", "qualifier", "attributed_to", "comparative", "confidence", "span_start",
    "span_end", "evidence", "source_url", "source_note", "unverified", "updated_by",
)  # fmt: skip
_DTYPES = {
    "line": "int64", "value": "float64", "confidence": "float64", "span_start": "Int64", "span_end": "Int64",
    "comparative": "boolean", "unverified": "boolean",
}  # fmt: skip

SELECT_COMPANY_NAMES = "select name, legal_name, aliases from companies"

INSERT_COMPANIES = """
insert into companies (name, fiscal_year_end)
select name, $fiscal_year_end from new_companies
where name not in (select name from companies)
"""

# Rows of import_rows that are not stored yet (same key, source, currency and value), first one of a
# kind in the file; inserted in file order so ids follow the file.
INSERT_FACTS = """
insert into facts (
    origin, status, company, metric, segment, period_start, period_end, period_kind, value, unit, currency,
    qualifier, attributed_to, comparative, confidence, span_start, span_end, evidence, source_url,
    source_note, unverified, updated_by
)
with incoming as (
    select * from import_rows
    qualify row_number() over (
        partition by company, metric, segment, period_start, period_end, coalesce(attributed_to, company),
                     currency, value
        order by line
    ) = 1
),
final as (
    select i.* from incoming as i
    where not exists (
        select 1 from facts as f
        where f.company = i.company and f.metric = i.metric and f.segment = i.segment
          and f.period_start = cast(i.period_start as date) and f.period_end = cast(i.period_end as date)
          and coalesce(f.attributed_to, f.company) = coalesce(i.attributed_to, i.company)
          and f.currency is not distinct from i.currency and f.value = i.value
    )
)
select
    origin, status, company, metric, segment, cast(period_start as date), cast(period_end as date), period_kind,
    value, unit, currency, qualifier, attributed_to, comparative, confidence, cast(span_start as integer),
    cast(span_end as integer), evidence, source_url, source_note, unverified, updated_by
from final
order by line
"""


@dataclass
class ImportReport:
    inserted: int = 0
    skipped_invalid: int = 0
    skipped_duplicates: int = 0  # already stored, or repeated in the file
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    written: bool = False  # False when the file was refused (invalid rows without skip_invalid)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line for the command line and the page."""
        if not self.written and self.errors:
            return f"nothing written: {len(self.errors)} problems (use --skip-invalid to write the valid rows)"
        text = f"{self.inserted} facts added, {self.skipped_duplicates} already present"
        if self.skipped_invalid:
            text += f", {self.skipped_invalid} invalid rows skipped"
        return text


@dataclass
class _ParsedFile:
    rows: list[dict] = field(default_factory=list)
    first_line_of: dict[str, int] = field(default_factory=dict)  # unknown company -> first line
    invalid: int = 0
    unreadable: bool = False  # a problem with the file itself: nothing is written, even with skip_invalid


def import_csv(
    con: duckdb.DuckDBPyConnection, path: str | Path, skip_invalid: bool = False, user: str | None = None
) -> ImportReport:
    """Validate every row of ``path`` and store the valid facts in one transaction (see module doc)."""
    report = ImportReport()
    parsed = parse_file(Path(path), company_index(con), load_catalogue(), report)
    report.skipped_invalid = parsed.invalid
    if (report.errors and not skip_invalid) or parsed.unreadable or not parsed.rows:
        return report  # all or nothing
    new_companies = {r["company"] for r in parsed.rows} & set(parsed.first_line_of)
    for name in sorted(new_companies, key=parsed.first_line_of.get):
        message = f"unknown company {name!r} added to companies (fiscal year end {NEW_COMPANY_FISCAL_YEAR_END})"
        report.warnings.append((parsed.first_line_of[name], message))
    # a conflict with another writer (a DuckLake replica) is retried: the new transaction sees its rows
    report.inserted = with_retry(lambda: store_rows(con, parsed.rows, sorted(new_companies), user))
    report.skipped_duplicates = len(parsed.rows) - report.inserted
    report.written = True
    return report


def company_index(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every name, legal name and alias in ``companies``, lower-cased -> canonical name (names win)."""
    index: dict[str, str] = {}
    with con.cursor() as cur:
        companies = cur.execute(SELECT_COMPANY_NAMES).fetchall()
    for name, legal_name, aliases in companies:
        for alias in (legal_name, *(aliases or ())):
            if alias:
                index.setdefault(alias.lower(), name)
    index.update({name.lower(): name for name, _, _ in companies})
    return index


def parse_file(path: Path, names: dict[str, str], catalogue: Catalogue, report: ImportReport) -> _ParsedFile:
    """Read and validate every record; problems go to ``report.errors`` with their line numbers."""
    parsed = _ParsedFile()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        line = 1
        try:
            header = check_header(next(reader, []), report)
            if header is None:
                parsed.unreadable = True
                return parsed
            infer_attribution = "attributed_to" not in header
            line = reader.line_num + 1
            for record in reader:
                start, line = line, reader.line_num + 1
                if any(cell.strip() for cell in record):
                    _parse_record(start, header, record, names, catalogue, infer_attribution, parsed, report)
        except UnicodeDecodeError:
            parsed.unreadable = True
            report.errors.append((line, "the file is not UTF-8 text (save it as CSV UTF-8)"))
        except csv.Error as exc:
            parsed.unreadable = True
            report.errors.append((line, f"unreadable CSV: {exc}"))
    return parsed


def check_header(header: list[str], report: ImportReport) -> list[str] | None:
    """The column names, or None (with an error on line 1) for a file this importer cannot read."""
    columns = [name.strip() for name in header]
    if set(RATE_COLUMNS) & set(columns):
        report.errors.append((1, "the values of this file were converted to another currency; import an export made with --currency reported"))  # fmt: skip
        return None
    if set(WIDE_KEY_COLUMNS) <= set(columns):
        report.errors.append((1, "this is the wide shape; import an export made with --shape long"))
        return None
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        report.errors.append((1, f"missing columns: {', '.join(missing)} (expected the long export or kpi_facts.csv format)"))  # fmt: skip
        return None
    if len(set(columns)) != len(columns):
        report.errors.append((1, "a column name appears twice in the header"))
        return None
    ignored = [name for name in columns if name not in KNOWN_COLUMNS]
    if ignored:
        report.warnings.append((1, f"columns ignored: {', '.join(ignored)}"))
    return columns


def _parse_record(
    line: int,
    header: list[str],
    record: list[str],
    names: dict[str, str],
    catalogue: Catalogue,
    infer_attribution: bool,
    parsed: _ParsedFile,
    report: ImportReport,
) -> None:
    try:
        if len(record) != len(header):
            raise ValueError(f"expected {len(header)} fields, found {len(record)}")
        raw = {name: unescape_cell(cell) for name, cell in zip(header, record, strict=True)}
        _admit_unknown_company(raw, line, names, parsed)
        fact = parse_row(raw, names, catalogue, infer_attribution)
    except ValueError as exc:
        parsed.invalid += 1
        report.errors.append((line, str(exc)))
        return
    fact["line"] = line
    parsed.rows.append(fact)


def unescape_cell(cell: str) -> str:
    """Undo the export's formula neutralising: exactly one leading apostrophe goes.

    >>> unescape_cell("'=SUM(1+1)"), unescape_cell("''quoted"), unescape_cell("-3.5")
    ('=SUM(1+1)', "'quoted", '-3.5')
    """
    return cell[1:] if cell.startswith("'") else cell


def _admit_unknown_company(raw: dict[str, str], line: int, names: dict[str, str], parsed: _ParsedFile) -> None:
    """A company the database does not know is accepted under the name as written (and added later)."""
    written = (raw.get("company") or "").strip()
    if written and written.lower() not in names:
        names[written.lower()] = written
        parsed.first_line_of[written] = line


def parse_row(raw: dict[str, str], names: dict[str, str], catalogue: Catalogue, infer_attribution: bool) -> dict:
    """One record -> the values of a facts row, or ValueError with the reason."""
    evidence = (raw.get("evidence") or "").strip() or None
    if "source_note" not in raw and evidence:
        raw = {**raw, "source_note": evidence}
    fact = validate_row(raw, names, catalogue, infer_attribution=infer_attribution)
    span_start, span_end = parse_span(raw.get("span_start"), raw.get("span_end"))
    return fact | {
        "origin": "curated",
        "status": parse_status(raw.get("status")),
        "confidence": parse_confidence(raw.get("confidence")),
        "comparative": parse_boolean(raw.get("comparative"), "comparative"),
        "span_start": span_start,
        "span_end": span_end,
        "evidence": evidence or fact["source_note"],
    }


def parse_status(text: str | None) -> str:
    status = (text or "").strip() or DEFAULT_STATUS
    if status not in IMPORT_STATUSES:
        raise ValueError(f"unknown status {status!r} (one of {', '.join(IMPORT_STATUSES)})")
    return status


def parse_confidence(text: str | None) -> float:
    if not (text or "").strip():
        return 1.0
    try:
        confidence = float(text)
    except ValueError:
        raise ValueError(f"confidence is not a number: {text!r}") from None
    if not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
        raise ValueError(f"confidence must be between 0 and 1, got {text!r}")
    return confidence


def parse_boolean(text: str | None, name: str) -> bool:
    word = (text or "").strip().lower()
    if word not in ("", "true", "false"):
        raise ValueError(f"{name} must be true or false, got {text!r}")
    return word == "true"


def parse_span(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """Character offsets of the figure in its document, both or neither."""
    start, end = (start or "").strip(), (end or "").strip()
    if not start and not end:
        return None, None
    try:
        first, last = int(start), int(end)
    except ValueError:
        raise ValueError(f"invalid span {start!r}..{end!r}") from None
    if not 0 <= first <= last:
        raise ValueError(f"invalid span {first}..{last}")
    return first, last


def store_rows(con: duckdb.DuckDBPyConnection, rows: list[dict], new_companies: list[str], user: str | None) -> int:
    """Insert the companies and the facts not stored yet, and re-rank the series; one transaction."""
    frame = pd.DataFrame([{**row, "updated_by": user} for row in rows], columns=list(INSERT_COLUMNS))
    frame = frame.astype(_DTYPES)
    companies = pd.DataFrame({"name": pd.Series(new_companies, dtype="object")})
    with transaction(con) as cur:
        cur.register("import_rows", frame)
        cur.register("new_companies", companies)
        cur.execute(INSERT_COMPANIES, {"fiscal_year_end": NEW_COMPANY_FISCAL_YEAR_END})
        inserted = cur.execute(INSERT_FACTS).fetchone()[0]
        sync_series(cur)
        cur.unregister("import_rows")
        cur.unregister("new_companies")
    return inserted
