"""Ingest (editors): upload or paste releases, check the detected company, date and facts, then save.

Reading and extraction are ``metrics`` (pure); saving is ``queries.ingest`` (one transaction per document).
Company and date are detected from the text and can be corrected: the facts are extracted again with them,
because a period like "the fourth quarter" depends on the issuer's fiscal calendar and the publication date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from metrics.document import MAX_BYTES, Document, load_document_bytes
from metrics.errors import InputError
from metrics.extract import extract_facts
from pages import data
from pages.boot import ensure_app_navigation
from pages.database import get_connection
from pages.roles import principal, require_editor
from pages.tables import facts_preview
from queries.access import AccessDenied, ingest_document_as
from queries.ingest import prepare_document

UPLOAD_TYPES = ["txt", "md", "markdown", "html", "htm", "pdf"]
UNKNOWN = "(not detected)"
MAX_UPLOAD_MB = MAX_BYTES // (1024 * 1024)  # the reader refuses bigger files anyway


@dataclass
class Item:
    """One uploaded or pasted release on its way in."""

    name: str
    doc: Document | None = None
    error: str | None = None


@st.cache_data(show_spinner=False, max_entries=64)
def _load(payload: bytes, name: str) -> Document:
    return load_document_bytes(payload, name)


@st.cache_data(show_spinner=False, max_entries=256)
def _extract(doc: Document, company: str | None, published: dt.date | None) -> list:
    return extract_facts(doc, company=company, published=published)


@st.cache_data(show_spinner=False, max_entries=64)
def _detect(doc: Document) -> tuple[str | None, dt.date | None]:
    """Company and publication date as the store would record them without help."""
    prepared = prepare_document(doc, _extract(doc, None, None))
    return prepared.document["company"], prepared.document["published"]


def _read_inputs(files: list, pasted: str, pasted_name: str) -> list[Item]:
    inputs = [(f.name, f.getvalue()) for f in files]
    if pasted.strip():
        inputs.append((pasted_name.strip() or "pasted.txt", pasted.encode("utf-8")))
    items = []
    for name, payload in inputs:
        try:
            doc = _load(payload, name)
        except InputError as exc:
            items.append(Item(name, error=str(exc)))
            continue
        if not doc.text.strip():
            items.append(Item(name, error=f"{name}: the document has no text"))
        else:
            items.append(Item(name, doc=doc))
    return items


def _review_item(item: Item, companies: list[str]) -> tuple[str | None, dt.date | None, list]:
    """Company and date pickers (pre-filled with what was detected) and the preview of the facts."""
    doc = item.doc
    detected_company, detected_date = _detect(doc)
    tag = doc.sha256[:12]
    options = [UNKNOWN, *sorted({*companies, *([detected_company] if detected_company else [])})]
    left, right = st.columns(2)
    with left:
        chosen = st.selectbox(
            "Company",
            options,
            index=options.index(detected_company or UNKNOWN),
            key=f"ingest_company_{tag}",
            help=f"Detected: {detected_company or 'nothing'}",
        )
    with right:
        published = st.date_input(
            "Publication date",
            value=detected_date,
            key=f"ingest_date_{tag}",
            help=f"Detected: {detected_date or 'nothing'}",
        )
    company = None if chosen == UNKNOWN else chosen
    facts = _extract(doc, company, published)
    preview = facts_preview(facts)
    if preview.empty:
        st.warning("No figures found in this document. It can still be stored.")
    else:
        st.dataframe(
            preview,
            hide_index=True,
            key=f"ingest_preview_{tag}",
            column_config={"confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0)},
        )
    return company, published, facts


def _save(ready: list[tuple[Item, str | None, dt.date | None, list]]) -> None:
    con, who = get_connection(), principal()
    bar = st.progress(0.0, text="Saving…")
    for done, (item, company, published, facts) in enumerate(ready, 1):
        try:
            result = ingest_document_as(who, con, item.doc, facts=facts, company=company, published=published)
            show = st.info if result.status == "already stored" else st.success
            show(f"{item.name}: {result.status}, {result.facts} facts.")
            st.page_link(
                "pages/releases.py",
                label=f"Open {item.name} in Releases",
                icon=":material/article:",
                query_params={"doc": item.doc.sha256},
            )
        except (InputError, AccessDenied) as exc:
            st.error(f"{item.name}: {exc}")
        bar.progress(done / len(ready), text=f"Saved {done} of {len(ready)}")
    bar.empty()
    data.clear()  # every page reads the new facts from now on


ensure_app_navigation()
require_editor()
st.title("Ingest")
st.caption("Releases as txt, md, html or pdf: upload one or several files, or paste the text.")

upload_tab, paste_tab = st.tabs(["Upload files", "Paste text"])
with upload_tab:
    files = (
        st.file_uploader(
            "Release files",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key="ingest_files",
            max_upload_size=MAX_UPLOAD_MB,
        )
        or []
    )
with paste_tab:
    pasted = st.text_area("Release text", key="ingest_paste", height=200, placeholder="Paste a press release…")
    pasted_name = st.text_input("Name for the pasted text", value="pasted.txt", key="ingest_paste_name")

items = _read_inputs(files, pasted, pasted_name)
if not items:
    st.info("Nothing to ingest yet.")
    st.stop()

for item in items:
    if item.error:
        said = item.error if item.error.startswith(item.name) else f"{item.name}: {item.error}"
        st.error(f"Rejected {said}")

readable = [i for i in items if i.doc is not None]
companies = data.list_companies()
ready = []
progress = st.progress(0.0, text="Reading…") if len(readable) > 1 else None
for n, item in enumerate(readable, 1):
    with st.expander(f"{item.name} — {item.doc.title or 'untitled'}", expanded=len(readable) <= 3):
        ready.append((item, *_review_item(item, companies)))
    if progress is not None:
        progress.progress(n / len(readable), text=f"Read {n} of {len(readable)} releases")
if progress is not None:
    progress.empty()

if ready:
    total = sum(len(facts) for *_, facts in ready)
    label = f"Save {len(ready)} release{'s' if len(ready) > 1 else ''} ({total} facts)"
    if st.button(label, key="ingest_save", type="primary"):
        _save(ready)
