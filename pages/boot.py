"""Make sure a page runs inside the app's navigation, even as the first request to a fresh server.

Streamlit still supports the old multipage layout: when a ``pages/`` folder sits next to the main script,
the process starts in that mode and a deep link (``/trends?…``) as the very first request runs
``pages/trends.py`` on its own — without ``app.py``, so without the page config, the role check and our
navigation — and the sidebar lists every module of the folder. The mode ends for the whole process at the
first ``st.navigation`` call. Each page calls :func:`ensure_app_navigation` first: in the old mode it
switches the process to ``st.navigation`` and reruns, so ``app.py`` runs and routes to the same page.
"""

from __future__ import annotations

import streamlit as st


def ensure_app_navigation() -> None:
    """Rerun through app.py when this page was started by the legacy pages-folder mode (no-op otherwise)."""
    try:
        from streamlit import config
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if config.get_option("global.appTest"):
        return  # AppTest re-enters the legacy mode before every run; a rerun there would drop button clicks
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
