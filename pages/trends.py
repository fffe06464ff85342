"""Trends: one metric over time for several companies, with the source behind every point.

Filters live in the URL (?metric=…&company=…&grain=…&view=…&fact=…), so a link reproduces the view and opens
the provenance of one point. Click a point to see its document, date and sentence.
"""

from __future__ import annotations

import streamlit as st

from pages import data, views
from pages.boot import ensure_app_navigation
from pages.charts import VIEWS
from pages.formatting import is_missing
from pages.highlight import provenance_html
from pages.tables import GRAIN_LABELS, SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL
from pages.widgets import metric_kind, pick_metric, url_multiselect, url_radio, url_select, url_toggle
from queries import reads

GRAINS = {label: grain for grain, label in GRAIN_LABELS.items()}
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
metric_ids = views.metric_ids()
if not metric_ids:
    st.info("No facts yet: ingest a release on the Ingest page or run `python -m queries rebuild`.")
    st.stop()

left, middle, right = st.columns(3)
with left:
    metric = pick_metric(metric_ids, key="metric")
choices = views.metric_choices(metric)
with middle:
    segment = url_select(
        "Segment", choices.segments, key="segment", default="", format_func=lambda s: s or "Whole company"
    )
with right:
    source_label = url_select(
        "Source",
        [SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL, *choices.trackers],
        key="source",
        default=SOURCE_BEST_LABEL,
        help="Trackers disagree with companies and with each other: pick one to keep a chart consistent.",
    )
source = {SOURCE_BEST_LABEL: reads.SOURCES_BEST, SOURCE_COMPANY_LABEL: reads.SOURCES_COMPANY}.get(
    source_label, source_label
)
chosen = url_multiselect(
    "Companies", choices.companies, key="companies", param="company", default=choices.default_peers
)

c1, c2, c3 = st.columns([3, 3, 1])
with c1:
    grain_label = url_radio("Frequency", list(GRAINS), key="grain", default=_default_grain(metric))
with c2:
    view = url_radio("View", list(VIEWS), key="view", default="Value")
with c3:
    log_y = url_toggle("Log scale", key="log_y")
grain = GRAINS[grain_label]

trend = views.trend_view(metric, chosen, segment, source, grain, view, log_y)
if trend.message:
    _stop(trend.message)
event = st.plotly_chart(trend.figure, key="trend_chart", on_select="rerun", selection_mode="points")
clicked = _selected_fact(event)
if clicked is not None:
    st.query_params["fact"] = str(clicked)
st.caption(
    f"{trend.values} values · source: {source_label}. Hover a point for its sentence and "
    "document; click it to open its provenance. Open markers on a dotted line are derived fourth quarters "
    "(year minus Q1–Q3); ◆ marks an event."
)

_provenance_from_url()

columns = {
    "value": st.column_config.NumberColumn("value", format="%,.2f"),
    "period_start": st.column_config.DateColumn("start"),
    "period_end": st.column_config.DateColumn("end"),
}
if view == "Value":
    columns["source_url"] = st.column_config.LinkColumn("source URL")
else:
    columns[trend.value_column] = st.column_config.NumberColumn(view, format="%,.1f")
st.dataframe(trend.table, hide_index=True, key="trend_table", column_config=columns)
