"""Data quality: where values are missing, where sources disagree, and which quarters do not add up."""

from __future__ import annotations

import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.charts import coverage_figure
from pages.roles import is_editor
from pages.widgets import format_with, metric_label, pick_metric, url_radio

GRAINS = {"quarter": "Quarterly", "year": "Annual", "half": "Half-yearly", "month": "Monthly", "instant": "As of"}
TOLERANCE_PCT = 0.5
CONFLICT_COLUMNS = [
    "company", "segment", "period_start", "period_end", "value_a", "source_a", "value_b", "source_b",
    "difference_pct", "origin_a", "origin_b",
]  # fmt: skip
SUM_COLUMNS = [
    "company", "segment", "source", "fy_start", "fy_end", "fy_value", "quarters_sum", "difference",
    "difference_pct", "quarter_values",
]  # fmt: skip
QUEUE_COLUMNS = [
    "reason", "company", "segment", "period_start", "period_end", "value", "confidence", "evidence",
    "source_url", "document_title",
]  # fmt: skip

ensure_app_navigation()
st.title("Data quality")
metric_ids = data.list_metrics()["metric"].tolist()
if not metric_ids:
    st.info("No facts yet.")
    st.stop()

left, right = st.columns([1, 2])
with left:
    metric = pick_metric(metric_ids, key="quality_metric")
with right:
    grain = url_radio(
        "Frequency",
        list(GRAINS),
        key="quality_grain",
        default="quarter",
        param="grain",
        format_func=format_with(GRAINS),
    )
label = metric_label(metric)

st.subheader("Coverage")
grid = data.coverage_grid(metric, "", grain)
if grid.empty:
    st.info(f"No {GRAINS[grain].lower()} values of {label}.")
else:
    filled = int(grid.notna().sum().sum())
    st.plotly_chart(coverage_figure(grid, f"{label}: sources per company and period"), key="quality_coverage")
    st.caption(
        f"{filled} of {grid.size} company × period cells have a value ({filled / grid.size:.0%}). "
        "Darker cells have more sources (the company and trackers); blank cells are gaps."
    )

st.subheader("Conflicts")
conflicts = data.list_conflicts(metric=metric, tolerance_pct=TOLERANCE_PCT)
if conflicts.empty:
    st.success(f"No two sources disagree on {label} by more than {TOLERANCE_PCT} %.")
else:
    st.caption(f"{len(conflicts)} pairs of values more than {TOLERANCE_PCT} % apart for the same company and period.")
    st.dataframe(
        conflicts[CONFLICT_COLUMNS],
        hide_index=True,
        key="quality_conflicts",
        column_config={
            "period_start": st.column_config.DateColumn("start"),
            "period_end": st.column_config.DateColumn("end"),
            "difference_pct": st.column_config.NumberColumn("apart (%)", format="%.1f"),
            "value_a": st.column_config.NumberColumn(format="%,.2f"),
            "value_b": st.column_config.NumberColumn(format="%,.2f"),
        },
    )

st.subheader("Quarters that do not add up to the year")
mismatches = data.quarters_not_adding_up(metric=metric, tolerance_pct=TOLERANCE_PCT)
if mismatches.empty:
    st.success(f"Every year of {label} with four quarters adds up (within {TOLERANCE_PCT} %).")
else:
    st.dataframe(
        mismatches[SUM_COLUMNS],
        hide_index=True,
        key="quality_quarters",
        column_config={
            "fy_start": st.column_config.DateColumn("FY start"),
            "fy_end": st.column_config.DateColumn("FY end"),
            "fy_value": st.column_config.NumberColumn("year", format="%,.0f"),
            "quarters_sum": st.column_config.NumberColumn("Q1+Q2+Q3+Q4", format="%,.0f"),
            "difference": st.column_config.NumberColumn(format="%,.0f"),
            "difference_pct": st.column_config.NumberColumn("difference (%)", format="%.1f"),
        },
    )

st.subheader("Unverified and low-confidence values")
queue = data.list_review_queue(metric=metric, limit=500)
if queue.empty:
    st.success(f"Nothing of {label} waits for a check.")
else:
    counts = queue["reason"].value_counts().to_dict()
    st.caption(" · ".join(f"{n} {reason}" for reason, n in counts.items()))
    st.dataframe(
        queue[QUEUE_COLUMNS],
        hide_index=True,
        key="quality_unverified",
        column_config={
            "period_start": st.column_config.DateColumn("start"),
            "period_end": st.column_config.DateColumn("end"),
            "value": st.column_config.NumberColumn(format="%,.2f"),
            "source_url": st.column_config.LinkColumn("source URL"),
        },
    )
    if is_editor():
        st.page_link(
            "pages/review.py",
            label="Check them on the Review page",
            icon=":material/rate_review:",
            query_params={"metric": metric},
        )
