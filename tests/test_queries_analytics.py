"""Read queries checked against independent pandas computations on the same facts.

A small database is built from the bundled registry and FX rates plus hand-made facts whose answers are known:
Xiaomi quarters (2019 does not add up, 2020 lacks Q4, 2021 is complete), Apple's 52/53-week fiscal quarters,
Samsung in KRW, a stock metric, and two releases that disagree with the curated figure.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from metrics.document import Document
from metrics.facts import Fact
from queries import analytics, schema
from queries.build import DATA_DIR, load_companies_table, load_fx_rates
from queries.ingest import ingest_document
from queries.reads import current_series
from queries.series import sync_series
from queries.store import edit_fact

B = 1e9
XIAOMI_Q = {  # (year, quarter) -> revenue in CNY billions; 2020 Q4 is not reported
    (2019, 1): 100, (2019, 2): 110, (2019, 3): 120, (2019, 4): 130,
    (2020, 1): 105, (2020, 2): 115, (2020, 3): 125,
    (2021, 1): 140, (2021, 2): 150, (2021, 3): 160, (2021, 4): 170,
}  # fmt: skip
XIAOMI_FY = {2019: 470, 2020: 500, 2021: 620}  # 2019's quarters add up to 460: 2.1 % short
APPLE_Q = [  # fiscal quarters (start, end, USD billions)
    (date(2019, 9, 29), date(2019, 12, 28), 91.8),
    (date(2019, 12, 29), date(2020, 3, 28), 58.3),
    (date(2020, 3, 29), date(2020, 6, 27), 59.7),
    (date(2020, 6, 28), date(2020, 9, 26), 64.7),
    (date(2020, 9, 27), date(2020, 12, 26), 111.4),
]
SAMSUNG_Q3_2020_KRW = 66.96e12
CASH = {date(2020, 3, 31): 60, date(2020, 6, 30): 65, date(2020, 12, 31): 80}
DISPUTED = {"A": 125 * 1.01, "B": 125 * 1.002}  # two releases on Xiaomi's Q3 2020 revenue


def quarter_dates(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * q - 2, 1)
    end = (date(year + (q == 4), (3 * q % 12) + 1, 1)) - timedelta(days=1)
    return start, end


def curated(company, metric, start, end, value, unit="currency", currency=None, kind="duration"):
    return {
        "origin": "curated", "status": "confirmed", "company": company, "metric": metric, "segment": "",
        "period_start": start, "period_end": end, "period_kind": kind, "value": float(value), "unit": unit,
        "currency": currency, "source_url": f"https://example.com/{company}/{metric}/{end}",
    }  # fmt: skip


def curated_rows() -> list[dict]:
    rows = [curated("Xiaomi", "revenue", *quarter_dates(y, q), v * B, currency="CNY") for (y, q), v in XIAOMI_Q.items()]
    rows += [
        curated("Xiaomi", "revenue", date(y, 1, 1), date(y, 12, 31), v * B, currency="CNY")
        for y, v in XIAOMI_FY.items()
    ]
    rows += [curated("Apple", "revenue", s, e, v * B, currency="USD") for s, e, v in APPLE_Q]
    rows.append(curated("Samsung", "revenue", date(2020, 7, 1), date(2020, 9, 30), SAMSUNG_Q3_2020_KRW, currency="KRW"))
    rows += [curated("Xiaomi", "cash_reserves", d, d, v * B, currency="CNY", kind="instant") for d, v in CASH.items()]
    return rows


def release(label: str, value: float) -> tuple[Document, list[Fact]]:
    text = f"Release {label}: Xiaomi's revenue in the third quarter of 2020 was RMB{value:.3f} billion."
    doc = Document(text, f"Release {label}", date(2020, 11, 30), f"{label}.txt", "text/plain", "utf-8",
                   hashlib.sha256(text.encode()).hexdigest())  # fmt: skip
    start = text.index("RMB")
    fact = Fact("Xiaomi", "revenue", "", date(2020, 7, 1), date(2020, 9, 30), "duration", value * B, "currency",
                "CNY", None, None, False, 0.9, (start, start + 15), text)  # fmt: skip
    return doc, [fact]


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "known.duckdb"))
    schema.migrate(connection)
    load_companies_table(connection, DATA_DIR)
    load_fx_rates(connection, DATA_DIR)
    connection.register("curated_rows", pd.DataFrame(curated_rows()))
    connection.execute("insert into facts by name select * from curated_rows")
    sync_series(connection)
    for label, value in DISPUTED.items():
        doc, facts = release(label, value)
        ingest_document(connection, doc, facts)
    yield connection
    connection.close()


# ---------------------------------------------------------------------------- independent pandas computations


def expected_growth(frame: pd.DataFrame) -> pd.DataFrame:
    """YoY (same length, end one year earlier ±7 days), QoQ (ends the day before ±3), TTM (4 consecutive)."""
    frame = frame.sort_values("period_end").reset_index(drop=True)
    frame["length"] = (frame["period_end"] - frame["period_start"]).dt.days
    yoy, qoq, ttm = [], [], []
    for i, row in frame.iterrows():
        year_ago = row["period_end"] - pd.DateOffset(years=1)
        near = frame[((frame["period_end"] - year_ago).abs() <= pd.Timedelta(days=7))]
        yoy.append(100 * (row["value"] / near["value"].iloc[0] - 1) if len(near) else None)
        before = frame[
            ((frame["period_end"] - (row["period_start"] - pd.Timedelta(days=1))).abs() <= pd.Timedelta(days=3))
        ]
        qoq.append(100 * (row["value"] / before["value"].iloc[0] - 1) if len(before) else None)
        window = frame.iloc[max(0, i - 3) : i + 1]
        span = (row["period_end"] - window["period_start"].min()).days
        ttm.append(window["value"].sum() if len(window) == 4 and 357 <= span <= 372 else None)
    return frame.assign(yoy=yoy, qoq=qoq, ttm=ttm)


def assert_close(actual, expected) -> None:
    a = pd.Series(actual, dtype="float64").reset_index(drop=True)
    e = pd.Series(expected, dtype="float64").reset_index(drop=True)
    pd.testing.assert_series_equal(a, e, check_names=False, rtol=1e-9)


def fx_table() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "fx_rates.csv", parse_dates=["period_start", "period_end"])


def expected_rate(currency: str, start, end, kind: str) -> float:
    if currency == "USD":
        return 1.0
    fx = fx_table()
    fx = fx[(fx.currency == currency) & (fx.kind == kind)]
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if kind == "average":
        fx = fx[
            ((fx.period_start - start).abs() <= pd.Timedelta(days=7))
            & ((fx.period_end - end).abs() <= pd.Timedelta(days=7))
        ]
    else:
        fx = fx[(fx.period_end - end).abs() <= pd.Timedelta(days=7)]
    return float(fx.units_per_usd.iloc[0])


# ---------------------------------------------------------------------------- growth


def test_growth_matches_pandas_with_a_derived_fourth_quarter(con):
    got = analytics.growth_series(con, "revenue", ["Xiaomi"], grain="quarter")
    derived = got[got["derived"]]
    assert len(derived) == 1
    q4 = derived.iloc[0]
    assert (q4["period_start"], q4["period_end"]) == (pd.Timestamp(2020, 10, 1), pd.Timestamp(2020, 12, 31))
    assert q4["value"] == pytest.approx((500 - 105 - 115 - 125) * B)
    quarters = pd.DataFrame(
        [(*map(pd.Timestamp, quarter_dates(y, q)), v * B) for (y, q), v in XIAOMI_Q.items()]
        + [(pd.Timestamp(2020, 10, 1), pd.Timestamp(2020, 12, 31), (500 - 345) * B)],
        columns=["period_start", "period_end", "value"],
    )
    want = expected_growth(quarters)
    assert_close(got["value"], want["value"])
    assert_close(got["yoy_pct"], want["yoy"])
    assert_close(got["qoq_pct"], want["qoq"])
    assert_close(got["ttm"], want["ttm"])
    assert_close(got["indexed"], 100 * want["value"] / want["value"].iloc[0])


def test_growth_across_apples_fiscal_quarters_and_a_chosen_index(con):
    got = analytics.growth_series(con, "revenue", ["Apple"], grain="quarter", index_period=date(2020, 3, 31))
    frame = pd.DataFrame(
        [(pd.Timestamp(s), pd.Timestamp(e), v * B) for s, e, v in APPLE_Q],
        columns=["period_start", "period_end", "value"],
    )
    want = expected_growth(frame)
    assert_close(got["yoy_pct"], want["yoy"])
    assert_close(got["qoq_pct"], want["qoq"])
    assert got["yoy_pct"].iloc[-1] == pytest.approx(100 * (111.4 / 91.8 - 1))
    assert_close(got["ttm"], want["ttm"])
    assert got["ttm"].iloc[-1] == pytest.approx((58.3 + 59.7 + 64.7 + 111.4) * B)
    assert_close(got["indexed"], 100 * want["value"] / (58.3 * B))  # the quarter ending 2020-03-28


def test_stocks_get_change_against_the_prior_instant_and_no_yoy(con):
    got = analytics.growth_series(con, "cash_reserves", ["Xiaomi"], grain="instant")
    values = [v * B for v in CASH.values()]
    assert_close(got["value"], values)
    assert_close(got["change_pct"], [None] + [100 * (b / a - 1) for a, b in zip(values, values[1:], strict=False)])
    assert got["yoy_pct"].isna().all() and got["ttm"].isna().all()


def test_an_edit_wins_and_growth_follows(con):
    fact_id = con.execute(
        "select id from facts where company = 'Xiaomi' and metric = 'revenue' and period_end = date '2020-03-31'"
    ).fetchone()[0]
    edit_fact(con, fact_id, {"value": 106 * B}, user="ana")
    got = analytics.growth_series(con, "revenue", ["Xiaomi"], grain="quarter").set_index("period_end")
    assert got.loc[pd.Timestamp(2020, 3, 31), "value"] == 106 * B
    assert got.loc[pd.Timestamp(2020, 3, 31), "status"] == "edited"
    assert got.loc[pd.Timestamp(2020, 6, 30), "qoq_pct"] == pytest.approx(100 * (115 / 106 - 1))
    assert got.loc[pd.Timestamp(2020, 12, 31), "value"] == pytest.approx((500 - 106 - 115 - 125) * B)


def test_growth_on_the_bundled_data_matches_pandas_on_the_current_series(built_db):
    con = duckdb.connect(built_db, read_only=True)
    for company, metric in [
        ("Xiaomi", "revenue"),
        ("Xiaomi", "smartphone_shipments"),
        ("Apple", "smartphone_shipments"),
    ]:
        series = current_series(con, metric, [company], "", "company", "quarter")
        got = analytics.growth_series(con, metric, [company], source="company", grain="quarter")
        reported = got[~got["derived"]].reset_index(drop=True)
        assert_close(reported["value"], series["value"])
        want = expected_growth(pd.concat([series, got[got["derived"]]])[["period_start", "period_end", "value"]])
        assert_close(got["yoy_pct"], want["yoy"])
        assert_close(got["qoq_pct"], want["qoq"])
        assert_close(got["ttm"], want["ttm"])


# ---------------------------------------------------------------------------- compare, scatter, FX


@pytest.mark.parametrize("target", ["USD", "CNY"])
def test_compare_aligns_fiscal_periods_and_converts_with_the_period_average(con, target):
    got = analytics.compare_period(con, "revenue", date(2020, 9, 30), grain="quarter", currency=target)
    got = got.set_index("company")
    assert set(got.index) == {"Xiaomi", "Apple", "Samsung"}
    apple = got.loc["Apple"]
    assert apple["period_end"] == pd.Timestamp(2020, 9, 26) and "aligned" in apple["alignment"]
    assert got.loc["Xiaomi", "alignment"] == "calendar period"
    for company, row in got.iterrows():
        rate = expected_rate(row["currency"], row["period_start"], row["period_end"], "average")
        target_rate = expected_rate(target, row["period_start"], row["period_end"], "average")
        assert row["converted_value"] == pytest.approx(row["value"] / rate * target_rate), company
        assert row["converted_currency"] == target
    ranked = got.sort_values("converted_value", ascending=False)
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert got.loc["Samsung", "fx_kind"] == "average"
    assert got.loc["Samsung", "fx_period_start"] == pd.Timestamp(2020, 7, 1)


def test_stocks_convert_at_the_period_end_rate(con):
    got = analytics.compare_period(con, "cash_reserves", date(2020, 6, 30), grain="instant", currency="USD")
    row = got.iloc[0]
    assert row["converted_value"] == pytest.approx(65 * B / expected_rate("CNY", None, date(2020, 6, 30), "period_end"))
    assert row["fx_kind"] == "period_end"


def test_scatter_pairs_two_metrics_per_company(con):
    got = analytics.scatter_metrics(con, "revenue", "revenue", date(2020, 9, 30))
    assert sorted(got["company"]) == ["Apple", "Samsung", "Xiaomi"]
    assert_close(got["x"], got["y"])


# ---------------------------------------------------------------------------- data quality


def test_conflicts_match_a_pairwise_pandas_check(con):
    facts = con.execute(
        "select id, company, metric, segment, period_start, period_end, value, currency, "
        "coalesce(document_id, source_url) as origin from facts where status <> 'rejected'"
    ).df()
    key = ["company", "metric", "segment", "period_start", "period_end"]
    pairs = facts.merge(facts, on=key, suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs.id_a < pairs.id_b) & (pairs.currency_a == pairs.currency_b) & (pairs.origin_a != pairs.origin_b)
    ]
    diff = (pairs.value_a - pairs.value_b).abs() / pairs[["value_a", "value_b"]].abs().max(axis=1)
    want = sorted(map(tuple, pairs[diff > 0.005][["id_a", "id_b"]].values.tolist()))
    got = analytics.list_conflicts(con)
    assert sorted(zip(got.fact_id_a, got.fact_id_b, strict=True)) == want
    assert len(want) == 2  # curated vs A (1 %) and A vs B (0.8 %); curated vs B (0.2 %) is within tolerance
    assert set(got["origin_a"]) | set(got["origin_b"]) >= {"Release A", "Release B"}


def test_quarters_that_do_not_add_up(con):
    got = analytics.quarters_not_adding_up(con, metric="revenue")
    assert got["fy_end"].tolist() == [pd.Timestamp(2019, 12, 31)]
    row = got.iloc[0]
    assert row["quarters_sum"] == pytest.approx(460 * B)
    assert row["difference_pct"] == pytest.approx(100 * (460 - 470) / 470)


def test_coverage_grid_counts_sources_per_calendar_period(con):
    grid = analytics.coverage_grid(con, "revenue", grain="quarter")
    assert grid.loc["Apple", "2020-Q4"] == 1  # fiscal quarter ending 2020-12-26
    assert grid.loc["Xiaomi", "2020-Q3"] == 1  # one source (the company) although three documents
    assert pd.isna(grid.loc["Xiaomi", "2020-Q4"]) if "2020-Q4" in grid.columns else True
    values = analytics.coverage_grid(con, "revenue", grain="quarter", values=True)
    assert values.loc["Xiaomi", "2019-Q1"] == 100 * B


@pytest.mark.parametrize(
    ("metric", "grain"), [("smartphone_shipments", "quarter"), ("revenue", "quarter"), ("revenue", "year")]
)
def test_every_coverage_cell_is_a_company_the_comparison_shows(built_db, metric, grain):
    """The Compare picker lists coverage periods with their company counts; the chart must show them all."""
    con = duckdb.connect(built_db, read_only=True)
    cells = analytics.coverage_cells(con, metric, grain=grain)
    assert len(cells) > 10
    for period_end, offered in cells.groupby("calendar_period_end"):
        shown = analytics.compare_period(con, metric, period_end.date(), grain, currency="")
        assert sorted(shown["company"]) == sorted(offered["company"]), period_end


def test_latest_snapshot_for_kpi_cards(con):
    cards = analytics.latest_snapshot(con, "Xiaomi").set_index("metric")
    revenue = cards.loc["revenue"]
    assert revenue["period_end"] == pd.Timestamp(2021, 12, 31)
    assert revenue["prior_value"] == 160 * B
    assert revenue["yoy_pct"] is None or pd.isna(revenue["yoy_pct"])  # Q4 2020 is not reported
    last_eight = [v * B for v in list(XIAOMI_Q.values())[-8:]]
    assert list(revenue["sparkline_values"]) == last_eight
    assert len(revenue["sparkline_periods"]) == 8
    cash = cards.loc["cash_reserves"]
    assert cash["value"] == 80 * B and cash["change_pct"] == pytest.approx(100 * (80 / 65 - 1))


# ---------------------------------------------------------------------------- documents, provenance, review


def test_provenance_of_a_chart_point(con):
    fact_id = con.execute("select min(id) from facts where document_id is not null").fetchone()[0]
    got = analytics.fact_provenance(con, fact_id, window=10)
    assert got["document_title"] == "Release A"
    text = got["text_window"]
    offset = got["span_start"] - got["window_start"]
    assert text[offset : offset + 3] == "RMB"
    assert analytics.fact_provenance(con, 10**9) is None


def test_documents_search_and_facts_for_highlighting(con):
    docs = analytics.list_documents(con, search="release b")
    assert docs["title"].tolist() == ["Release B"] and docs["facts"].tolist() == [1]
    doc = analytics.get_document(con, docs["document_id"].iloc[0])
    facts = analytics.list_document_facts(con, doc["document_id"])
    span = facts.iloc[0]
    assert doc["text"][span["span_start"] : span["span_start"] + 3] == "RMB"
    assert analytics.get_document(con, "nope") is None


def test_review_queue_and_events(con):
    con.execute("update facts set confidence = 0.3 where document_id is not null")
    queue = analytics.list_review_queue(con, max_confidence=0.5)
    assert len(queue) == 2 and set(queue["reason"]) == {"low confidence"}
    assert analytics.list_events(con).empty


def test_no_fourth_quarter_is_derived_for_ranks_shares_or_users(db_copy):
    """Only totals add up: FY − (Q1+Q2+Q3) is meaningless for a rank, a share or monthly users."""
    from queries.connection import connect

    con = connect(db_copy)
    companies = ["Xiaomi", "Apple", "Samsung", "Honor", "OPPO", "vivo"]
    for metric in ("market_rank", "market_share_pct", "monthly_active_users"):
        frame = analytics.growth_series(con, metric, companies, grain="quarter")
        assert not frame["derived"].any(), metric
        assert frame["ttm"].isna().all(), metric
        assert (frame["value"] > 0).all(), metric
    shipments = analytics.growth_series(con, "smartphone_shipments", companies, grain="quarter")
    assert shipments["ttm"].notna().any()
