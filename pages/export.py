"""Export: the current values as CSV (long or wide, with or without provenance), and the same from the shell.

The bytes come from ``queries.export.export_bytes`` — the function the command line uses — so the command
shown under the button writes exactly the file the button downloads.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from pages import data
from pages.widgets import format_with, metric_label, url_date, url_multiselect, url_radio, url_select, url_toggle
from queries.export import ExportFilters, equivalent_command, export_filename

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
        metrics = url_multiselect("Metrics (none = all)", all_metrics, key="export_metrics", param="metric",
                                  format_func=metric_label)  # fmt: skip
    companies, segments, sources = _choices(metrics or all_metrics)
    with c2:
        chosen = url_multiselect("Companies (none = all)", companies, key="export_companies", param="company")
    c3, c4, c5, c6 = st.columns(4)
    with c3:
        chosen_segments = url_multiselect("Segments (none = all)", segments, key="export_segments", param="segment",
                                          format_func=lambda s: s or "Whole company")  # fmt: skip
    with c4:
        chosen_sources = url_multiselect("Sources (none = all)", sources, key="export_sources", param="source")
    with c5:
        period_from = url_date("Periods ending from", key="export_from", param="from", value=None)
    with c6:
        period_to = url_date("Periods ending until", key="export_to", param="to", value=None)
    c7, c8, c9 = st.columns(3)
    with c7:
        frequency = url_select("Frequency", list(FREQUENCIES), key="export_frequency", default="any",
                               param="frequency", format_func=format_with(FREQUENCIES))  # fmt: skip
    with c8:
        shape = url_radio("Shape", list(SHAPES), key="export_shape", default="long", param="shape",
                          format_func=format_with(SHAPES), horizontal=False)  # fmt: skip
        currency = url_radio("Currency", list(CURRENCIES), key="export_currency", default="reported",
                             param="currency", format_func=format_with(CURRENCIES))  # fmt: skip
    with c9:
        statuses = url_radio("Values", list(STATUSES), key="export_statuses", default="all", param="status",
                             format_func=format_with(STATUSES), horizontal=False)  # fmt: skip
        trace = url_toggle("Provenance columns (document, sentence, fact id)", key="export_trace", default=True,
                           param="trace", disabled=shape == "wide")  # fmt: skip
        bom = url_toggle("Byte order mark for Excel", key="export_bom", param="bom")
    try:
        return ExportFilters(
            companies=tuple(chosen), metrics=tuple(metrics), segments=tuple(chosen_segments),
            sources=tuple(chosen_sources), period_from=period_from, period_to=period_to, frequency=frequency,
            statuses=statuses, currency=currency, shape=shape, trace=trace, bom=bom,
        )  # fmt: skip
    except ValueError as exc:
        st.error(str(exc))
        return None


def _preview(payload: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(payload), nrows=PREVIEW_ROWS, encoding="utf-8-sig", dtype=str, keep_default_na=False)


st.title("Export")
st.caption("The current values as CSV for Excel and other tools. Filters stay in the URL: share the link.")
all_metrics = data.list_metrics()["metric"].tolist()
filters = _filters(all_metrics)
if filters is None:
    st.stop()

payload, rows = data.export_csv(filters)
file_name = export_filename(filters)
st.download_button(
    f"Download CSV ({rows:,} rows)",
    data=payload,
    file_name=file_name,
    mime="text/csv",
    on_click="ignore",
    key="export_download",
    type="primary",
    icon=":material/download:",
    disabled=rows == 0,
)
st.caption("The same file from the command line:")
st.code(equivalent_command(filters, out=file_name), language="bash")
if rows:
    st.dataframe(_preview(payload), hide_index=True, key="export_preview")
    st.caption(f"First {min(rows, PREVIEW_ROWS)} of {rows:,} rows.")
else:
    st.info("No values match these filters.")
