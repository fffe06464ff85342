"""Pure builders of what the pages show besides charts and document HTML: KPI cards, tables and links.

No Streamlit here, so every function can be tested with plain DataFrames.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd

from pages.formatting import (
    as_date,
    format_change,
    format_points,
    format_value,
    grain_of,
    is_missing,
    period_label,
)

# Trends' frequency labels by grain id; keep in sync with the radio on pages/trends.py.
GRAIN_LABELS = {
    "quarter": "Quarterly",
    "year": "Annual",
    "month": "Monthly",
    "half": "Half-yearly",
    "instant": "As of a date",
    "any": "All",
}
SOURCE_BEST_LABEL = "Best available (company first)"
SOURCE_COMPANY_LABEL = "Company-reported"
# KPI cards come in this order; other metrics follow alphabetically.
METRIC_ORDER = (
    "revenue", "adjusted_net_profit", "net_profit", "gross_profit", "smartphone_shipments", "market_share_pct",
    "market_rank", "ev_deliveries", "monthly_active_users", "connected_iot_devices", "active_devices",
    "cash_reserves", "rd_expenses", "overseas_revenue", "premium_smartphone_shipments",
)  # fmt: skip
NOT_KPI_CARDS = ("investment_commitment",)
REVIEW_COLUMNS = (
    "fact_id", "decision", "company", "metric", "segment", "period_start", "period_end", "value", "unit",
    "currency", "evidence", "confidence", "source", "reason",
)  # fmt: skip
REVIEW_EDITABLE = ("metric", "segment", "period_start", "period_end", "value")
DECISIONS = ("", "confirm", "reject")


# ---------------------------------------------------------------------------- small helpers


def period_end_label(end, grain: str) -> str:
    """A period named by its end alone (for 'vs Q2 2025').

    >>> import datetime as dt
    >>> period_end_label(dt.date(2025, 6, 30), "quarter")
    'Q2 2025'
    >>> period_end_label(dt.date(2024, 12, 31), "year")
    'FY2024'
    """
    end = as_date(end)
    if end is None:
        return ""
    if grain == "quarter":
        return f"Q{(end.month - 1) // 3 + 1} {end.year}"
    if grain == "year":
        return f"FY{end.year}"
    if grain == "half":
        return f"H{1 if end.month <= 6 else 2} {end.year}"
    if grain == "month":
        return f"{end:%b %Y}"
    return f"{end:%Y-%m-%d}"


def shorten(text, limit: int = 120) -> str:
    """
    >>> shorten("a  b\\n c", 10)
    'a b c'
    >>> shorten("abcdefghijkl", 5)
    'abcd…'
    """
    text = " ".join(str(text).split()) if isinstance(text, str) else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------- Overview


def _metric_rank(metric: str) -> tuple[int, str]:
    return (METRIC_ORDER.index(metric) if metric in METRIC_ORDER else len(METRIC_ORDER), metric)


def kpi_cards(snapshot: pd.DataFrame, label_of: Callable[[str], str] = str) -> list[dict]:
    """One card per metric: value, change vs the prior period, YoY and the sparkline.

    Percentages change in points, ranks in places (lower is better), everything else in percent. Investment
    commitments are events, not KPIs: the Overview lists them apart.
    """
    cards = []
    rows = [r for r in snapshot.itertuples(index=False) if r.metric not in NOT_KPI_CARDS]
    for row in sorted(rows, key=lambda r: _metric_rank(r.metric)):
        currency = None if is_missing(row.currency) else row.currency
        period = period_label(as_date(row.period_start), as_date(row.period_end), row.grain)
        prior = period_end_label(row.prior_period_end, row.grain)
        delta, yoy, color = _changes(row)
        unchanged = delta.startswith(("0 ", "+0.0 ", "-0.0 "))
        spark = [] if row.sparkline_values is None else [float(v) for v in row.sparkline_values]
        description = " · ".join(p for p in (f"vs {prior}" if prior and delta != "–" else "", f"YoY {yoy}") if p)
        cards.append(
            {
                "metric": row.metric,
                "label": f"{label_of(row.metric)} · {period}",
                "value": format_value(row.value, row.unit, currency),
                "raw_value": float(row.value),
                "delta": delta if delta != "–" else None,
                "delta_description": description,
                "delta_color": "off" if unchanged else color,
                "delta_arrow": "off" if unchanged else "auto",
                "sparkline": spark if len(spark) > 1 else None,
                "help": f"Source: {row.source} · status: {row.status} · fact {row.fact_id}",
                "fact_id": None if is_missing(row.fact_id) else int(row.fact_id),
                "grain": row.grain,
            }
        )
    return cards


def _changes(row) -> tuple[str, str, str]:
    """(change vs prior, year-on-year, delta colour) for one snapshot row."""
    if row.unit == "percent":
        prior = None if is_missing(row.prior_value) else row.value - row.prior_value
        year = None if is_missing(row.year_ago_value) else row.value - row.year_ago_value
        return format_points(prior), format_points(year), "normal"
    if row.unit == "rank":
        prior = None if is_missing(row.prior_value) else int(row.value - row.prior_value)
        year = None if is_missing(row.year_ago_value) else int(row.value - row.year_ago_value)
        as_text = lambda v: "–" if v is None else ("0 places" if v == 0 else f"{v:+d} places")  # noqa: E731
        return as_text(prior), as_text(year), "inverse"
    return format_change(row.change_pct), format_change(row.yoy_pct), "normal"


# ---------------------------------------------------------------------------- links between pages


def trends_query(row) -> dict[str, str]:
    """URL parameters of the Trends view that shows one fact (and opens its provenance)."""
    grain = grain_of(as_date(row.period_start), as_date(row.period_end), getattr(row, "period_kind", "duration"))
    attributed = getattr(row, "attributed_to", None)
    source = attributed if isinstance(attributed, str) and attributed else SOURCE_COMPANY_LABEL
    return {
        "metric": str(row.metric),
        "company": str(row.company),
        "segment": str(row.segment or ""),
        "grain": GRAIN_LABELS.get(grain, "All"),
        "source": source,
        "view": "Value",
        "fact": str(int(row.fact_id)),
    }


def trends_link(row) -> str:
    """A relative link to the Trends page for one fact (works under any base URL)."""
    return "trends?" + urlencode(trends_query(row))


def releases_link(document_id: str) -> str:
    return "releases?" + urlencode({"doc": document_id})


# ---------------------------------------------------------------------------- Compare


def peer_table(df: pd.DataFrame) -> pd.DataFrame:
    """Ranked companies with the compared value, as reported, the period and where it came from."""
    rows = []
    for r in df.sort_values("rank").itertuples(index=False):
        converted = format_value(
            r.converted_value, r.unit, None if is_missing(r.converted_currency) else r.converted_currency
        )
        rows.append(
            {
                "rank": int(r.rank),
                "company": r.company,
                "value": converted,
                "as reported": format_value(r.value, r.unit, None if is_missing(r.currency) else r.currency),
                "period": f"{as_date(r.period_start):%Y-%m-%d} – {as_date(r.period_end):%Y-%m-%d}",
                "alignment": r.alignment,
                "FX rate (per USD)": None if is_missing(r.fx_rate) else float(r.fx_rate),
                "source": r.source,
                "status": r.status,
                "fact_id": None if is_missing(r.fact_id) else int(r.fact_id),
            }
        )
    return pd.DataFrame(rows)


def fx_notes(df: pd.DataFrame, target: str) -> list[str]:
    """One line per conversion used: '1 CNY = 0.1448 USD (average rate 2020-01-01 – 2020-12-31; 6.9042 CNY per USD)'."""
    if df.empty or not target or "fx_rate" not in df:
        return []
    notes = []
    used = df.dropna(subset=["fx_rate"]).drop_duplicates(
        ["currency", "fx_kind", "fx_period_start", "fx_period_end", "fx_rate", "fx_target_rate"]
    )
    for r in used.itertuples(index=False):
        rate = float(r.fx_target_rate) / float(r.fx_rate)
        span = f"{as_date(r.fx_period_start):%Y-%m-%d} – {as_date(r.fx_period_end):%Y-%m-%d}"
        notes.append(
            f"1 {r.currency} = {rate:.4f} {target} ({r.fx_kind} rate {span}; {float(r.fx_rate):.4f} {r.currency} per USD)"
        )
    return notes


def alignment_notes(df: pd.DataFrame) -> list[str]:
    """The companies whose fiscal period was counted for the calendar period, and how."""
    return [f"{r.company}: {r.alignment}" for r in df.itertuples(index=False) if r.alignment != "calendar period"]


# ---------------------------------------------------------------------------- Ingest


def facts_preview(facts: list) -> pd.DataFrame:
    """The extracted facts of one document, as the editor checks them before saving."""
    rows = []
    for f in facts:
        grain = grain_of(f.period_start, f.period_end, f.period_kind)
        rows.append(
            {
                "company": f.company,
                "metric": f.metric,
                "segment": f.segment,
                "period": period_label(f.period_start, f.period_end, grain),
                "value": format_value(f.value, f.unit, f.currency),
                "qualifier": f.qualifier,
                "source": f.attributed_to or "company",
                "confidence": float(f.confidence),
                "evidence": f.evidence,
            }
        )
    columns = ["company", "metric", "segment", "period", "value", "qualifier", "source", "confidence", "evidence"]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------- Review


def review_frame(queue: pd.DataFrame) -> pd.DataFrame:
    """The review queue as an editable table: one row per fact with a decision column."""
    frame = pd.DataFrame(
        {
            "fact_id": queue["fact_id"].astype(int),
            "reason": queue["reason"],
            "decision": "",
            "company": queue["company"],
            "metric": queue["metric"],
            "segment": queue["segment"].fillna(""),
            "period_start": [as_date(v) for v in queue["period_start"]],
            "period_end": [as_date(v) for v in queue["period_end"]],
            "value": queue["value"].astype(float),
            "unit": queue["unit"],
            "currency": queue["currency"],
            "confidence": queue.get("confidence"),
            "source": queue["attributed_to"].fillna(queue.get("origin", "")) if "attributed_to" in queue else "",
            "evidence": queue["evidence"],
        }
    )
    return frame[list(REVIEW_COLUMNS)].reset_index(drop=True)


def conflict_frame(conflicts: pd.DataFrame) -> pd.DataFrame:
    """Both sides of every conflict as review rows, each saying which value it disagrees with."""
    rows = []
    for c in conflicts.itertuples(index=False):
        for me, other in (("a", "b"), ("b", "a")):
            rows.append(
                {
                    "fact_id": int(getattr(c, f"fact_id_{me}")),
                    "reason": f"conflict: {getattr(c, f'value_{other}'):,.6g} per {getattr(c, f'source_{other}')}"
                    f" ({c.difference_pct:.1f} % apart)",
                    "company": c.company,
                    "metric": c.metric,
                    "segment": c.segment or "",
                    "period_start": c.period_start,
                    "period_end": c.period_end,
                    "value": float(getattr(c, f"value_{me}")),
                    "unit": c.unit,
                    "currency": c.currency,
                    "confidence": None,
                    "attributed_to": getattr(c, f"source_{me}"),
                    "evidence": getattr(c, f"origin_{me}"),
                }
            )
    if not rows:
        return review_frame(pd.DataFrame(columns=["fact_id", "reason", "company", "metric", "segment", "period_start",
                                                  "period_end", "value", "unit", "currency", "confidence",
                                                  "attributed_to", "evidence"]))  # fmt: skip
    frame = pd.DataFrame(rows)
    frame = frame.groupby("fact_id", as_index=False, sort=False).agg(
        {**{k: "first" for k in frame.columns if k not in ("fact_id", "reason")}, "reason": "; ".join}
    )
    return review_frame(frame)


def _same(a, b) -> bool:
    if is_missing(a) and is_missing(b):
        return True
    if isinstance(a, float | int) and isinstance(b, float | int):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def _clean(column: str, value):
    if column in ("period_start", "period_end"):
        return as_date(value)
    if column == "value":
        return None if is_missing(value) else float(value)
    return "" if is_missing(value) else str(value).strip()


def review_changes(frame: pd.DataFrame, edited_rows: dict) -> list[tuple[int, str, dict]]:
    """What the editor asked for in the table: (fact_id, 'edit' | 'confirm' | 'reject', changed fields).

    ``edited_rows`` is st.data_editor's {row position: {column: new value}}; unchanged values are dropped.
    A rejected row is only rejected; an edited row is edited (an edit is also a confirmation).
    """
    actions = []
    for position, changes in sorted(edited_rows.items(), key=lambda item: int(item[0])):
        original = frame.iloc[int(position)]
        edits = {}
        for column, value in changes.items():
            if column in REVIEW_EDITABLE:
                new = _clean(column, value)
                if not _same(new, _clean(column, original[column])):
                    edits[column] = new
        decision = str(changes.get("decision") or "")
        fact_id = int(original["fact_id"])
        if decision == "reject":
            actions.append((fact_id, "reject", {}))
        elif edits:
            actions.append((fact_id, "edit", edits))
        elif decision == "confirm":
            actions.append((fact_id, "confirm", {}))
    return actions


def edit_summary(before, after) -> str:
    """'value: 40.2 M units → 41.0 M units; status: extracted → edited' from the audit row's JSON."""
    b = json.loads(before) if isinstance(before, str) else dict(before or {})
    a = json.loads(after) if isinstance(after, str) else dict(after or {})
    parts = []
    for key in sorted(set(a) | set(b)):
        if key == "updated_by" or b.get(key) == a.get(key):
            continue
        old, new = b.get(key), a.get(key)
        if key == "value":
            old = format_value(old, b.get("unit", ""), b.get("currency")) if old is not None else "–"
            new = format_value(new, a.get("unit", ""), a.get("currency")) if new is not None else "–"
        parts.append(f"{key}: {old} → {new}")
    return "; ".join(parts) or "no change"


def document_label(row) -> str:
    """How a document is named in pickers: date · company · title."""
    published = as_date(row.published)
    title = shorten(row.title or row.source or row.document_id, 70)
    when = f"{published:%Y-%m-%d}" if published else "undated"
    return f"{when} · {row.company or '?'} · {title}"
