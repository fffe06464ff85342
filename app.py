"""Streamlit entry point: page config and navigation only. Run with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="KPI dashboard", page_icon="📈", layout="wide")

PAGES = [
    st.Page("pages/trends.py", title="Trends", icon="📈", url_path="trends", default=True),
]

st.navigation(PAGES).run()
