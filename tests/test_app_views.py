"""What Trends and Compare draw (pages.views): built from real reads, shared by sessions, renewed by a write.

And the first-start build, which must show its progress bar once, not replay it on every later page run.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from bench.load import Session
from bench.server import start_dashboard, stop_process
from pages import data, views
from queries import reads

ROOT = Path(__file__).resolve().parents[1]
SHIPMENTS = ("smartphone_shipments", ["Xiaomi", "Apple", "Samsung"], "", reads.SOURCES_BEST, "quarter")


def test_a_view_is_built_once_shared_and_renewed_after_a_write(app_db):
    first = views.trend_view(*SHIPMENTS, "Value", False)
    assert views.trend_view(*SHIPMENTS, "Value", False) is first  # every session gets the same object
    data.clear()  # what a page does after a write
    renewed = views.trend_view(*SHIPMENTS, "Value", False)
    assert renewed is not first
    assert renewed.values == first.values and renewed.table.equals(first.table)


def test_trend_view_draws_every_reported_value_with_its_fact(app_db):
    series = data.current_series(*SHIPMENTS)
    view = views.trend_view(*SHIPMENTS, "Value", False)
    assert view.message is None and view.table.num_rows == len(series) > 0
    reported = [t for t in view.figure.data if "derived" not in t.name]
    assert sorted(t.name for t in reported) == sorted(series["company"].unique())
    drawn_ids = sorted(c[0] for t in reported for c in t.customdata)
    assert drawn_ids == sorted(series["fact_id"].tolist())


def test_trend_view_says_why_there_is_no_chart(app_db):
    nothing = views.trend_view("smartphone_shipments", [], "", reads.SOURCES_BEST, "quarter", "Value", False)
    assert nothing.figure is None and nothing.message.startswith("No values for this choice")
    no_growth = views.trend_view(*SHIPMENTS[:4], "any", "YoY %", False)
    assert no_growth.figure is None and "needs one frequency" in no_growth.message


def test_ranked_view_orders_the_peer_table_and_names_its_rates(app_db):
    periods = views.compare_periods("revenue", "", "year")
    assert periods.default in periods.options and periods.options == sorted(periods.options, reverse=True)
    period_end = dt.date.fromisoformat(periods.default)
    ranked = data.compare_period("revenue", period_end, "year", "", reads.SOURCES_BEST, "USD")
    view = views.ranked_view("revenue", period_end, "year", "", reads.SOURCES_BEST, "USD", "Annual")
    table = view.table.to_pandas()
    assert table["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert sorted(table["company"]) == sorted(ranked["company"])
    converted = ranked[ranked["currency"] != "USD"]
    assert len(view.fx_notes) == converted["currency"].nunique() > 0
    assert all(note.startswith("1 ") and " USD (" in note for note in view.fx_notes)


@pytest.mark.skipif(sys.platform != "linux", reason="starts a Streamlit server")
def test_the_first_start_progress_bar_is_not_replayed_on_later_runs(tmp_path):
    """A bar drawn inside a cached function is replayed on every cache hit (dozens of messages per read)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "METRICS_DB": str(tmp_path / "new.duckdb")}
    proc, url = start_dashboard(env)
    try:
        session = Session(url)
        first = session.load("trends", timeout=180)  # builds the database from data/ first
        later = session.load("trends")
        session.close()
    finally:
        stop_process(proc)
    assert first.error is None and first.elements["progress"] > 0
    assert later.error is None and later.elements["plotly_chart"] == 1
    assert later.elements["progress"] == 0
