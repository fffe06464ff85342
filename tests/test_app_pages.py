"""Every read-only page run with AppTest on a database built from data/: widgets, charts and known values.

The pages read a private copy of the session database: the browser tests keep a Streamlit server open on
the shared file, and DuckDB lets only one process hold a file.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from queries import analytics
from queries.connection import connect
from queries.export import ExportFilters, write_csv

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _decode(values):
    """Plotly 7 ships numeric arrays as {"dtype", "bdata"} (base64); lists stay lists."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return values


def _spec(at: AppTest, index: int = 0) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) > index, "no such Plotly chart on the page"
    return json.loads(charts[index].proto.spec)


def _traces(at: AppTest, index: int = 0) -> dict[str, dict]:
    return {
        t.get("name", str(i)): {**t, "x": _decode(t.get("x")), "y": _decode(t.get("y"))}
        for i, t in enumerate(_spec(at, index)["data"])
    }


def _frame(at: AppTest, *columns: str):
    """The first table holding these columns (read-only tables have no key in AppTest)."""
    for table in at.dataframe:
        if set(columns) <= set(table.value.columns):
            return table.value
    raise AssertionError(f"no table with columns {columns}")


def _value_at(trace: dict, period_end: str) -> float:
    for x, y in zip(trace["x"], trace["y"], strict=False):
        if str(x).startswith(period_end):
            return y
    raise AssertionError(f"no point at {period_end} in {trace['name']}")


def _html(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


@pytest.fixture(scope="module")
def ui_db(built_db, tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("ui") / "metrics.duckdb"
    shutil.copy(built_db, target)
    return str(target)


@pytest.fixture
def at(ui_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("METRICS_DB", ui_db)
    monkeypatch.delenv("METRICS_ROLE_DEFAULT", raising=False)
    return AppTest.from_file(APP, default_timeout=60).run()


def _open(at: AppTest, page: str, **params) -> AppTest:
    """Switch page the way a browser link does: the new page starts from its own URL parameters."""
    at.query_params.clear()
    at.query_params.update(params)
    return at.switch_page(page).run()


@pytest.fixture
def con(at, ui_db):
    """A connection to the file the app has open (same configuration, so DuckDB shares the instance).

    Opened after the app: the app's first start checks the file read-only, which a read-write connection
    held by the same process would refuse.
    """
    connection = connect(ui_db)
    yield connection
    connection.close()


# ---------------------------------------------------------------------------- Overview


def test_overview_is_the_default_page_with_kpi_cards(at):
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert at.selectbox(key="overview_company").value == "Xiaomi"
    cards = {m.label.split(" · ")[0]: m for m in at.metric}
    assert {"Revenue", "Smartphone shipments", "Market share"} <= set(cards)
    assert cards["Revenue"].value.startswith("RMB ") and cards["Revenue"].value.endswith(" bn")
    assert cards["Smartphone shipments"].value.endswith(" M units")
    assert cards["Market share"].value.endswith(" %")
    assert cards["Revenue"].proto.chart_data, "sparkline"
    releases = _frame(at, "published", "title", "open")
    assert len(releases) > 0 and releases["open"].str.startswith("releases?doc=").all()
    assert any("2021-03-30" in m.value for m in at.markdown), "the EV announcement is listed as an event"


def test_overview_annual_cards_show_fiscal_years(at):
    at.radio(key="overview_grain").set_value("year").run()
    assert not at.exception
    revenue = next(m for m in at.metric if m.label.startswith("Revenue"))
    assert "FY" in revenue.label and at.query_params["grain"] == "year"


def test_overview_other_company_from_the_url(at):
    _open(at, "pages/overview.py", company="Apple")
    assert not at.exception
    assert at.selectbox(key="overview_company").value == "Apple"
    revenue = next(m for m in at.metric if m.label.startswith("Revenue"))
    assert revenue.value.startswith("US$ ")


# ---------------------------------------------------------------------------- Trends


def test_trends_views_agree_with_the_values(at):
    _open(at, "pages/trends.py")
    assert not at.exception
    values = _traces(at)["Xiaomi"]
    assert _value_at(values, "2019-12-31") == pytest.approx(32.6e6)
    assert values["mode"] == "lines+markers"
    q = {p: _value_at(values, p) for p in ("2018-12-31", "2019-03-31", "2019-06-30", "2019-09-30", "2019-12-31")}

    at.radio(key="view").set_value("YoY %").run()
    assert _value_at(_traces(at)["Xiaomi"], "2019-12-31") == pytest.approx(
        (q["2019-12-31"] / q["2018-12-31"] - 1) * 100
    )
    at.radio(key="view").set_value("QoQ %").run()
    assert _value_at(_traces(at)["Xiaomi"], "2019-12-31") == pytest.approx(
        (q["2019-12-31"] / q["2019-09-30"] - 1) * 100
    )
    at.radio(key="view").set_value("Trailing 12 months").run()
    ttm = sum(v for p, v in q.items() if p.startswith("2019"))
    assert _value_at(_traces(at)["Xiaomi"], "2019-12-31") == pytest.approx(ttm)
    at.radio(key="view").set_value("Indexed (= 100)").run()
    indexed = _traces(at)["Xiaomi"]
    assert indexed["y"][0] == pytest.approx(100.0)
    assert at.query_params["view"] == "Indexed (= 100)"
    assert not at.exception


def test_trends_hover_has_the_sentence_and_the_document(at, con):
    _open(at, "pages/trends.py", metric="revenue", company=["Xiaomi"], grain="Annual")
    trace = _traces(at)["Xiaomi"]
    assert _value_at(trace, "2020-12-31") == pytest.approx(245.87e9, rel=1e-3)
    label = trace["text"][[str(x)[:10] for x in trace["x"]].index("2020-12-31")]
    assert "FY2020" in label and "RMB 245.9 bn" in label and "Source: Xiaomi" in label


def test_trends_link_opens_the_provenance_with_the_figure_marked(at, con):
    documents = analytics.list_documents(con, company="Xiaomi")
    doc_id = documents[documents["facts"] > 0]["document_id"].iloc[0]
    fact = analytics.list_document_facts(con, doc_id).dropna(subset=["span_start"]).iloc[0]
    _open(at, "pages/trends.py", metric=fact.metric, company=[fact.company], segment=fact.segment, grain="All",
          source="Best available (company first)", fact=str(fact.fact_id))  # fmt: skip
    assert not at.exception
    html = _html(at)
    assert '<mark class="fact"' in html
    document = analytics.get_document(con, doc_id)
    assert document["title"].split()[0] in html
    links = at.get("page_link")
    assert any(link.proto.query_string == f"doc={doc_id}" for link in links), "a link to the release"


def test_trends_derived_fourth_quarter_is_drawn_apart(at, con):
    found = None
    for metric in ("net_profit", "rd_expenses", "revenue", "ev_deliveries"):
        companies = analytics.coverage_cells(con, metric, grain="quarter")["company"].unique().tolist()
        growth = analytics.growth_series(con, metric, companies, grain="quarter")
        derived = growth[growth["derived"].fillna(False).astype(bool)]
        if len(derived):
            found = derived.iloc[0]
            break
    if found is None:
        pytest.skip("the bundled data has no derived fourth quarter")
    _open(at, "pages/trends.py", metric=metric, company=[found.company], grain="Quarterly")
    traces = _traces(at)
    piece = traces[f"{found.company} · derived Q4"]
    assert piece["line"]["dash"] == "dot" and piece["marker"]["symbol"] == "circle-open"
    assert _value_at(piece, f"{found.period_end:%Y-%m-%d}") == pytest.approx(found.value)
    assert f"{found.period_end:%Y-%m-%d}" not in [str(x)[:10] for x in traces[found.company]["x"]]


def test_trends_marks_events(at):
    _open(at, "pages/trends.py", metric="smartphone_shipments", company=["Xiaomi", "Apple"])
    layout = _spec(at)["layout"]
    assert any(str(s["x0"]).startswith("2021-03-30") for s in layout["shapes"])
    assert any("Electric" in a["text"] for a in layout["annotations"])


# ---------------------------------------------------------------------------- Compare


def test_compare_ranks_companies_for_one_quarter(at):
    _open(at, "pages/compare.py", metric="smartphone_shipments", grain="quarter", period="2019-12-31")
    assert not at.exception
    bars = _spec(at)["data"][0]
    companies, values = bars["y"], _decode(bars["x"])
    assert values[companies.index("Xiaomi")] == pytest.approx(32.6e6)
    assert values == sorted(values, reverse=True), "rank 1 on top"
    table = _frame(at, "rank", "company", "as reported")
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert any("Calendar alignment" in c.value for c in at.caption)


def test_compare_money_in_cny_and_usd_with_the_rate(at):
    _open(at, "pages/compare.py", metric="revenue", grain="year", period="2020-12-31", currency="CNY")
    bars = _spec(at)["data"][0]
    assert _decode(bars["x"])[bars["y"].index("Xiaomi")] == pytest.approx(245.87e9, rel=1e-3)
    at.radio(key="compare_currency").set_value("USD").run()
    assert not at.exception
    bars = _spec(at)["data"][0]
    usd = _decode(bars["x"])[bars["y"].index("Xiaomi")]
    assert 30e9 < usd < 40e9
    fx = next(c.value for c in at.caption if c.value.startswith("FX"))
    assert "1 CNY = " in fx and "USD" in fx and "2020-01-01" in fx


def test_compare_scatter_of_two_metrics(at, con):
    for period in (dt.date(2024, 12, 31), dt.date(2023, 12, 31), dt.date(2022, 12, 31), dt.date(2021, 12, 31)):
        points = analytics.scatter_metrics(con, "smartphone_shipments", "revenue", period, "quarter")
        if len(points) >= 2:
            break
    else:
        pytest.skip("no quarter where two companies report shipments and revenue")
    _open(at, "pages/compare.py", metric="smartphone_shipments", grain="quarter", period=f"{period:%Y-%m-%d}")
    scatter = _traces(at, 1)["companies"]
    assert sorted(scatter["text"]) == sorted(points["company"])


# ---------------------------------------------------------------------------- Releases


def test_releases_lists_documents_and_highlights_figures(at, con):
    _open(at, "pages/releases.py")
    assert not at.exception
    listing = _frame(at, "published", "company", "title", "facts")
    assert len(listing) > 10 and {"published", "company", "title", "facts"} <= set(listing.columns)
    doc_id = at.selectbox(key="releases_doc").value
    facts = analytics.list_document_facts(con, doc_id)
    html = _html(at)
    assert html.count("<mark") >= min(1, len(facts))
    table = _frame(at, "metric", "trends")
    assert table["trends"].str.startswith("trends?metric=").all()


def test_releases_search_and_company_filter(at):
    _open(at, "pages/releases.py", company="Apple", q="iPhone")
    assert not at.exception
    listing = _frame(at, "published", "company", "title", "facts")
    assert len(listing) > 0 and set(listing["company"]) == {"Apple"}
    at.text_input(key="releases_search").input("no such words anywhere").run()
    assert any("No release matches" in i.value for i in at.info)


# ---------------------------------------------------------------------------- Data quality and Export


def test_data_quality_grid_conflicts_and_sums(at):
    _open(at, "pages/quality.py", metric="smartphone_shipments")
    assert not at.exception
    heat = _spec(at)["data"][0]
    assert heat["type"] == "heatmap" and "Xiaomi" in heat["y"]
    assert len(_frame(at, "value_a", "source_a", "value_b", "source_b")) > 0
    assert [s.value for s in at.subheader] == [
        "Coverage", "Conflicts", "Quarters that do not add up to the year", "Unverified and low-confidence values"
    ]  # fmt: skip


def test_export_counts_rows_and_shows_the_command(at, con):
    _open(at, "pages/export.py", metric=["smartphone_shipments"], company=["Xiaomi"])
    assert not at.exception
    button = at.get("download_button")[0]
    rows = write_csv(con, ExportFilters(companies=("Xiaomi",), metrics=("smartphone_shipments",)), _Sink())
    assert f"({rows:,} rows)" in button.proto.label and rows > 10
    command = at.code[0].value
    assert command.startswith("python -m queries export --company Xiaomi --metric smartphone_shipments")
    at.radio(key="export_shape").set_value("wide").run()
    assert "--shape wide" in at.code[0].value
    assert at.query_params["shape"] == "wide"


class _Sink:
    def write(self, data: bytes) -> int:
        return len(data)


# ---------------------------------------------------------------------------- roles


def test_a_viewer_does_not_see_ingest_or_review(ui_db, monkeypatch):
    monkeypatch.setenv("METRICS_DB", ui_db)
    monkeypatch.setenv("METRICS_ROLE_DEFAULT", "viewer")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    for page in ("pages/ingest.py", "pages/review.py"):
        with pytest.raises(ValueError, match="registered page|Could not find"):
            at.switch_page(page)
    at.switch_page("pages/trends.py").run()
    assert at.title[0].value == "Trends"


def test_a_logged_in_editor_sees_the_editor_pages(ui_db, monkeypatch):
    monkeypatch.setenv("METRICS_DB", ui_db)
    monkeypatch.setenv("METRICS_ROLE_DEFAULT", "viewer")
    monkeypatch.setenv("METRICS_EDITORS", "ed@example.com")
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, "email": "ed@example.com"}
    at.run().switch_page("pages/review.py").run()
    assert not at.exception
    assert at.title[0].value == "Review" and "ed@example.com" in at.caption[0].value
