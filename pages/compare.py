"""Compare: one metric, one period, many companies — ranked bars, money in one currency, a two-metric scatter."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from pages import views
from pages.boot import ensure_app_navigation
from pages.tables import SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL
from pages.widgets import format_with, metric_label, pick_metric, url_radio, url_select
from queries import reads

GRAINS = {"quarter": "Quarterly", "year": "Annual"}
CURRENCIES = {"USD": "US dollars", "CNY": "Chinese yuan (RMB)", "": "As reported"}
ALIGNMENT_RULE = (
    "Calendar alignment: a company's period counts for the calendar period when it ends within 7 days of it "
    "(Apple's fiscal Q1 ending late December is calendar Q4). Fiscal years that end in another month are not "
    "shifted, so a company with a September year end has no calendar-year value."
)


def _source_picker(metric: str) -> str:
    trackers = views.metric_choices(metric).trackers
    label = url_select(
        "Source",
        [SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL, *trackers],
        key="compare_source",
        default=SOURCE_BEST_LABEL,
        param="source",
    )
    return {SOURCE_BEST_LABEL: reads.SOURCES_BEST, SOURCE_COMPANY_LABEL: reads.SOURCES_COMPANY}.get(label, label)


def _ranked(metric: str, period_end: dt.date, grain: str, segment: str, source: str, currency: str) -> None:
    ranked = views.ranked_view(metric, period_end, grain, segment, source, currency, GRAINS[grain])
    if ranked.figure is None:
        st.warning("No company has a value for this period. Pick another period, frequency or source.")
        return
    st.plotly_chart(ranked.figure, key="compare_chart")
    if ranked.fx_notes:
        st.caption("FX (Federal Reserve rates, via data/fx_rates.csv): " + " · ".join(ranked.fx_notes))
    elif ranked.reporting_currencies_note:
        st.caption("Values are in each company's reporting currency: they are not comparable across currencies.")
    st.caption(ALIGNMENT_RULE)
    for note in ranked.alignment_notes:
        st.caption("• " + note)
    st.dataframe(
        ranked.table,
        hide_index=True,
        key="compare_table",
        column_config={"FX rate (per USD)": st.column_config.NumberColumn(format="%.4f")},
    )


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
    scatter = views.scatter_view(metric_x, metric_y, period_end, grain, source, currency)
    if scatter.message:
        st.info(scatter.message)
        return
    st.plotly_chart(scatter.figure, key="compare_scatter")


ensure_app_navigation()
st.title("Compare")
metric_ids = views.metric_ids()
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
    segment = url_select(
        "Segment",
        views.metric_choices(metric).segments,
        key="compare_segment",
        default="",
        param="segment",
        format_func=lambda s: s or "Whole company",
    )
with c5:
    source = _source_picker(metric)
periods = views.compare_periods(metric, segment, grain)
if not periods.options:
    st.warning("No values for this metric and frequency.")
    st.stop()
with c6:
    period = url_select(
        "Period",
        periods.options,
        key="compare_period",
        default=periods.default,
        param="period",
        format_func=format_with(periods.labels),
    )
period_end = dt.date.fromisoformat(period)

_ranked(metric, period_end, grain, segment, source, currency)
_scatter(metric_ids, period_end, grain, source, currency)
