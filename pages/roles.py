"""Who is using the dashboard: the one place pages ask for the role and the name for the audit trail.

The decision itself is :func:`pages.auth.current_principal`: locally (no sign-in configured) everyone is
``METRICS_ROLE_DEFAULT`` (default "editor") under ``METRICS_USER`` or the OS user; in hosted mode the
signed-in user's role comes from the secrets (OIDC claim or e-mail allow-list, or the password users).
Writes are checked again in the query layer (:mod:`queries.access`), so hiding pages is not the only guard.
"""

from __future__ import annotations

import streamlit as st

from pages.auth import current_principal
from queries.access import Principal


def principal() -> Principal:
    return current_principal()


def current_role() -> str:
    """'editor' or 'viewer' for the person running this session."""
    return current_principal().role


def current_user() -> str:
    """The name written in the audit trail."""
    return current_principal().user


def is_editor() -> bool:
    return current_role() == "editor"


def require_editor() -> None:
    """Stop the page for viewers (navigation hides editor pages; this also guards a typed URL)."""
    if not is_editor():
        st.warning("This page is for editors. Ask an editor to ingest or correct figures.")
        st.stop()
