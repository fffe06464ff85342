"""Overview: one company at a glance — latest KPIs with their change and sparkline, releases and events."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.formatting import format_value, is_missing
from pages.tables import kpi_cards, releases_link, shorten
from pages.widgets import format_with, metric_label, url_radio, url_select

CARDS_PER_ROW = 3
GRAINS = {"quarter": "Quarterly", "year": "Annual"}


def _companies_with_data(metrics: tuple[str, ...]) -> list[str]:
    """Companies that have at least one value, most covered first (Xiaomi, the anchor, leads)."""
    counts: dict[str, int] = {}
    for metric in metrics:
        for row in data.list_companies_for_metric(metric).itertuples(index=False):
            counts[row.company] = counts.get(row.company, 0) + int(row.facts)
    ranked = sorted(counts, key=lambda c: (c != "Xiaomi", -counts[c], c))
    return ranked


def _cards(snapshot: pd.DataFrame) -> None:
    cards = kpi_cards(snapshot, metric_label)
    for start in range(0, len(cards), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, card in zip(columns, cards[start : start + CARDS_PER_ROW], strict=False):
            with column:
                st.metric(
                    card["label"],
                    card["value"],
                    delta=card["delta"],
                    delta_color=card["delta_color"],
                    delta_arrow=card["delta_arrow"],
                    delta_description=card["delta_description"],
                    help=card["help"],
                    border=True,
                    chart_data=card["sparkline"],
                    chart_type="line",
                )


def _releases(company: str) -> None:
    docs = data.list_documents(company=company, limit=8)
    if docs.empty:
        st.caption("No releases stored for this company yet.")
        return
    table = pd.DataFrame(
        {
            "published": docs["published"],
            "title": [shorten(t, 90) for t in docs["title"].fillna(docs["source"])],
            "facts": docs["facts"],
            "open": [releases_link(d) for d in docs["document_id"]],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        key="overview_releases",
        column_config={
            "published": st.column_config.DateColumn("published"),
            "open": st.column_config.LinkColumn("document", display_text="open ›"),
        },
    )


def _events(company: str) -> None:
    events = data.list_events(company=company)
    if events.empty:
        st.caption("No events (new businesses, investment commitments) for this company.")
        return
    for row in events.sort_values("published", ascending=False).itertuples(index=False):
        commitment = ""
        if not is_missing(row.commitment_value):
            currency = None if is_missing(row.commitment_currency) else row.commitment_currency
            commitment = f" — commitment {format_value(row.commitment_value, 'currency', currency)}"
        when = "undated" if is_missing(row.published) else f"{row.published:%Y-%m-%d}"
        st.markdown(f"◆ **{when}** · {shorten(row.title, 100)}{commitment}")


ensure_app_navigation()
st.title("Overview")
metric_ids = tuple(data.list_metrics()["metric"].tolist())
companies = _companies_with_data(metric_ids)
if not companies:
    st.info("No facts yet: ingest a release on the Ingest page or run `python -m queries rebuild`.")
    st.stop()

left, right = st.columns([2, 2])
with left:
    company = url_select("Company", companies, key="overview_company", default="Xiaomi", param="company")
with right:
    grain = url_radio(
        "Cards", list(GRAINS), key="overview_grain", default="quarter", param="grain", format_func=format_with(GRAINS)
    )

snapshot = data.latest_snapshot(company, grain)
if snapshot.empty:
    st.warning(f"No values for {company} yet.")
else:
    st.caption(
        "Latest value of each KPI, its change against the period before and a year before, and the last "
        "eight periods. Percentages change in points; ranks in places (down is better)."
    )
    _cards(snapshot)
    st.page_link(
        "pages/trends.py",
        label=f"Open {company} in Trends",
        icon=":material/show_chart:",
        query_params={"company": company},
    )

col_releases, col_events = st.columns([3, 2])
with col_releases:
    st.subheader("Latest releases")
    _releases(company)
with col_events:
    st.subheader("Events")
    _events(company)
