"""Review (editors): check low-confidence, unverified and conflicting facts; edit, confirm or reject; undo.

Every change goes through ``queries.store`` (one transaction with its audit row); the audit trail is shown
below the table and the last change of the current editor can be undone.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages import data
from pages.boot import ensure_app_navigation
from pages.database import get_connection
from pages.roles import current_user, principal, require_editor
from pages.tables import DECISIONS, REVIEW_EDITABLE, conflict_frame, edit_summary, review_changes, review_frame
from pages.widgets import format_with, metric_label, url_radio, url_select
from queries.access import AccessDenied, confirm_fact_as, edit_fact_as, reject_fact_as, undo_last_edit_as
from queries.store import EditError

KINDS = {"low": "Low confidence", "unverified": "Unverified", "conflicts": "Conflicts"}
ALL = ""
EDITOR_KEY = "review_editor"
ACTIONS = {"edit": edit_fact_as, "confirm": confirm_fact_as, "reject": reject_fact_as}


def _queue(kind: str, company: str, metric: str, max_confidence: float) -> pd.DataFrame:
    if kind == "conflicts":
        return conflict_frame(data.list_conflicts(metric=metric, company=company))
    queue = data.list_review_queue(company=company, metric=metric, max_confidence=max_confidence, limit=500)
    wanted = "unverified" if kind == "unverified" else "low confidence"
    return review_frame(queue[queue["reason"] == wanted])


def _apply(frame: pd.DataFrame) -> None:
    """Button callback: write every requested change, then forget the table's edits (rows will move)."""
    edits = st.session_state.get(EDITOR_KEY, {}).get("edited_rows", {})
    con, who = get_connection(), principal()
    messages = []
    for fact_id, action, changes in review_changes(frame, edits):
        try:
            write = ACTIONS[action]
            result = write(who, con, fact_id, changes) if action == "edit" else write(who, con, fact_id)
            messages.append(("success", f"Fact {fact_id}: {action} saved (audit #{result.edit_id})."))
        except (EditError, AccessDenied) as exc:
            messages.append(("error", f"Fact {fact_id}: {exc}"))
    if not messages:
        messages.append(("info", "Nothing to apply: edit a cell or pick confirm / reject in the decision column."))
    data.clear()
    st.session_state["review_messages"] = messages
    st.session_state.pop(EDITOR_KEY, None)


def _undo() -> None:
    try:
        result = undo_last_edit_as(principal(), get_connection())
        message = ("success", f"Undid your last change to fact {result.fact_id} (audit #{result.edit_id}).")
    except (EditError, AccessDenied) as exc:
        message = ("warning", str(exc))
    data.clear()
    st.session_state["review_messages"] = [message]
    st.session_state.pop(EDITOR_KEY, None)


def _show_messages() -> None:
    for level, text in st.session_state.pop("review_messages", []):
        getattr(st, level)(text)


def _audit_trail() -> None:
    st.subheader("Audit trail")
    edits = data.list_fact_edits(limit=50)
    if edits.empty:
        st.caption("No changes yet.")
        return
    table = edits[["edit_id", "edited_at", "editor", "action", "fact_id", "company", "metric", "undone"]].copy()
    table["change"] = [edit_summary(b, a) for b, a in zip(edits["before"], edits["after"], strict=True)]
    st.dataframe(table, hide_index=True, key="review_audit")


ensure_app_navigation()
require_editor()
st.title("Review")
st.caption(f"Signed in as **{current_user()}**: every change is recorded under this name.")
_show_messages()

metric_ids = data.list_metrics()["metric"].tolist()
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
with c1:
    kind = url_radio(
        "Show", list(KINDS), key="review_kind", default="low", param="show", format_func=format_with(KINDS)
    )
with c2:
    companies = data.list_companies()
    company = url_select(
        "Company",
        [ALL, *companies],
        key="review_company",
        default=ALL,
        param="company",
        format_func=lambda c: c or "All companies",
    )
with c3:
    metric = url_select(
        "Metric",
        [ALL, *metric_ids],
        key="review_metric",
        default=ALL,
        param="metric",
        format_func=lambda m: metric_label(m) if m else "All metrics",
    )
with c4:
    max_confidence = st.slider("Confidence below", 0.0, 1.0, 0.8, 0.05, key="review_confidence", disabled=kind != "low")

frame = _queue(kind, company, metric, max_confidence)
if frame.empty:
    st.success("Nothing to review for this filter.")
else:
    st.caption(
        f"{len(frame)} facts. Edit value, period, metric or segment in the table, or choose confirm / reject in "
        "the decision column, then apply. An edited fact wins over extracted values of its period."
    )
    st.data_editor(
        frame,
        key=EDITOR_KEY,
        hide_index=True,
        num_rows="fixed",
        disabled=[c for c in frame.columns if c not in (*REVIEW_EDITABLE, "decision")],
        column_config={
            "decision": st.column_config.SelectboxColumn("decision", options=list(DECISIONS)),
            "metric": st.column_config.SelectboxColumn("metric", options=sorted({*metric_ids, *frame["metric"]})),
            "period_start": st.column_config.DateColumn("start"),
            "period_end": st.column_config.DateColumn("end"),
            "value": st.column_config.NumberColumn("value", format="%,.2f"),
            "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0),
        },
    )
    st.button("Apply changes", key="review_apply", type="primary", on_click=_apply, args=(frame,))
st.button("Undo my last change", key="review_undo", on_click=_undo)
_audit_trail()
