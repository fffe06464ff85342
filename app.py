"""Streamlit entry point: page config and navigation only. Run with ``streamlit run app.py``.

Pages are files (``st.Page("pages/x.py")``) so AppTest can switch to each. Viewers do not see the editor
pages; who is an editor is decided in one place, :func:`pages.roles.current_role`.
"""

import streamlit as st

from pages.auth import must_sign_in, render_sign_in
from pages.data import note_data_version
from pages.roles import is_editor

st.set_page_config(page_title="KPI dashboard", page_icon="📈", layout="wide")

with st.sidebar:
    render_sign_in()
if must_sign_in():
    st.title("Sign in")
    st.info("This dashboard requires signing in.")
    st.stop()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", url_path="overview", default=True),
    st.Page("pages/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
    st.Page("pages/compare.py", title="Compare", icon=":material/bar_chart:", url_path="compare"),
    st.Page("pages/releases.py", title="Releases", icon=":material/article:", url_path="releases"),
    st.Page("pages/quality.py", title="Data quality", icon=":material/rule:", url_path="quality"),
    st.Page("pages/export.py", title="Export", icon=":material/download:", url_path="export"),
]
EDITOR_PAGES = [
    st.Page("pages/ingest.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"),
    st.Page("pages/review.py", title="Review", icon=":material/rate_review:", url_path="review"),
]

note_data_version()  # once per run: the key of this run's cached reads (another replica may have written)
st.navigation({"Dashboard": PAGES, "Editors": EDITOR_PAGES} if is_editor() else PAGES).run()
