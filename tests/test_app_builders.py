"""The pages' pure builders (pages/charts.py, pages/tables.py, pages/formatting.py), without Streamlit."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pandas as pd
import pytest

from pages.charts import compare_bar_figure, coverage_figure, trend_figure
from pages.formatting import format_change, format_value, grain_of
from pages.highlight import document_html, highlight, provenance_html
from pages.tables import (
    conflict_frame,
    edit_summary,
    fx_notes,
    kpi_cards,
    review_changes,
    review_frame,
    trends_query,
)

D = dt.date


def _series(rows):
    columns = ["company", "period_start", "period_end", "grain", "value", "unit", "currency", "source", "evidence",
               "document_title", "fact_id", "derived", "yoy_pct"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def test_numbers_read_well():
    assert format_value(146e6, "units") == "146.0 M units"
    assert format_value(108e9, "currency", "CNY") == "RMB 108.0 bn"
    assert format_value(12.1, "percent") == "12.1 %"
    assert format_change(-2.46) == "-2.5 %"
    assert grain_of(D(2019, 9, 29), D(2019, 12, 28)) == "quarter"  # Apple's fiscal Q1


def test_highlight_escapes_the_text_before_marking():
    text = "<script>alert(1)</script> Revenue was RMB 5 billion & rising."
    start = text.index("RMB")
    out = highlight(text, [(start, start + len("RMB 5 billion"), 'a "title"', "fact", None)])
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<mark class="fact" title="a &quot;title&quot;">RMB 5 billion</mark>' in out
    assert out.endswith("&amp; rising.")


def test_overlapping_and_out_of_range_spans_are_skipped():
    out = highlight("abcdefgh", [(0, 4, "", "fact", None), (2, 6, "", "fact", None), (7, 99, "", "fact", None)])
    assert out.count("<mark") == 1 and out.endswith("efgh")


def test_document_html_marks_every_fact_and_links_it():
    text = "Xiaomi shipped 32.6 million smartphones; revenue was RMB 56.5 billion."
    facts = pd.DataFrame(
        [
            {"fact_id": 1, "company": "Xiaomi", "metric": "smartphone_shipments", "segment": "",
             "period_start": pd.Timestamp("2019-10-01"), "period_end": pd.Timestamp("2019-12-31"),
             "period_kind": "duration", "value": 32.6e6, "unit": "units", "currency": None, "attributed_to": None,
             "status": "extracted", "span_start": 15, "span_end": 27},
            {"fact_id": 2, "company": "Xiaomi", "metric": "revenue", "segment": "",
             "period_start": pd.Timestamp("2019-10-01"), "period_end": pd.Timestamp("2019-12-31"),
             "period_kind": "duration", "value": 56.5e9, "unit": "currency", "currency": "CNY", "attributed_to": None,
             "status": "rejected", "span_start": 53, "span_end": 69},
        ]
    )  # fmt: skip
    out = document_html(text, facts, lambda row: f"trends?fact={row.fact_id}")
    assert out.count("<mark") == 2
    assert '<a href="trends?fact=1" target="_self">32.6 million</a>' in out
    assert 'class="fact rejected"' in out and "RMB 56.5 billion" in out
    assert "Q4 2019" in out  # the title says what the figure was read as


def test_provenance_marks_the_figure_inside_its_sentence():
    window = "Intro. Smartphone shipments reached 40.2m units (-8.4% YoY). Next <b>sentence</b>."
    start = window.index("40.2m")
    prov = {
        "document_title": "Broker <note>", "document_published": pd.Timestamp("2022-11-24"),
        "evidence": "Smartphone shipments reached 40.2m units (-8.4% YoY).", "text_window": window,
        "window_start": 1000, "span_start": 1000 + start, "span_end": 1000 + start + 5,
        "source_url": "javascript:alert(1)",
    }  # fmt: skip
    out = provenance_html(prov)
    assert "<b>Broker &lt;note&gt;</b>" in out and "2022-11-24" in out
    assert '<mark class="fact" title="">40.2m</mark> units' in out
    assert "Next" not in out  # the sentence alone, not the window
    assert "javascript:" not in out  # only http(s) links are shown


def test_trend_figure_draws_derived_points_apart():
    rows = [
        ["Xiaomi", D(2022, 7, 1), D(2022, 9, 30), "quarter", 2.0, "currency", "CNY", "Xiaomi", "Q3", "Doc", 7, False, 1.0],
        ["Xiaomi", D(2022, 10, 1), D(2022, 12, 31), "quarter", 3.0, "currency", "CNY", "Xiaomi", None, None, None, True, 2.0],
        ["Xiaomi", D(2023, 1, 1), D(2023, 3, 31), "quarter", 4.0, "currency", "CNY", "Xiaomi", "Q1", "Doc", 9, False, 3.0],
    ]  # fmt: skip
    events = pd.DataFrame([{"company": "Xiaomi", "published": pd.Timestamp("2022-11-01"), "title": "New <EV>"}])
    fig = trend_figure(_series(rows), "t", "y", events=events)
    reported, derived = fig.data
    assert reported.name == "Xiaomi" and list(reported.y) == [2.0, 4.0]
    assert derived.name == "Xiaomi · derived Q4" and derived.line.dash == "dot"
    assert list(derived.y) == [2.0, 3.0, 4.0, None] and list(derived.marker.size) == [0, 10, 0, 0]
    assert derived.marker.symbol == "circle-open" and reported.line.color == derived.line.color
    assert "derived" in derived.text[1] and [c[0] for c in derived.customdata[:3]] == [7, None, 9]
    assert fig.layout.shapes[0].x0 == pd.Timestamp("2022-11-01")
    assert "New &lt;EV&gt;" in fig.layout.annotations[0].text
    yoy = trend_figure(_series(rows), "t", "y", view="YoY %")
    assert list(yoy.data[0].y) == [1.0, 3.0] and "YoY %: +1.0 %" in yoy.data[0].text[0]


def test_kpi_cards_use_points_for_shares_and_places_for_ranks():
    snapshot = pd.DataFrame(
        [
            {"metric": "market_rank", "grain": "quarter", "period_start": D(2025, 10, 1), "period_end": D(2025, 12, 31),
             "value": 3.0, "unit": "rank", "currency": None, "status": "confirmed", "source": "IDC", "fact_id": 1,
             "prior_period_end": D(2025, 9, 30), "prior_value": 4.0, "change_pct": -25.0, "year_ago_value": 3.0,
             "yoy_pct": 0.0, "sparkline_values": [4.0, 3.0]},
            {"metric": "market_share_pct", "grain": "quarter", "period_start": D(2025, 10, 1),
             "period_end": D(2025, 12, 31), "value": 11.2, "unit": "percent", "currency": None, "status": "confirmed",
             "source": "IDC", "fact_id": 2, "prior_period_end": D(2025, 9, 30), "prior_value": 13.5,
             "change_pct": -17.0, "year_ago_value": 13.0, "yoy_pct": -13.8, "sparkline_values": [13.5, 11.2]},
            {"metric": "revenue", "grain": "year", "period_start": D(2020, 1, 1), "period_end": D(2020, 12, 31),
             "value": 245.87e9, "unit": "currency", "currency": "CNY", "status": "confirmed", "source": "Xiaomi",
             "fact_id": 3, "prior_period_end": D(2019, 12, 31), "prior_value": 205.8e9, "change_pct": 19.47,
             "year_ago_value": 205.8e9, "yoy_pct": 19.47, "sparkline_values": [205.8e9, 245.87e9]},
            {"metric": "investment_commitment", "grain": "instant", "period_start": D(2021, 3, 30),
             "period_end": D(2021, 3, 30), "value": 1e10, "unit": "currency", "currency": "USD", "status": "extracted",
             "source": "Xiaomi", "fact_id": 4, "prior_period_end": None, "prior_value": None, "change_pct": None,
             "year_ago_value": None, "yoy_pct": None, "sparkline_values": [1e10]},
        ]
    )  # fmt: skip
    cards = {c["metric"]: c for c in kpi_cards(snapshot)}
    assert list(cards) == ["revenue", "market_share_pct", "market_rank"]  # revenue first; commitments are events
    assert cards["revenue"]["value"] == "RMB 245.9 bn" and cards["revenue"]["delta"] == "+19.5 %"
    assert cards["revenue"]["delta_description"] == "vs FY2019 · YoY +19.5 %"
    assert (
        cards["market_share_pct"]["delta"] == "-2.3 pp"
        and "YoY -1.8 pp" in cards["market_share_pct"]["delta_description"]
    )
    assert cards["market_rank"]["delta"] == "-1 places" and cards["market_rank"]["delta_color"] == "inverse"
    assert cards["revenue"]["sparkline"] == [205.8e9, 245.87e9]


def test_compare_bars_rank_one_on_top_and_fx_is_stated():
    df = pd.DataFrame(
        [
            {"rank": 2, "company": "Xiaomi", "period_start": D(2020, 1, 1), "period_end": D(2020, 12, 31),
             "alignment": "calendar period", "value": 245.87e9, "unit": "currency", "currency": "CNY",
             "converted_value": 35.61e9, "converted_currency": "USD", "fx_kind": "average", "fx_rate": 6.9042,
             "fx_target_rate": 1.0, "fx_period_start": D(2020, 1, 1), "fx_period_end": D(2020, 12, 31),
             "source": "Xiaomi", "status": "confirmed", "fact_id": 420},
            {"rank": 1, "company": "Apple", "period_start": D(2019, 12, 29), "period_end": D(2020, 12, 26),
             "alignment": "period ending 2020-12-26 aligned", "value": 300e9, "unit": "currency", "currency": "USD",
             "converted_value": 300e9, "converted_currency": "USD", "fx_kind": None, "fx_rate": None,
             "fx_target_rate": 1.0, "fx_period_start": None, "fx_period_end": None, "source": "Apple",
             "status": "confirmed", "fact_id": 1},
        ]
    )  # fmt: skip
    bars = compare_bar_figure(df, "t", "Revenue (USD)").data[0]
    assert list(bars.y) == ["Apple", "Xiaomi"] and bars.text[1] == "US$ 35.6 bn"
    assert "as reported: RMB 245.9 bn" in bars.hovertext[1]
    assert fx_notes(df, "USD") == ["1 CNY = 0.1448 USD (average rate 2020-01-01 – 2020-12-31; 6.9042 CNY per USD)"]


def test_coverage_heatmap_keeps_gaps():
    grid = pd.DataFrame({"2020-Q1": [1.0, None], "2020-Q2": [2.0, 1.0]}, index=["Apple", "Xiaomi"])
    spec = json.loads(coverage_figure(grid, "t").to_json())["data"][0]
    assert spec["y"] == ["Apple", "Xiaomi"] and spec["x"] == ["2020-Q1", "2020-Q2"]


def _queue():
    return pd.DataFrame(
        [
            {"fact_id": 11, "reason": "low confidence", "company": "Xiaomi", "metric": "smartphone_shipments",
             "segment": None, "period_start": pd.Timestamp("2022-07-01"), "period_end": pd.Timestamp("2022-09-30"),
             "value": 40.2e6, "unit": "units", "currency": None, "confidence": 0.4, "attributed_to": None,
             "origin": "extracted", "evidence": "Shipments reached 40.2m."},
            {"fact_id": 12, "reason": "unverified", "company": "Apple", "metric": "revenue", "segment": "",
             "period_start": pd.Timestamp("2022-09-25"), "period_end": pd.Timestamp("2022-12-31"),
             "value": 121e9, "unit": "currency", "currency": "USD", "confidence": 1.0, "attributed_to": None,
             "origin": "curated", "evidence": "note"},
        ]
    )  # fmt: skip


def test_review_changes_keep_only_what_changed():
    frame = review_frame(_queue())
    assert frame["segment"].tolist() == ["", ""] and frame["period_start"][0] == D(2022, 7, 1)
    edits = {
        "0": {"value": 41.0e6, "period_start": "2022-07-01", "segment": ""},  # only the value really changed
        1: {"decision": "reject", "value": 1.0},
    }
    assert review_changes(frame, edits) == [(11, "edit", {"value": 41.0e6}), (12, "reject", {})]
    assert review_changes(frame, {0: {"decision": "confirm"}}) == [(11, "confirm", {})]
    assert review_changes(frame, {0: {"value": 40.2e6}}) == []


def test_conflicts_become_one_review_row_per_fact():
    conflicts = pd.DataFrame(
        [
            {"company": "Apple", "metric": "market_share_pct", "segment": "", "period_start": D(2019, 10, 1),
             "period_end": D(2019, 12, 31), "value_a": 20.0, "value_b": 19.0, "difference_pct": 5.0,
             "unit": "percent", "currency": None, "source_a": "IDC", "source_b": "Strategy Analytics",
             "fact_id_a": 625, "fact_id_b": 626, "origin_a": "https://a", "origin_b": "https://b"},
            {"company": "Apple", "metric": "market_share_pct", "segment": "", "period_start": D(2019, 10, 1),
             "period_end": D(2019, 12, 31), "value_a": 20.0, "value_b": 18.0, "difference_pct": 10.5,
             "unit": "percent", "currency": None, "source_a": "IDC", "source_b": "Canalys",
             "fact_id_a": 625, "fact_id_b": 627, "origin_a": "https://a", "origin_b": "https://c"},
        ]
    )  # fmt: skip
    frame = conflict_frame(conflicts)
    assert frame["fact_id"].tolist() == [625, 626, 627]
    assert "per Strategy Analytics" in frame["reason"][0] and "per Canalys" in frame["reason"][0]
    assert conflict_frame(conflicts.iloc[0:0]).empty


def test_edit_summary_and_trends_link():
    before = {"value": 40.2e6, "unit": "units", "currency": None, "status": "extracted", "updated_by": None}
    after = {"value": 41e6, "unit": "units", "currency": None, "status": "edited", "updated_by": "me"}
    assert edit_summary(json.dumps(before), json.dumps(after)) == (
        "status: extracted → edited; value: 40.2 M units → 41.0 M units"
    )
    row = SimpleNamespace(metric="market_share_pct", company="Xiaomi", segment="", period_start=D(2025, 7, 1),
                          period_end=D(2025, 9, 30), period_kind="duration", attributed_to="Omdia", fact_id=1833)  # fmt: skip
    assert trends_query(row) == {
        "metric": "market_share_pct", "company": "Xiaomi", "segment": "", "grain": "Quarterly",
        "source": "Omdia", "view": "Value", "fact": "1833",
    }  # fmt: skip


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_show_a_dash(value):
    assert format_change(value) == "–"


@pytest.mark.parametrize("name", ["pages.tables", "pages.highlight", "pages.formatting"])
def test_doctests_of_the_builders(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
