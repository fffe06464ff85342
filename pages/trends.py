"""Trends: one metric over time for several companies, with the source behind every point.

Filters live in the URL (?metric=…&company=…&grain=…&view=…&fact=…), so a link reproduces the view and opens
the provenance of one point. Click a point to see its document, date and sentence.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.charts import VIEWS, trend_figure
from pages.formatting import is_missing
from pages.highlight import provenance_html
from pages.tables import GRAIN_LABELS, SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL
from pages.widgets import metric_kind, metric_label, pick_metric, url_multiselect, url_radio, url_select, url_toggle
from queries import reads

GRAINS = {label: grain for grain, label in GRAIN_LABELS.items()}
TABLE_COLUMNS = [
    "company", "period_start", "period_end", "value", "unit", "currency", "qualifier", "source", "status",
    "evidence", "source_url", "document_title",
]  # fmt: skip
GROWTH_COLUMNS = ["company", "period_start", "period_end", "value", "derived", "source", "evidence", "document_title"]
PROVENANCE_CSS = """<style>
blockquote mark.fact { background: #ffe58a; padding: 0 2px; border-radius: 3px; }
</style>"""


def _default_grain(metric: str) -> str:
    return "As of a date" if metric_kind(metric) in ("stock", "instant") else "Quarterly"


def _selected_fact(event) -> int | None:
    """The fact id of the clicked point (customdata[0]); None for a derived point or no selection."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list) and custom and not is_missing(custom[0]):
            return int(custom[0])
    return None


def _provenance_from_url() -> None:
    """The provenance panel of the fact named in the URL (?fact=ID), if any."""
    fact = st.query_params.get("fact")
    if fact and fact.isdigit():
        _show_provenance(int(fact))


def _stop(message: str) -> None:
    """Say why there is no chart, still show the linked fact, and end the run."""
    st.info(message)
    _provenance_from_url()
    st.stop()


def _show_provenance(fact_id: int) -> None:
    prov = data.fact_provenance(fact_id)
    if prov is None:
        st.warning(f"No fact {fact_id}.")
        return
    with st.container(border=True, key="provenance"):
        st.subheader(f"Where this figure comes from (fact {fact_id})")
        st.html(PROVENANCE_CSS + provenance_html(prov))
        if isinstance(prov.get("document_id"), str):
            st.page_link(
                "pages/releases.py",
                label="Open the release with every figure highlighted",
                icon=":material/article:",
                query_params={"doc": prov["document_id"]},
            )
        st.caption(f"Status: {prov['status']} · origin: {prov['origin']} · confidence {prov['confidence']:.2f}")


ensure_app_navigation()
st.title("Trends")
metric_ids = data.list_metrics()["metric"].tolist()
if not metric_ids:
    st.info("No facts yet: ingest a release on the Ingest page or run `python -m queries rebuild`.")
    st.stop()

left, middle, right = st.columns(3)
with left:
    metric = pick_metric(metric_ids, key="metric")
companies = data.list_companies_for_metric(metric)["company"].tolist()
sources = [s for s in data.list_sources_for_metric(metric)["source"].tolist() if s != "company"]
segments = data.list_segments_for_metric(metric)["segment"].tolist()
with middle:
    segment = url_select("Segment", segments, key="segment", default="", format_func=lambda s: s or "Whole company")
with right:
    source_label = url_select(
        "Source",
        [SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL, *sources],
        key="source",
        default=SOURCE_BEST_LABEL,
        help="Trackers disagree with companies and with each other: pick one to keep a chart consistent.",
    )
source = {SOURCE_BEST_LABEL: reads.SOURCES_BEST, SOURCE_COMPANY_LABEL: reads.SOURCES_COMPANY}.get(
    source_label, source_label
)
chosen = url_multiselect("Companies", companies, key="companies", param="company", default=data.default_peers(metric))

c1, c2, c3 = st.columns([3, 3, 1])
with c1:
    grain_label = url_radio("Frequency", list(GRAINS), key="grain", default=_default_grain(metric))
with c2:
    view = url_radio("View", list(VIEWS), key="view", default="Value")
with c3:
    log_y = url_toggle("Log scale", key="log_y")
grain = GRAINS[grain_label]

series = data.current_series(metric, chosen, segment, source, grain)
growth = data.growth_series(metric, chosen, segment, source, grain) if grain != "any" else pd.DataFrame()
label = metric_label(metric)
if series.empty:
    _stop("No values for this choice. Try another frequency, segment or source.")

if view == "Value":
    derived = growth[growth["derived"].fillna(False).astype(bool)] if not growth.empty else growth
    plotted = pd.concat([series.assign(derived=False), derived], ignore_index=True) if len(derived) else series
elif growth.empty:
    _stop(f"{view} needs one frequency: pick Quarterly or Annual.")
else:
    plotted = growth

column = VIEWS[view][0]
if plotted[column].notna().sum() == 0:
    _stop(f"No {view} values for this choice ({view} needs the period a year or a quarter before).")

unit = series["unit"].iloc[0]
currencies = sorted({c for c in series["currency"].dropna()})
y_label = f"{label} ({', '.join(currencies) or unit})" if view in ("Value", "Trailing 12 months") else view
events = data.list_events()
events = events[events["company"].isin(chosen)]
figure = trend_figure(plotted, f"{label} — {segment or 'whole company'}", y_label, log_y, view, events)
event = st.plotly_chart(figure, key="trend_chart", on_select="rerun", selection_mode="points")
clicked = _selected_fact(event)
if clicked is not None:
    st.query_params["fact"] = str(clicked)
st.caption(
    f"{plotted[column].notna().sum()} values · source: {source_label}. Hover a point for its sentence and "
    "document; click it to open its provenance. Open markers on a dotted line are derived fourth quarters "
    "(year minus Q1–Q3); ◆ marks an event."
)

_provenance_from_url()

if view == "Value":
    st.dataframe(
        series[TABLE_COLUMNS],
        hide_index=True,
        key="trend_table",
        column_config={
            "value": st.column_config.NumberColumn("value", format="%,.2f"),
            "period_start": st.column_config.DateColumn("start"),
            "period_end": st.column_config.DateColumn("end"),
            "source_url": st.column_config.LinkColumn("source URL"),
        },
    )
else:
    st.dataframe(
        plotted[[*GROWTH_COLUMNS[:4], column, *GROWTH_COLUMNS[4:]]],
        hide_index=True,
        key="trend_table",
        column_config={
            "value": st.column_config.NumberColumn("value", format="%,.2f"),
            column: st.column_config.NumberColumn(view, format="%,.1f"),
            "period_start": st.column_config.DateColumn("start"),
            "period_end": st.column_config.DateColumn("end"),
        },
    )
