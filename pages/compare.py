"""Compare: one metric, one period, many companies — ranked bars, money in one currency, a two-metric scatter."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.charts import compare_bar_figure, scatter_figure
from pages.tables import SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL, alignment_notes, fx_notes, peer_table
from pages.widgets import format_with, metric_label, pick_metric, url_radio, url_select
from queries import reads

GRAINS = {"quarter": "Quarterly", "year": "Annual"}
CURRENCIES = {"USD": "US dollars", "CNY": "Chinese yuan (RMB)", "": "As reported"}
ALIGNMENT_RULE = (
    "Calendar alignment: a company's period counts for the calendar period when it ends within 7 days of it "
    "(Apple's fiscal Q1 ending late December is calendar Q4). Fiscal years that end in another month are not "
    "shifted, so a company with a September year end has no calendar-year value."
)


def _periods(metric: str, segment: str, grain: str) -> tuple[list[str], dict[str, str], str | None]:
    """Calendar periods with values (newest first), their labels, and the newest with the most companies."""
    cells = data.coverage_cells(metric, segment, grain)
    if cells.empty:
        return [], {}, None
    per = cells.groupby(["calendar_period_end", "period"]).size().reset_index(name="companies")
    per = per.sort_values("calendar_period_end", ascending=False)
    options = [f"{d:%Y-%m-%d}" for d in per["calendar_period_end"]]
    labels = {
        f"{d:%Y-%m-%d}": f"{p} ({n} companies)"
        for d, p, n in zip(per["calendar_period_end"], per["period"], per["companies"], strict=True)
    }
    best = per[per["companies"] >= min(3, per["companies"].max())].iloc[0]
    return options, labels, f"{best['calendar_period_end']:%Y-%m-%d}"


def _source_picker(metric: str) -> str:
    trackers = [s for s in data.list_sources_for_metric(metric)["source"].tolist() if s != "company"]
    label = url_select(
        "Source",
        [SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL, *trackers],
        key="compare_source",
        default=SOURCE_BEST_LABEL,
        param="source",
    )
    return {SOURCE_BEST_LABEL: reads.SOURCES_BEST, SOURCE_COMPANY_LABEL: reads.SOURCES_COMPANY}.get(label, label)


def _ranked(metric: str, period_end: dt.date, grain: str, segment: str, source: str, currency: str) -> None:
    ranked = data.compare_period(metric, period_end, grain, segment, source, currency)
    if ranked.empty:
        st.warning("No company has a value for this period. Pick another period, frequency or source.")
        return
    label = metric_label(metric)
    shown = ranked["converted_currency"].dropna().unique().tolist()
    axis = f"{label} ({', '.join(shown)})" if shown else f"{label} ({ranked['unit'].iloc[0]})"
    title = f"{label} — {ranked['period_end'].max():%Y-%m-%d} ({GRAINS[grain].lower()})"
    st.plotly_chart(compare_bar_figure(ranked, title, axis), key="compare_chart")
    notes = fx_notes(ranked, currency)
    if notes:
        st.caption("FX (Federal Reserve rates, via data/fx_rates.csv): " + " · ".join(notes))
    elif ranked["unit"].iloc[0] == "currency" and not currency:
        st.caption("Values are in each company's reporting currency: they are not comparable across currencies.")
    st.caption(ALIGNMENT_RULE)
    for note in alignment_notes(ranked):
        st.caption("• " + note)
    st.dataframe(
        peer_table(ranked),
        hide_index=True,
        key="compare_table",
        column_config={"FX rate (per USD)": st.column_config.NumberColumn(format="%.4f")},
    )


def _axis(metric: str, points, side: str) -> str:
    currencies = points[f"{side}_currency"].dropna().unique().tolist()
    return f"{metric_label(metric)} ({', '.join(currencies) or points[f'{side}_unit'].iloc[0]})"


def _scatter(metric_ids: list[str], period_end: dt.date, grain: str, source: str, currency: str) -> None:
    st.subheader("Two metrics, same period")
    left, right = st.columns(2)
    with left:
        metric_x = url_select(
            "Horizontal axis",
            metric_ids,
            key="compare_x",
            default="smartphone_shipments",
            param="x",
            format_func=metric_label,
        )
    with right:
        metric_y = url_select(
            "Vertical axis", metric_ids, key="compare_y", default="revenue", param="y", format_func=metric_label
        )
    points = data.scatter_metrics(metric_x, metric_y, period_end, grain, "", "", source, currency)
    if len(points) < 2:
        who = f"Only {points['company'].iloc[0]} reports" if len(points) else "No company reports"
        st.info(f"{who} both metrics for this period: pick another period (or a metric pair) to compare.")
        return
    x_label, y_label = _axis(metric_x, points, "x"), _axis(metric_y, points, "y")
    title = f"{metric_label(metric_x)} vs {metric_label(metric_y)} — {period_end:%Y-%m-%d}"
    st.plotly_chart(scatter_figure(points, title, x_label, y_label), key="compare_scatter")


ensure_app_navigation()
st.title("Compare")
metric_ids = data.list_metrics()["metric"].tolist()
if not metric_ids:
    st.info("No facts yet.")
    st.stop()

c1, c2, c3 = st.columns(3)
with c1:
    metric = pick_metric(metric_ids, key="compare_metric")
with c2:
    grain = url_radio(
        "Frequency",
        list(GRAINS),
        key="compare_grain",
        default="quarter",
        param="grain",
        format_func=format_with(GRAINS),
    )
with c3:
    currency = url_radio(
        "Currency",
        list(CURRENCIES),
        key="compare_currency",
        default="USD",
        param="currency",
        format_func=format_with(CURRENCIES),
    )

c4, c5, c6 = st.columns(3)
with c4:
    segments = data.list_segments_for_metric(metric)["segment"].tolist()
    segment = url_select(
        "Segment",
        segments,
        key="compare_segment",
        default="",
        param="segment",
        format_func=lambda s: s or "Whole company",
    )
with c5:
    source = _source_picker(metric)
periods, period_labels, default_period = _periods(metric, segment, grain)
if not periods:
    st.warning("No values for this metric and frequency.")
    st.stop()
with c6:
    period = url_select(
        "Period",
        periods,
        key="compare_period",
        default=default_period,
        param="period",
        format_func=format_with(period_labels),
    )
period_end = dt.date.fromisoformat(period)

_ranked(metric, period_end, grain, segment, source, currency)
_scatter(metric_ids, period_end, grain, source, currency)
