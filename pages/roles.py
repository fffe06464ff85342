"""Who is using the dashboard: the one place that decides between editor and viewer.

Locally (no login) everyone gets ``METRICS_ROLE_DEFAULT`` (default "editor"). When a user is logged in
(``st.login``), the addresses in ``METRICS_EDITORS`` (comma-separated) are editors and everyone else gets
the default role. The hosted mode replaces :func:`current_role` and nothing else.
"""

from __future__ import annotations

import getpass
import os
from typing import Literal

import streamlit as st

Role = Literal["editor", "viewer"]
ROLES: tuple[Role, ...] = ("editor", "viewer")


def _logged_in_user() -> dict:
    """st.user as a dict when someone is logged in, else {} (st.user exists even without auth set up)."""
    try:
        user = st.user.to_dict()
    except Exception:  # no script context (bare mode) or no auth configuration
        return {}
    return user if user.get("is_logged_in") else {}


def default_role() -> Role:
    """``METRICS_ROLE_DEFAULT`` when it names a role, else "editor"."""
    role = os.environ.get("METRICS_ROLE_DEFAULT", "editor").strip().lower()
    return role if role in ROLES else "editor"  # type: ignore[return-value]


def current_role() -> Role:
    """'editor' or 'viewer' for the person running this session."""
    user = _logged_in_user()
    if user:
        editors = {e.strip().lower() for e in os.environ.get("METRICS_EDITORS", "").split(",") if e.strip()}
        if str(user.get("email", "")).lower() in editors:
            return "editor"
    return default_role()


def current_user() -> str:
    """The name written in the audit trail: the login e-mail, else METRICS_USER, else the OS user."""
    user = _logged_in_user()
    if user.get("email"):
        return str(user["email"])
    try:
        fallback = getpass.getuser()
    except (KeyError, OSError):
        fallback = "local"
    return os.environ.get("METRICS_USER", "").strip() or fallback


def is_editor() -> bool:
    return current_role() == "editor"


def require_editor() -> None:
    """Stop the page for viewers (navigation hides editor pages; this also guards a typed URL)."""
    if not is_editor():
        st.warning("This page is for editors. Ask an editor to ingest or correct figures.")
        st.stop()
