"""The app and its Trends page, run with Streamlit's AppTest on a database built from data/."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _decode(values):
    """Plotly 7 ships numeric arrays as {"dtype", "bdata"} (base64); lists stay lists."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return values


def _traces(at: AppTest, index: int = 0) -> dict[str, dict]:
    charts = at.get("plotly_chart")
    assert charts, "no Plotly chart on the page"
    spec = json.loads(charts[index].proto.spec)
    return {t["name"]: {**t, "x": _decode(t["x"]), "y": _decode(t["y"])} for t in spec["data"]}


def _value_at(trace: dict, period_end: str) -> float:
    for x, y in zip(trace["x"], trace["y"], strict=False):
        if str(x).startswith(period_end):
            return y
    raise AssertionError(f"no point at {period_end} in {trace['name']}")


@pytest.fixture
def app(app_db) -> AppTest:
    """The Trends page (Overview is the first page; a link to Trends starts from its own URL parameters)."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params.clear()
    return at.switch_page("pages/trends.py").run()


def test_trends_page_with_real_xiaomi_shipments(app):
    assert not app.exception
    assert app.title[0].value == "Trends"
    traces = _traces(app)
    assert "Xiaomi" in traces and len(traces) >= 3  # Xiaomi and its closest peers
    assert _value_at(traces["Xiaomi"], "2019-12-31") == pytest.approx(32.6e6)
    assert _value_at(traces["Xiaomi"], "2020-12-31") == pytest.approx(42.3e6)


def test_hover_carries_value_period_and_source(app):
    trace = _traces(app)["Xiaomi"]
    label = trace["text"][trace["x"].index(next(x for x in trace["x"] if str(x).startswith("2019-12-31")))]
    assert "Q4 2019" in label and "32.6 M units" in label and "Source: Xiaomi" in label


def test_table_matches_the_chart(app):
    table = app.dataframe[0].value
    xiaomi = table[table["company"] == "Xiaomi"]
    chart = _traces(app)["Xiaomi"]
    assert len(xiaomi) == len(chart["y"])
    assert sorted(xiaomi["value"].tolist()) == sorted(chart["y"])


def test_tracker_source_keeps_to_one_tracker(app):
    app.selectbox(key="source").select("IDC").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert set(table["source"]) == {"IDC"}


def test_metric_switch_to_revenue_shows_money(app):
    app.selectbox(key="metric").select("revenue").run()
    app.radio(key="grain").set_value("Annual").run()
    assert not app.exception
    table: pd.DataFrame = app.dataframe[0].value
    xiaomi = table[table["company"] == "Xiaomi"]
    assert set(xiaomi["currency"]) == {"CNY"}
    assert (xiaomi["value"] > 1e11).all()
