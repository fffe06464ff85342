"""Export: the current values as CSV (long or wide, with or without provenance), and the same from the shell.

The bytes come from ``queries.export.export_bytes`` — the function the command line uses — so the command
shown under the button writes exactly the file the button downloads.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.database import get_connection
from pages.widgets import format_with, metric_label, url_date, url_multiselect, url_radio, url_select, url_toggle
from queries.export import ExportFilters, equivalent_command, export_bytes, export_filename

FREQUENCIES = {
    "any": "Any",
    "quarter": "Quarterly",
    "year": "Annual",
    "half": "Half-yearly",
    "nine_months": "Nine months",
    "month": "Monthly",
    "instant": "As of a date",
}
STATUSES = {"all": "Everything but rejected", "confirmed": "Confirmed or edited by a person"}
CURRENCIES = {"reported": "As reported", "USD": "US dollars", "CNY": "Chinese yuan (RMB)"}
SHAPES = {"long": "Long (one row per value)", "wide": "Wide (one column per period)"}
PREVIEW_ROWS = 20
EAGER_ROWS = 200_000  # below this the CSV is made with the page: exact row count and a preview


def _choices(metrics: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Companies, segments and sources available for the chosen metrics (all metrics when none chosen)."""
    companies, segments, sources = set(), set(), set()
    for metric in metrics:
        companies |= set(data.list_companies_for_metric(metric)["company"])
        segments |= set(data.list_segments_for_metric(metric)["segment"])
        sources |= set(data.list_sources_for_metric(metric)["source"])
    order = lambda s: (s != "company", s)  # noqa: E731 - the company's own figures first
    return sorted(companies), sorted(segments), sorted(sources, key=order)


def _filters(all_metrics: list[str]) -> ExportFilters | None:
    c1, c2 = st.columns(2)
    with c1:
        metrics = url_multiselect(
            "Metrics (none = all)", all_metrics, key="export_metrics", param="metric", format_func=metric_label
        )
    companies, segments, sources = _choices(metrics or all_metrics)
    with c2:
        chosen = url_multiselect("Companies (none = all)", companies, key="export_companies", param="company")
    c3, c4, c5, c6 = st.columns(4)
    with c3:
        chosen_segments = url_multiselect(
            "Segments (none = all)",
            segments,
            key="export_segments",
            param="segment",
            format_func=lambda s: s or "Whole company",
        )
    with c4:
        chosen_sources = url_multiselect("Sources (none = all)", sources, key="export_sources", param="source")
    with c5:
        period_from = url_date("Periods ending from", key="export_from", param="from")
    with c6:
        period_to = url_date("Periods ending until", key="export_to", param="to")
    c7, c8, c9 = st.columns(3)
    with c7:
        frequency = url_select(
            "Frequency",
            list(FREQUENCIES),
            key="export_frequency",
            default="any",
            param="frequency",
            format_func=format_with(FREQUENCIES),
        )
    with c8:
        shape = url_radio(
            "Shape",
            list(SHAPES),
            key="export_shape",
            default="long",
            param="shape",
            format_func=format_with(SHAPES),
            horizontal=False,
        )
        currency = url_radio(
            "Currency",
            list(CURRENCIES),
            key="export_currency",
            default="reported",
            param="currency",
            format_func=format_with(CURRENCIES),
        )
    with c9:
        statuses = url_radio(
            "Values",
            list(STATUSES),
            key="export_statuses",
            default="all",
            param="status",
            format_func=format_with(STATUSES),
            horizontal=False,
        )
        trace = url_toggle(
            "Provenance columns (document, sentence, fact id)",
            key="export_trace",
            default=True,
            param="trace",
            disabled=shape == "wide",
        )
        bom = url_toggle("Byte order mark for Excel", key="export_bom", param="bom")
    try:
        return ExportFilters(
            companies=tuple(chosen),
            metrics=tuple(metrics),
            segments=tuple(chosen_segments),
            sources=tuple(chosen_sources),
            period_from=period_from,
            period_to=period_to,
            frequency=frequency,
            statuses=statuses,
            currency=currency,
            shape=shape,
            trace=trace,
            bom=bom,
        )
    except ValueError as exc:
        st.error(str(exc))
        return None


def _estimated_rows(filters: ExportFilters, all_metrics: list[str]) -> int:
    """At most how many rows the export holds (values of the chosen metrics and companies, any period)."""
    total = 0
    for metric in filters.metrics or all_metrics:
        counts = data.list_companies_for_metric(metric)
        if filters.companies:
            counts = counts[counts["company"].isin(filters.companies)]
        total += int(counts["facts"].sum())
    return total


def _deferred(filters: ExportFilters):
    """The CSV made on click (Streamlit runs this on another thread; export_bytes opens its own cursor)."""
    con = get_connection()
    return lambda: export_bytes(con, filters)


def _preview(payload: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(payload), nrows=PREVIEW_ROWS, encoding="utf-8-sig", dtype=str, keep_default_na=False)


ensure_app_navigation()
st.title("Export")
st.caption("The current values as CSV for Excel and other tools. Filters stay in the URL: share the link.")
all_metrics = data.list_metrics()["metric"].tolist()
filters = _filters(all_metrics)
if filters is None:
    st.stop()

file_name = export_filename(filters)
estimate = _estimated_rows(filters, all_metrics)
if estimate <= EAGER_ROWS:
    payload, rows = data.export_csv(filters)
    label, disabled = f"Download CSV ({rows:,} rows)", rows == 0
else:  # written when the button is clicked, on its own cursor, so the page stays fast at any size
    payload, rows = _deferred(filters), None
    label, disabled = f"Download CSV (up to {estimate:,} rows; written when you click)", False
st.download_button(
    label,
    data=payload,
    file_name=file_name,
    mime="text/csv",
    on_click="ignore",
    key="export_download",
    type="primary",
    icon=":material/download:",
    disabled=disabled,
)
st.caption("The same file from the command line:")
st.code(equivalent_command(filters, out=file_name), language="bash")
if rows:
    st.dataframe(_preview(payload), hide_index=True, key="export_preview")
    st.caption(f"First {min(rows, PREVIEW_ROWS)} of {rows:,} rows.")
elif rows == 0:
    st.info("No values match these filters.")
