"""Releases: the stored documents, and one document with every extracted figure highlighted in its text."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.formatting import format_value, grain_of, is_missing, period_label
from pages.highlight import document_html
from pages.tables import document_label, trends_link
from pages.widgets import url_select, url_text

ALL = "All companies"
DOCUMENT_CSS = """<style>
.release-text { white-space: pre-wrap; font-family: ui-serif, Georgia, serif; line-height: 1.6; }
.release-text mark.fact { background: #ffe58a; padding: 0 2px; border-radius: 3px; }
.release-text mark.fact a { color: inherit; text-decoration: none; }
.release-text mark.rejected { background: #e6e6e6; text-decoration: line-through; }
</style>"""


def _open_selected(documents: pd.DataFrame) -> None:
    """Row selection in the list opens that document (through the URL, like every filter here)."""
    rows = st.session_state["releases_table"].selection.rows
    if rows:
        st.query_params["doc"] = documents["document_id"].iloc[rows[0]]


def _facts_table(facts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for f in facts.itertuples(index=False):
        grain = grain_of(f.period_start.date(), f.period_end.date(), f.period_kind)
        rows.append(
            {
                "company": f.company,
                "metric": f.metric,
                "segment": f.segment,
                "period": period_label(f.period_start.date(), f.period_end.date(), grain),
                "value": format_value(f.value, f.unit, None if is_missing(f.currency) else f.currency),
                "source": f.attributed_to if isinstance(f.attributed_to, str) else "company",
                "confidence": f.confidence,
                "status": f.status,
                "current": bool(f.is_current),
                "trends": trends_link(f),
                "evidence": f.evidence,
            }
        )
    return pd.DataFrame(rows)


def _document(document_id: str) -> None:
    doc = data.get_document(document_id)
    if doc is None:
        st.warning("This document is not stored (any more).")
        return
    facts = data.list_document_facts(document_id)
    st.subheader(doc["title"] or doc["source"])
    published = "undated" if is_missing(doc["published"]) else f"{doc['published']:%Y-%m-%d}"
    st.caption(
        f"{doc['company'] or 'unknown company'} · published {published} · {doc['media_type']} · "
        f"{len(facts)} facts · extractor {doc['extractor_version'] or '–'} · id {document_id[:12]}…"
    )
    text_col, facts_col = st.columns([3, 2])
    with text_col, st.container(height=560, border=True, key="release_text"):
        st.html(DOCUMENT_CSS + document_html(doc["text"], facts, trends_link))
    with facts_col:
        if facts.empty:
            st.info("No figures were extracted from this document.")
        else:
            st.dataframe(
                _facts_table(facts),
                hide_index=True,
                key="release_facts",
                height=560,
                column_config={
                    "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0),
                    "trends": st.column_config.LinkColumn("Trends", display_text="chart ›"),
                },
            )
    st.caption("Highlighted: every extracted figure (hover for what it was read as, click for its Trends view).")


ensure_app_navigation()
st.title("Releases")
left, right = st.columns([1, 2])
with left:
    everything = data.list_documents(limit=5000)
    companies = [ALL, *sorted(everything["company"].dropna().unique().tolist())]
    company = url_select("Company", companies, key="releases_company", default=ALL, param="company")
with right:
    search = url_text("Search titles and text", key="releases_search", param="q", placeholder="e.g. shipments")

documents = data.list_documents(company="" if company == ALL else company, search=search, limit=500)
if documents.empty:
    st.info("No release matches. Clear the search or pick another company.")
    st.stop()

listing = documents[["published", "company", "title", "facts", "media_type", "is_event"]]
st.dataframe(
    listing,
    hide_index=True,
    key="releases_table",
    on_select=lambda: _open_selected(documents),
    selection_mode="single-row",
    height=260,
    column_config={"published": st.column_config.DateColumn("published"), "is_event": "event"},
)
st.caption(f"{len(documents)} releases. Select a row, or pick below, to read it.")
labels = {row.document_id: document_label(row) for row in documents.itertuples(index=False)}
doc_id = url_select("Document", list(labels), key="releases_doc", param="doc", format_func=labels.get)
if doc_id:
    _document(doc_id)
