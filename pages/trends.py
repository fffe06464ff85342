"""Trends: one metric over time for several companies, with the source behind every point."""

from __future__ import annotations

import streamlit as st

from metrics.catalogue import load_catalogue
from pages.charts import trend_figure
from pages.database import get_connection
from queries import reads

GRAINS = {
    "Quarterly": "quarter",
    "Annual": "year",
    "Monthly": "month",
    "Half-yearly": "half",
    "As of a date": "instant",
    "All": "any",
}
SOURCE_BEST_LABEL = "Best available (company first)"
SOURCE_COMPANY_LABEL = "Company-reported"


@st.cache_data(ttl=300, show_spinner=False)
def _metrics() -> list[str]:
    return reads.list_metrics(get_connection())["metric"].tolist()


@st.cache_data(ttl=300, show_spinner=False)
def _options(metric: str) -> tuple[list[str], list[str], list[str], list[str]]:
    con = get_connection()
    companies = reads.list_companies_for_metric(con, metric)["company"].tolist()
    sources = [s for s in reads.list_sources_for_metric(con, metric)["source"].tolist() if s != "company"]
    segments = reads.list_segments_for_metric(con, metric)["segment"].tolist()
    return companies, sources, segments, reads.default_peers(con, metric)


@st.cache_data(ttl=300, show_spinner=False)
def _series(metric: str, companies: tuple[str, ...], segment: str, source: str, grain: str):
    return reads.current_series(get_connection(), metric, list(companies), segment, source, grain)


def _default_grain(metric_kind: str) -> str:
    return "As of a date" if metric_kind in ("stock", "instant") else "Quarterly"


def _pick(label: str, options: list[str], key: str, default: str, **kwargs) -> str:
    """A selectbox whose choice is kept in the URL, so a link reproduces the view."""
    wanted = st.query_params.get(key, default)
    index = options.index(wanted) if wanted in options else (options.index(default) if default in options else 0)
    choice = st.selectbox(label, options, index=index, key=key, **kwargs)
    st.query_params[key] = choice
    return choice


catalogue = load_catalogue()
st.title("Trends")
metric_ids = _metrics()
if not metric_ids:
    st.info("No facts yet: ingest a release on the Ingest page or run `python -m queries rebuild`.")
    st.stop()

left, middle, right = st.columns([2, 2, 2])
with left:
    metric = _pick(
        "Metric",
        metric_ids,
        "metric",
        "smartphone_shipments",
        format_func=lambda m: catalogue.metrics[m].label if m in catalogue.metrics else m,
    )
companies, sources, segments, peers = _options(metric)
metric_def = catalogue.metrics.get(metric)
with middle:
    segment = _pick("Segment", segments, "segment", "", format_func=lambda s: s or "Whole company")
with right:
    source_labels = [SOURCE_BEST_LABEL, SOURCE_COMPANY_LABEL, *sources]
    source_label = _pick(
        "Source",
        source_labels,
        "source",
        SOURCE_BEST_LABEL,
        help="Trackers disagree with companies and with each other: pick one to keep a chart consistent.",
    )
source = {SOURCE_BEST_LABEL: reads.SOURCES_BEST, SOURCE_COMPANY_LABEL: reads.SOURCES_COMPANY}.get(
    source_label, source_label
)

url_companies = [c for c in st.query_params.get_all("company") if c in companies]
chosen = st.multiselect("Companies", companies, default=url_companies or peers, key="companies")
st.query_params["company"] = chosen

c1, c2 = st.columns([3, 1])
with c1:
    grain_names = list(GRAINS)
    grain_label = st.radio(
        "Frequency",
        grain_names,
        index=grain_names.index(_default_grain(metric_def.kind if metric_def else "flow")),
        horizontal=True,
        key="grain",
    )
with c2:
    log_y = st.toggle("Log scale", key="log_y")

df = _series(metric, tuple(chosen), segment, source, GRAINS[grain_label])
label = metric_def.label if metric_def else metric
if df.empty:
    st.warning("No values for this choice. Try another frequency, segment or source.")
    st.stop()

unit = df["unit"].iloc[0]
currencies = sorted({c for c in df["currency"].dropna()})
y_label = f"{label} ({', '.join(currencies)})" if currencies else f"{label} ({unit})"
st.plotly_chart(trend_figure(df, f"{label} — {segment or 'whole company'}", y_label, log_y), key="trend_chart")
st.caption(f"{len(df)} values · source: {source_label}. Hover a point for its source sentence and document.")

table = df[
    [
        "company",
        "period_start",
        "period_end",
        "value",
        "unit",
        "currency",
        "qualifier",
        "source",
        "status",
        "evidence",
        "source_url",
        "document_title",
    ]
]
st.dataframe(
    table,
    hide_index=True,
    key="trend_table",
    column_config={
        "value": st.column_config.NumberColumn("value", format="%,.2f"),
        "period_start": st.column_config.DateColumn("start"),
        "period_end": st.column_config.DateColumn("end"),
        "source_url": st.column_config.LinkColumn("source URL"),
    },
)
