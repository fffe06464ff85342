"""Validation of curated fact rows (the bundled ``data/kpi_facts.csv``, or a user's CSV).

Every row is checked the same way extracted facts are: known company and metric, valid ISO dates,
start ≤ end, instants with start = end, a numeric value, a unit the metric allows, an ISO currency for
money. A bad row is reported with its line number and reason; the others load.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from metrics.catalogue import UNITS, Catalogue, load_catalogue

ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")
QUALIFIERS = ("approx", "over", "under")
FACT_COLUMNS = (
    "company", "metric", "segment", "period_start", "period_end", "period_kind", "value", "unit",
    "currency", "qualifier", "attributed_to", "comparative", "source_url", "source_note", "unverified",
)  # fmt: skip


@dataclass
class CuratedRows:
    rows: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


RELATIVE_METRICS = ("market_share_pct", "market_rank")  # only a tracker can measure these


def _attribution(note: str, metric_id: str, catalogue: Catalogue) -> str | None:
    """Who measured a curated figure, read from its source note.

    A note that starts with a research firm ("IDC preliminary", "Canalys (cited by Xiaomi)") or calls
    the figure a tracker's ("Third-party tracker (likely Canalys)") is that firm's estimate; a note that
    starts with the company's own results and mentions a tracker only to compare is the company's,
    except for share and rank, which a company can only quote from a tracker.
    """
    if metric_id in RELATIVE_METRICS and (named := catalogue.tracker_named_in(note)):
        return named
    tracker = catalogue.tracker_named_in(note[:40])
    lowered = note.lower()
    if tracker and lowered.find(tracker.lower()) <= 2:
        return tracker
    if any(word in lowered[:60] for word in ("tracker", "research firm", "likely ", "activation-based")):
        return catalogue.tracker_named_in(note) or "unnamed tracker"
    return None


def _parse_date(text: str) -> date:
    return date.fromisoformat(text.strip())


def validate_row(
    raw: dict[str, str], company_names: dict[str, str], catalogue: Catalogue, *, infer_attribution: bool = True
) -> dict:
    """One curated row -> a fact dict, or ValueError with the reason.

    ``company_names`` maps every known name and alias (lower-cased) to the canonical company.
    ``infer_attribution=False`` takes an empty ``attributed_to`` at its word (the company's own figure):
    a file that has the column, such as an export, already says who measured each value, and guessing
    a tracker from the evidence sentence would change it (queries/importer.py).
    """
    written = (raw.get("company") or "").strip()
    company = company_names.get(written.lower())
    if company is None:
        raise ValueError(f"unknown company {written!r}")
    metric_id = (raw.get("metric") or "").strip()
    metric = catalogue.metrics.get(metric_id)
    if metric is None:
        raise ValueError(f"unknown metric {metric_id!r}")
    try:
        start, end = _parse_date(raw["period_start"]), _parse_date(raw["period_end"])
    except (KeyError, ValueError):
        raise ValueError(f"invalid period {raw.get('period_start')!r}..{raw.get('period_end')!r}") from None
    if start > end:
        raise ValueError(f"period starts after it ends ({start} > {end})")
    kind = (raw.get("period_kind") or "").strip()
    if kind not in ("duration", "instant") or (kind == "instant" and start != end):
        raise ValueError(f"invalid period kind {kind!r} for {start}..{end}")
    try:
        value = float((raw.get("value") or "").strip())
    except ValueError:
        raise ValueError(f"value is not a number: {raw.get('value')!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"value is not finite: {raw.get('value')!r}")
    unit, currency = _unit_and_currency(raw, metric.unit)
    qualifier = (raw.get("qualifier") or "").strip() or None
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    note = (raw.get("source_note") or "").strip()
    attributed = (raw.get("attributed_to") or "").strip() or None
    if attributed is None and infer_attribution:
        attributed = _attribution(note, metric_id, catalogue)
    return {
        "company": company,
        "metric": metric_id,
        "segment": catalogue.canonical_segment(metric_id, raw.get("segment") or ""),
        "period_start": start,
        "period_end": end,
        "period_kind": kind,
        "value": value,
        "unit": unit,
        "currency": currency,
        "qualifier": qualifier,
        "attributed_to": attributed,
        "comparative": (raw.get("comparative") or "").strip().lower() == "true",
        "source_url": (raw.get("source_url") or "").strip() or None,
        "source_note": note or None,
        "unverified": "unverif" in note.lower() or "conflict" in note.lower(),
    }


def _unit_and_currency(raw: dict[str, str], metric_unit: str) -> tuple[str, str | None]:
    """The reference format writes money as unit = currency = ISO code; ours is unit 'currency'."""
    unit = (raw.get("unit") or "").strip()
    currency = (raw.get("currency") or "").strip() or None
    if metric_unit == "currency":
        code = currency or (unit if ISO_CURRENCY.match(unit) else None)
        if not code or not ISO_CURRENCY.match(code):
            raise ValueError(f"money needs an ISO currency, got unit={unit!r} currency={currency!r}")
        return "currency", code
    if unit not in UNITS or unit == "currency":
        raise ValueError(f"unit {unit!r} is not one of {', '.join(UNITS)}")
    if currency:
        raise ValueError(f"a {unit} figure has no currency, got {currency!r}")
    return unit, None


def read_curated_csv(path: Path, company_names: dict[str, str]) -> CuratedRows:
    """Validate every row of a curated CSV; line numbers count the header as line 1."""
    catalogue = load_catalogue()
    result = CuratedRows()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for raw in reader:
            line = reader.line_num
            try:
                result.rows.append(validate_row(raw, company_names, catalogue))
            except ValueError as exc:
                result.rejected.append((line, str(exc)))
    return result
