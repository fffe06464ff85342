"""Flattened results tables: rows of "Label  70,462.9  56,469.7  24.8%" under a header of periods.

Text taken from a PDF or a results page keeps tables as lines: a header naming the column periods
("Three months ended December 31," / "2020  2019  YoY change"), a unit line ("(RMB in millions, unless
specified)"), then one row per line item. Each number gets its row's metric (or company, in a tracker's
vendor table), its column's period, and the table's unit and currency.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from metrics.facts import Fact
from metrics.fiscal import Period
from metrics.mentions import NOUN
from metrics.periods import find_periods, parse_table_header

if TYPE_CHECKING:
    from metrics.extract import DocumentContext

CELL = r"(?:\(?[-+]?[\d,]*\d(?:\.\d+)?\)?\s?%?|N/A|n/a|n\.m\.|–|—|-)"
ROW = re.compile(
    rf"""^(?P<label>[^\S\n]*(?:\d{{1,2}}\.?[^\S\n]+)?[A-Za-z(][^\n]*?[A-Za-z):*)\]])   # a label (a rank may lead it)
    (?P<cells>(?:[^\S\n]+{CELL}){{2,}})                      # two or more numeric cells
    [^\S\n]*(?:ppts?|pp|percentage\s+points?)?[^\S\n]*$""",
    re.VERBOSE | re.MULTILINE,
)
CELL_TOKEN = re.compile(CELL)
SCALE_WORD = re.compile(r"(?<![\w'’])(?P<scale>thousands?|millions?|billions?|mn|bn|['’]000)\b", re.IGNORECASE)
UNIT_CURRENCY = re.compile(
    r"(?P<currency>RMB|Rmb|CNY|US\$|USD|HK\$|HKD|KRW|₩|EUR|€|£|GBP|JPY)(?:\s+(?:in|in\s+the))?\s*['’]?\s*$"
)
CURRENCY_CODES = {
    "rmb": "CNY",
    "cny": "CNY",
    "us$": "USD",
    "usd": "USD",
    "hk$": "HKD",
    "hkd": "HKD",
    "krw": "KRW",
    "₩": "KRW",
    "eur": "EUR",
    "€": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "jpy": "JPY",
}
SCALES = {"thousand": 1e3, "'000": 1e3, "’000": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9}
NOT_A_LEVEL = re.compile(r"margin|ratio|per\s+share|rate\b|growth|%|percentage|yoy|change|earnings per", re.IGNORECASE)
MAX_HEADER_LINES = 6


@dataclass(frozen=True, slots=True)
class Row:
    start: int  # offset of the line in the text
    label: str
    cells: list[tuple[str, int]]  # (cell text, offset)


@dataclass(frozen=True, slots=True)
class Table:
    header: str
    periods: list[Period]
    currency: str | None
    scale: float
    rows: list[Row]


def find_tables(ctx: DocumentContext, text: str) -> list[Table]:
    """Tables with a header of periods above consecutive rows."""
    tables: list[Table] = []
    rows: list[Row] = []
    last_end = -1
    for m in ROW.finditer(text):
        row = _row(m, text)
        gap = text[last_end : m.start()] if last_end >= 0 else ""
        if rows and (gap.count("\n") > 4 or not _only_labels(gap) or gap.count("\n") > 2 and "\n\n" in gap):
            tables += _close(ctx, text, rows)
            rows = []
        rows.append(row)
        last_end = m.end()
    tables += _close(ctx, text, rows)
    return tables


def _only_labels(gap: str) -> bool:
    lines = [ln for ln in gap.splitlines() if ln.strip()]
    return all(len(ln.strip()) < 40 and not re.search(r"\d", ln) for ln in lines)


def _row(m: re.Match, text: str) -> Row:
    cells_start = m.start("cells")
    cells = [
        (c.group().strip(), cells_start + c.start()) for c in CELL_TOKEN.finditer(m.group("cells")) if c.group().strip()
    ]
    return Row(m.start(), _wrapped_label(text, m), cells)


def _wrapped_label(text: str, m: re.Match) -> str:
    """A label wrapped over two lines in a PDF ("Profit for" / "  the period   8,995.3 …") is joined back."""
    label = m.group("label")
    if not (label.startswith((" ", "\t")) or label.strip()[:1].islower()):
        return label.strip()
    above = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
    if above.strip() and len(above.strip()) < 40 and not re.search(r"\d|:$", above.strip()):
        return f"{above.strip()} {label.strip()}"
    return label.strip()


def _close(ctx: DocumentContext, text: str, rows: list[Row]) -> list[Table]:
    if not rows:
        return []
    header = _header_above(text, rows[0].start)
    currency, scale = _unit(header, ctx.currency)
    periods = _column_periods(ctx, header)
    if not periods:
        periods = [m.period for m in find_periods(header, ctx.published, ctx.calendar) if m.period is not None][:1]
    if not periods:
        return []
    return [Table(header, periods, currency, scale, rows)]


def _header_above(text: str, row_start: int) -> str:
    """Up to MAX_HEADER_LINES lines above the first row, stopping at prose; one blank line may separate
    a caption ("Global smartphone shipments (millions of units), Q3 2020") from the column titles."""
    lines = text[:row_start].rstrip("\n").split("\n")
    header: list[str] = []
    blanks = 0
    for line in reversed(lines[-MAX_HEADER_LINES - 1 :]):
        if not line.strip():
            blanks += 1
            if blanks > 1 or not header:
                break
            continue
        if len(line.strip()) > 160 or line.strip().endswith("."):
            break
        header.insert(0, line)
    return "\n".join(header)


def _unit(header: str, default_currency: str | None) -> tuple[str | None, float]:
    """The table's unit: "(RMB in millions)", "RMB'000", "(US$ millions)", "millions of units"."""
    m = SCALE_WORD.search(header)
    if m is None:
        return default_currency, 1.0
    scale = SCALES.get(m.group("scale").lower().rstrip("s").replace("’", "'"), 1.0)
    before = UNIT_CURRENCY.search(header, max(0, m.start() - 16), m.start())
    after = re.match(r"\s+(?:of\s+)?(RMB|CNY|US\$|USD|HK\$|HKD|KRW|EUR)\b", header[m.end() :])
    currency = before.group("currency") if before else (after.group(1) if after else None)
    return CURRENCY_CODES.get((currency or "").lower(), default_currency), scale


GROUP = re.compile(
    r"\b(?:(?P<months>three|six|nine|twelve|3|6|9|12)[\s-]+months?|(?P<year>year|fiscal\s+year))\s+ended\b",
    re.IGNORECASE,
)
GROUP_MONTHS = {"three": 3, "3": 3, "six": 6, "6": 6, "nine": 9, "9": 9, "twelve": 12, "12": 12}
YEAR_CELL = re.compile(r"\b(?:19|20)\d\d\b")
MONTH_DAY = re.compile(
    r"\b(?:(?P<m1>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?P<d1>\d{1,2})|"
    r"(?P<d2>\d{1,2})\s+(?P<m2>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*)\b",
    re.IGNORECASE,
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _grouped_periods(ctx: DocumentContext, header: str) -> list[Period]:
    """Column groups side by side: "Three months ended   Year ended" / "December 31,  December 31," /
    "2024  2023  YoY   2024  2023  YoY": the year cells split evenly between the groups, in order."""
    groups = list(GROUP.finditer(header))
    last = header.strip().split("\n")[-1]
    years = [int(y) for y in YEAR_CELL.findall(last)]
    day = MONTH_DAY.search(header)
    if len(groups) < 2 or not years or len(years) % len(groups) or day is None:
        return []
    month = MONTHS.index((day.group("m1") or day.group("m2"))[:3].lower()) + 1
    dom = int(day.group("d1") or day.group("d2"))
    per_group = len(years) // len(groups)
    periods = []
    for index, year in enumerate(years):
        group = groups[index // per_group]
        months = 12 if group.group("year") else GROUP_MONTHS[group.group("months").lower()]
        try:
            end = date(year, month, dom)
        except ValueError:
            return []
        found = ctx.calendar.period_ending(end, months)
        if found is None:
            return []
        periods.append(found)
    return periods


def _column_periods(ctx: DocumentContext, header: str) -> list[Period]:
    grouped = _grouped_periods(ctx, header)
    if grouped:
        return grouped
    flat = " ".join(SCALE_WORD.sub(" ", re.sub(r"\([^)]*\)", " ", header)).split())
    periods = parse_table_header(flat, ctx.published, ctx.calendar)
    if periods:
        return periods
    found = [m.period for m in find_periods(flat, ctx.published, ctx.calendar) if m.period is not None]
    return found if len(found) >= 2 else []


def _cell_value(cell: str) -> float | None:
    if not re.search(r"\d", cell) or cell.endswith("%"):
        return None
    negative = cell.startswith("(") and cell.endswith(")") or cell.startswith("-")
    number = float(re.sub(r"[^\d.]", "", cell))
    return -number if negative else number


def table_facts(ctx: DocumentContext, text: str) -> list[Fact]:
    facts: list[Fact] = []
    for table in find_tables(ctx, text):
        vendor_rows = [r for r in table.rows if _row_company(ctx, r.label)]
        if len(vendor_rows) >= max(2, len(table.rows) // 2):
            for row in vendor_rows:
                facts += _vendor_row_facts(ctx, text, table, row)
            continue
        for row in table.rows:
            facts += _row_facts(ctx, text, table, row)
    return facts


RANK_LEAD = re.compile(r"^\s*(\d{1,2})\.?\s+")


def _row_company(ctx: DocumentContext, label: str) -> str | None:
    """A row label that is a company name ("Samsung", "Xiaomi*", "2 Xiaomi" in a ranked table)."""
    label = RANK_LEAD.sub("", label)
    found = ctx.vocab.companies.find(label)
    return found[0].name if found and found[0].start == 0 else None


@dataclass(frozen=True, slots=True)
class Column:
    metric: str | None
    period: Period | None
    is_change: bool


def _columns(ctx: DocumentContext, table: Table) -> list[Column]:
    """Column titles from the header's last line, split at runs of two or more spaces."""
    titles = _column_titles(ctx, table.header.strip().split("\n")[-1].strip())
    caption_metrics = [m.name for m in ctx.vocab.metrics.find(table.header, NOUN)]
    columns = []
    for title in titles:
        nouns = [m.name for m in ctx.vocab.metrics.find(title, NOUN)]
        found = [m.period for m in find_periods(title, ctx.published, ctx.calendar) if m.period is not None]
        if not found and (year := re.search(r"\b(20\d\d|19\d\d)\b(?!\s*[-–]\s*\d)", title)):
            found = [ctx.calendar.year(int(year.group(1)))]  # a bare year heads a column: "2023 Shipments"
        change = bool(re.search(r"change|growth|yoy|year-over-year|year-on-year", title, re.IGNORECASE))
        metric = "market_share_pct" if "market_share_pct" in nouns else (nouns[0] if nouns else None)
        if metric is None and not change:
            metric = next((m for m in caption_metrics if m != "market_share_pct"), None)
        columns.append(Column(metric, found[0] if found else table.periods[0], change))
    return columns


COLUMN_START = re.compile(
    r"\b(?:YoY|Year-over-year|Year-on-year|Annual|Change|Growth|Market share|Share)\b", re.IGNORECASE
)


def _column_titles(ctx: DocumentContext, line: str) -> list[str]:
    """Column titles of a header line; when a page flattened it with single spaces, a new column starts
    at each period phrase or change word ("Brand Q4 2021 shipments (million units) Q4 2021 share YoY growth")."""
    titles = re.split(r"\s{2,}|\t|\s\|\s", line)
    if len(titles) < 2:
        found = find_periods(line, ctx.published, ctx.calendar)
        cuts = {m.span[0] for m in found if m.explicit_year and not m.comparative}
        for word in COLUMN_START.finditer(line):
            if not any(c <= word.start() < c + 20 for c in cuts):
                cuts.add(word.start())
        bounds = sorted(cuts | {0, len(line)})
        titles = [line[a:b].strip() for a, b in itertools.pairwise(bounds) if line[a:b].strip()]
    if titles and not re.search(r"\d|share|shipment|volume|change|growth", titles[0], re.IGNORECASE):
        titles = titles[1:]  # the row-label column ("Vendor", "Company")
    return titles


def _vendor_row_facts(ctx: DocumentContext, text: str, table: Table, row: Row) -> list[Fact]:
    company = _row_company(ctx, row.label)
    columns = _columns(ctx, table)
    cells = [(cell, off) for cell, off in row.cells if re.search(r"\d", cell)]
    if len(columns) != len(cells):
        return []
    tracker = ctx.tracker or next((m.name for m in ctx.vocab.trackers.find(table.header)), None)
    line = _line_at(text, row.start)
    facts = []
    period = next((c.period for c in columns if c.period is not None and not c.is_change), table.periods[0])
    rank = RANK_LEAD.match(row.label)
    if rank and re.match(r"\s*(?:rank|#|no\.?)", table.header.strip().split("\n")[-1], re.IGNORECASE):
        value = float(rank.group(1))
        facts.append(
            _fact(
                ctx,
                company,
                "market_rank",
                "rank",
                period,
                value,
                None,
                tracker,
                row.start + rank.start(1),
                rank.group(1),
                line,
                False,
                None,
            )
        )
    for column, (cell, offset) in zip(columns, cells, strict=False):
        if column.is_change or column.metric is None or column.period is None:
            continue
        metric = ctx.vocab.catalogue.metrics[column.metric]
        percent = cell.endswith("%")
        if (metric.unit == "percent") != percent or metric.unit not in ("percent", "units", "vehicles"):
            continue
        value = float(re.sub(r"[^\d.]", "", cell)) * (1.0 if percent else table.scale)
        facts.append(
            _fact(
                ctx,
                company,
                column.metric,
                metric.unit,
                column.period,
                value,
                None,
                tracker,
                offset,
                cell,
                line,
                False,
                None,
            )
        )
    region = ctx.region or next(
        (m.name for m in ctx.vocab.segments.find(table.header) if not ctx.vocab.catalogue.segments[m.name].metrics), ""
    )
    for fact in facts:
        fact.segment = region
    return facts


def _row_scale(label: str, table: Table, unit: str) -> float:
    """A scale in the row label wins ("(million units)"); a money table's scale applies to money rows only."""
    m = SCALE_WORD.search(label)
    if m:
        return SCALES.get(m.group("scale").lower().rstrip("s").replace("’", "'"), 1.0)
    if unit == "currency" or table.currency is None:
        return table.scale
    return 1.0


def _line_at(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


def _fact(
    ctx, company, metric_id, unit, period, value, currency, tracker, offset, cell, line, comparative, change
) -> Fact:
    return Fact(
        company=company,
        metric=metric_id,
        segment="",
        period_start=period.start,
        period_end=period.end,
        period_kind=period.kind,
        value=value,
        unit=unit,
        currency=currency,
        qualifier=None,
        attributed_to=tracker,
        comparative=comparative,
        confidence=0.9,
        span=(offset, offset + len(cell)),
        evidence=" ".join(line.split()),
        change_pct=change,
        rule="table",
    )


def _row_metric(ctx: DocumentContext, label: str) -> str | None:
    """The metric a row label names: the whole label, or a metric noun it starts with
    ("Connected IoT devices at quarter end (million)")."""
    clean = re.sub(r"\([^)]*\)|\[\d\]|\*|:$", " ", label).strip().lower()
    clean = re.sub(r"^(?:total|group|of which)\s+", "", " ".join(clean.split()))
    if NOT_A_LEVEL.search(label):
        return None
    metrics = ctx.vocab.metrics.metrics_for(clean, NOUN)
    if not metrics:
        found = ctx.vocab.metrics.find(clean, NOUN)
        leading = [m for m in found if m.start <= 12]
        metrics = [leading[0].name] if leading and len({m.name for m in found}) == 1 else []
    if not metrics:
        return None
    metric = metrics[0]
    if metric == "net_profit" and re.search(r"adjusted|non-ifrs|non-gaap", clean):
        metric = "adjusted_net_profit"
    return metric


def _row_facts(ctx: DocumentContext, text: str, table: Table, row: Row) -> list[Fact]:
    from metrics.extract import fit_period, resolve_segment_words

    metric_id = _row_metric(ctx, row.label)
    if metric_id is None or ctx.issuer is None:
        return []
    metric = ctx.vocab.catalogue.metrics[metric_id]
    if metric.unit not in ("currency", "units", "devices", "users", "vehicles"):
        return []
    values = [(v, off, cell) for cell, off in row.cells if (v := _cell_value(cell)) is not None]
    changes = [cell for cell, _ in row.cells if cell.endswith("%")]
    line = _line_at(text, row.start)
    scale = _row_scale(row.label, table, metric.unit)
    currency = table.currency if metric.unit == "currency" else None
    segment = resolve_segment_words(ctx, row.label, metric_id)
    facts = []
    for index, (value, offset, cell) in enumerate(values[: len(table.periods)]):
        column = table.periods[index]
        period = fit_period(column, metric_id, metric.kind, ctx.calendar)
        comparative = index > 0 and column.end < table.periods[0].end
        change = _change(changes[0]) if index == 0 and changes else None
        fact = _fact(
            ctx,
            ctx.issuer.name,
            metric_id,
            metric.unit,
            period,
            value * scale,
            currency,
            None,
            offset,
            cell,
            line,
            comparative,
            change,
        )
        fact.segment = segment
        facts.append(fact)
    return facts


def _change(cell: str) -> float:
    negative = cell.startswith(("-", "(", "−"))
    number = float(re.sub(r"[^\d.]", "", cell) or 0)
    return -number if negative else number
