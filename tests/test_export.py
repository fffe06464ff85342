"""CSV export (queries/export.py, sql/export_*.sql): rows, formatting, Excel safety, shapes, currency.

Every check reads a real DuckDB built from data/ (plus, where text must be tricky, facts inserted with
parameterised SQL into a private copy) and compares with an independent reading: the csv module,
pandas, DuckDB's own read_csv.
"""

from __future__ import annotations

import csv
import doctest
import importlib
import io
import random
import shlex
import struct
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from queries import export
from queries.csv_cli import build_parser, filters_from_args
from queries.export import (
    BOM,
    LONG_COLUMNS,
    RATE_COLUMNS,
    TRACE_COLUMNS,
    WIDE_KEY_COLUMNS,
    ExportFilters,
    equivalent_command,
    export_bytes,
    export_columns,
    write_csv,
)
from queries.series import sync_series
from queries.sql_runner import load_sql

INJECTION_TEXTS = ("=cmd|' /C calc'!A0", "@SUM(1+1)", "+1-2", "-2+3")
TRICKY_EVIDENCE = 'Revenue was RMB 1,234 million, "up 12%",\nsaid the CEO;\r\nsecond line'
# Facts with text that must survive: formula starters, quotes, commas, line breaks, non-ASCII.
TRICKY_FACTS = (
    {"company": INJECTION_TEXTS[0], "metric": "revenue", "segment": "", "value": -3.5, "unit": "currency",
     "currency": "USD", "evidence": INJECTION_TEXTS[2], "status": "confirmed", "confidence": 1.0},
    {"company": "Xiaomi", "metric": "smartphone_shipments", "segment": INJECTION_TEXTS[1], "value": 70462900000.0,
     "unit": "units", "currency": None, "evidence": TRICKY_EVIDENCE, "status": "confirmed", "confidence": 0.9},
    {"company": "小米 Test", "metric": "smartphone_shipments", "segment": INJECTION_TEXTS[3], "value": 0.1 + 0.2,
     "unit": "units", "currency": None, "evidence": "₩ 1,000원 · 小米 ×2", "status": "edited", "confidence": 0.75},
    {"company": "Xiaomi", "metric": "smartphone_shipments", "segment": "'apostrophe", "value": 1.5e-7,
     "unit": "units", "currency": None, "evidence": "\tstarts with a tab", "status": "confirmed", "confidence": 0.5},
    {"company": "Xiaomi", "metric": "smartphone_shipments", "segment": "carriage", "value": 1.5e22,
     "unit": "units", "currency": None, "evidence": "\rstarts with CR", "status": "confirmed", "confidence": 1.0},
    {"company": "Xiaomi", "metric": "smartphone_shipments", "segment": "draft", "value": 12.0,
     "unit": "units", "currency": None, "evidence": "=HYPERLINK(\"http://x\")", "status": "extracted",
     "confidence": 0.42},
)  # fmt: skip
TRICKY_PERIOD = (date(2021, 1, 1), date(2021, 3, 31))
TRICKY_URL = 'https://example.com/a,b?q="x"'

INSERT_FACT = """
insert into facts (origin, status, company, metric, segment, period_start, period_end, period_kind, value, unit,
                   currency, confidence, evidence, source_url, span_start, span_end)
values ('curated', $status, $company, $metric, $segment, $period_start, $period_end, 'duration', $value, $unit,
        $currency, $confidence, $evidence, $source_url, 10, 20)
"""


def insert_facts(path: str, facts) -> None:
    """Plain parameterised inserts, then the series re-ranking a write must do (queries/series.py)."""
    con = duckdb.connect(path)
    try:
        con.execute("begin transaction")
        start, end = TRICKY_PERIOD
        rows = [{"period_start": start, "period_end": end, "source_url": TRICKY_URL} | fact for fact in facts]
        con.executemany(INSERT_FACT, rows)
        sync_series(con)
        con.execute("commit")
    finally:
        con.close()


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_frame(data: bytes) -> pd.DataFrame:
    """The CSV as text cells, exactly as written (no type guessing)."""
    rows = parse(data)
    return pd.DataFrame(rows[1:], columns=rows[0])


def plain(x: float) -> str:
    """Reference formatting: shortest round-trip digits, positional notation (independent of the SQL)."""
    text = format(Decimal(repr(x)), "f")
    return text[:-2] if text.endswith(".0") else text


@pytest.fixture(scope="module")
def con(built_db):
    connection = duckdb.connect(built_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def tricky_db(db_copy) -> str:
    insert_facts(db_copy, TRICKY_FACTS)
    return db_copy


@pytest.fixture
def tricky(tricky_db):
    connection = duckdb.connect(tricky_db, read_only=True)
    yield connection
    connection.close()


# --- which rows -------------------------------------------------------------------------------------------


def test_long_export_has_one_row_per_current_value_and_source(con):
    frame = as_frame(export_bytes(con, ExportFilters()))
    expected = con.execute(
        "select id, value, coalesce(attributed_to, '') as source from series_by_source"
    ).df()  # fmt: skip
    assert len(frame) == len(expected) > 1000
    merged = frame.astype({"fact_id": "int64"}).merge(expected, left_on="fact_id", right_on="id")
    assert len(merged) == len(expected)
    assert (merged["value_x"].astype(float) == merged["value_y"]).all()
    assert (merged["attributed_to"] == merged["source"]).all()
    key = ["company", "metric", "segment", "period_start", "period_end", "attributed_to"]
    assert not frame.duplicated(key).any()
    assert set(frame["status"]) <= {"confirmed", "edited", "extracted"}


def test_rows_are_sorted_so_bytes_do_not_depend_on_storage_order(con):
    frame = as_frame(export_bytes(con, ExportFilters(trace=False)))
    frame["source_first"] = frame["attributed_to"] != ""
    order = ["company", "metric", "segment", "source_first", "attributed_to", "period_end", "period_start"]
    assert frame.equals(frame.sort_values(order, kind="stable"))


def test_filters_select_the_same_rows_as_pandas(con):
    filters = ExportFilters(
        companies=("Xiaomi", "Samsung"),
        metrics=("smartphone_shipments", "market_share_pct"),
        segments=("",),
        sources=("company", "IDC"),
        period_from=date(2019, 1, 1),
        period_to=date(2022, 12, 31),
        frequency="quarter",
    )
    got = as_frame(export_bytes(con, filters))
    every = con.execute("select * from series_by_source").df()
    want = every[
        every["company"].isin(filters.companies)
        & every["metric"].isin(filters.metrics)
        & (every["segment"] == "")
        & every["attributed_to"].fillna("company").isin(filters.sources)
        & (every["period_end"] >= pd.Timestamp("2019-01-01"))
        & (every["period_end"] <= pd.Timestamp("2022-12-31"))
        & (every["grain"] == "quarter")
    ]
    assert len(got) == len(want) > 20
    assert sorted(got["fact_id"].astype(int)) == sorted(want["id"])


def test_confirmed_only_leaves_out_extracted_values(tricky):
    every = as_frame(export_bytes(tricky, ExportFilters(companies=("Xiaomi",))))
    confirmed = as_frame(export_bytes(tricky, ExportFilters(companies=("Xiaomi",), statuses="confirmed")))
    assert "extracted" in set(every["status"])
    assert set(confirmed["status"]) <= {"confirmed", "edited"}
    assert len(confirmed) == (every["status"] != "extracted").sum()


def test_filters_are_checked_against_allow_lists():
    with pytest.raises(ValueError, match="frequency"):
        ExportFilters(frequency="weekly")
    with pytest.raises(ValueError, match="currency"):
        ExportFilters(currency="EUR; drop table facts")
    with pytest.raises(ValueError, match="after"):
        ExportFilters(period_from=date(2021, 1, 1), period_to=date(2020, 1, 1))
    with pytest.raises(ValueError, match="list"):
        ExportFilters(companies="Xiaomi")
    assert ExportFilters(companies=["Xiaomi"]).companies == ("Xiaomi",)


# --- the file format --------------------------------------------------------------------------------------


@pytest.mark.parametrize("trace", [True, False])
@pytest.mark.parametrize("currency", ["reported", "USD"])
def test_header_is_the_documented_columns(con, trace, currency):
    filters = ExportFilters(trace=trace, currency=currency, metrics=("revenue",))
    header = parse(export_bytes(con, filters))[0]
    expected = [*LONG_COLUMNS, *(TRACE_COLUMNS if trace else ()), *(RATE_COLUMNS if currency != "reported" else ())]
    assert header == expected == export_columns(filters)


def test_lines_are_exactly_what_the_csv_module_writes(tricky):
    """Quoting is done in SQL for speed; it must equal csv.QUOTE_MINIMAL with CR LF, byte for byte."""
    data = export_bytes(tricky, ExportFilters())
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(parse(data))
    assert buffer.getvalue().encode("utf-8") == data
    assert data.count(b"\r\n") >= data.count(b"\n") - 2  # bare LF only inside the one quoted evidence


def test_tricky_text_survives_quoting(tricky):
    rows = as_frame(export_bytes(tricky, ExportFilters(companies=("Xiaomi",), segments=(INJECTION_TEXTS[1],))))
    assert len(rows) == 1
    assert rows.loc[0, "evidence"] == TRICKY_EVIDENCE  # commas, quotes, LF and CR LF inside one cell
    assert rows.loc[0, "source_url"] == TRICKY_URL


def test_non_ascii_survives(tricky):
    data = export_bytes(tricky, ExportFilters(companies=("小米 Test",)))
    rows = as_frame(data)
    assert rows.loc[0, "company"] == "小米 Test" and rows.loc[0, "evidence"] == "₩ 1,000원 · 小米 ×2"
    assert "小米".encode() in data


def test_formula_starters_in_text_get_an_apostrophe_numbers_do_not(tricky):
    rows = as_frame(export_bytes(tricky, ExportFilters()))
    cells = {cell for column in ("company", "segment", "evidence") for cell in rows[column]}
    for text in INJECTION_TEXTS:
        assert "'" + text in cells and text not in cells
    assert "'\tstarts with a tab" in cells and "'\rstarts with CR" in cells
    assert "''apostrophe" in cells  # an apostrophe of its own is doubled, so the importer can strip one
    assert '\'=HYPERLINK("http://x")' in cells
    negative = rows[rows["company"] == "'" + INJECTION_TEXTS[0]]
    assert negative["value"].tolist() == ["-3.5"]
    every_value = rows["value"].tolist() + rows["confidence"].tolist()
    assert not [v for v in every_value if v[:1] in ("=", "+", "@", "'")]


def test_numbers_are_plain_and_round_trip(tricky):
    rows = as_frame(export_bytes(tricky, ExportFilters(companies=("Xiaomi", "小米 Test"), segments=("@SUM(1+1)", "-2+3", "'apostrophe", "carriage"))))  # fmt: skip
    by_segment = dict(zip(rows["segment"], rows["value"], strict=True))
    assert by_segment["'@SUM(1+1)"] == "70462900000"
    assert by_segment["'-2+3"] == "0.30000000000000004"
    assert by_segment["''apostrophe"] == "0.00000015"
    assert by_segment["carriage"] == "15000000000000000000000"


def test_many_floats_print_plain_with_every_digit(db_copy):
    """Random bit patterns and decimal-looking values: no exponent, and float(cell) is the same float."""
    rng = random.Random(7)
    values = [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(400)]
    values += [round(rng.uniform(-1e13, 1e13), rng.randint(0, 6)) for _ in range(400)]
    values += [1e16, 1e-5, 5e-324, 1.7976931348623157e308, -0.0, 123456789012345680.0, 9007199254740993.0]
    values = [v for v in values if v == v and abs(v) != float("inf")]
    facts = [
        {"company": "Xiaomi", "metric": "smartphone_shipments", "segment": f"n{i:04d}", "value": v, "unit": "units",
         "currency": None, "evidence": "", "status": "confirmed", "confidence": 1.0}
        for i, v in enumerate(values)
    ]  # fmt: skip
    insert_facts(db_copy, facts)
    con = duckdb.connect(db_copy, read_only=True)
    rows = as_frame(export_bytes(con, ExportFilters(segments=tuple(f["segment"] for f in facts), trace=False)))
    got = dict(zip(rows["segment"], rows["value"], strict=True))
    for fact in facts:
        cell = got[fact["segment"]]
        assert "e" not in cell.lower() and "," not in cell
        assert float(cell) == fact["value"]
        assert cell == plain(fact["value"])


def test_pandas_and_duckdb_read_the_same_values(con, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(export_bytes(con, ExportFilters(bom=True)))
    by_pandas = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    reader = duckdb.connect()
    by_duckdb = reader.execute("select * from read_csv($p, header = true, all_varchar = true)", {"p": str(path)}).df()
    assert list(by_pandas.columns) == list(by_duckdb.columns) == export_columns(ExportFilters())
    assert by_pandas.equals(by_duckdb.fillna("").astype(by_pandas.dtypes.to_dict()))
    numbers = pd.read_csv(path, encoding="utf-8-sig")  # with type guessing: value is numeric
    expected = con.execute("select id, value from series_by_source").df().set_index("id")["value"]
    assert pd.api.types.is_float_dtype(numbers["value"])
    assert (numbers.set_index("fact_id")["value"] == expected.loc[numbers["fact_id"]]).all()
    typed = reader.execute("select value, period_end from read_csv($p, header = true)", {"p": str(path)}).df()
    assert pd.api.types.is_float_dtype(typed["value"]) and pd.api.types.is_datetime64_any_dtype(typed["period_end"])


def test_bom_only_on_request(con):
    plain_bytes = export_bytes(con, ExportFilters(metrics=("revenue",)))
    with_bom = export_bytes(con, ExportFilters(metrics=("revenue",), bom=True))
    assert not plain_bytes.startswith(BOM) and plain_bytes.startswith(b"company,")
    assert with_bom == BOM + plain_bytes


def test_write_csv_streams_in_batches_and_counts_rows(con, monkeypatch):
    class Sink(io.BytesIO):
        writes = 0

        def write(self, data):
            Sink.writes += 1
            return super().write(data)

    monkeypatch.setattr(export, "FETCH_ROWS", 100)
    sink = Sink()
    rows = write_csv(con, ExportFilters(), sink)
    assert rows == len(parse(sink.getvalue())) - 1 > 1000
    assert Sink.writes >= rows // 100


# --- wide shape -------------------------------------------------------------------------------------------


def _frequency(row) -> str:
    """Independent of the fact_keys view: the same day thresholds, read from the design."""
    if row["period_kind"] == "instant":
        return "instant"
    days = (date.fromisoformat(row["period_end"]) - date.fromisoformat(row["period_start"])).days
    for limit, name in ((31, "month"), (100, "quarter"), (190, "half"), (280, "nine_months")):
        if days <= limit:
            return name
    return "year"


@pytest.mark.parametrize("currency", ["reported", "USD"])
def test_wide_equals_a_pandas_pivot_of_the_long_export(con, currency):
    long = as_frame(export_bytes(con, ExportFilters(currency=currency, trace=False)))
    long["frequency"] = long.apply(_frequency, axis=1)
    keys = list(WIDE_KEY_COLUMNS)
    # one cell per row and period_end: the shorter period wins (documented in sql/export_wide.sql)
    long = long.sort_values("period_start").drop_duplicates([*keys, "period_end"], keep="last")
    pivot = long.pivot(index=keys, columns="period_end", values="value").fillna("")
    pivot = pivot[sorted(pivot.columns)].reset_index()
    wide = as_frame(export_bytes(con, ExportFilters(currency=currency, shape="wide")))
    assert list(wide.columns) == list(pivot.columns)
    assert len(wide) == len(pivot) > 100
    merged = wide.merge(pivot, on=keys, suffixes=("", "_pivot"))
    assert len(merged) == len(wide)
    for period in wide.columns[len(keys) :]:
        assert merged[period].equals(merged[f"{period}_pivot"]), period


def test_wide_header_without_rows(con):
    data = export_bytes(con, ExportFilters(companies=("Nobody",), shape="wide"))
    assert data == ",".join(WIDE_KEY_COLUMNS).encode() + b"\r\n"
    assert export_bytes(con, ExportFilters(companies=("Nobody",))).count(b"\r\n") == 1


def test_long_and_wide_sql_include_the_same_selection():
    selection = load_sql("export_selection")
    assert "-- include:" not in load_sql("export_long") and "-- include:" not in load_sql("export_wide")
    assert selection in load_sql("export_long") and selection in load_sql("export_wide")


# --- currency normalisation -------------------------------------------------------------------------------


def _fx(con) -> pd.DataFrame:
    fx = con.execute("select currency, period_start, period_end, kind, units_per_usd from fx_rates").df()
    for column in ("period_start", "period_end"):
        fx[column] = fx[column].dt.strftime("%Y-%m-%d")
    return fx


def test_usd_values_are_divided_by_the_rate_of_the_period(con):
    rows = as_frame(export_bytes(con, ExportFilters(currency="USD")))
    money = rows[rows["unit"] == "currency"].copy()
    fx = _fx(con)
    # flows whose exact period has an average rate, computed here without the SQL
    average = fx[fx["kind"] == "average"]
    flows = money[money["period_kind"] == "duration"].merge(
        average,
        left_on=["reported_currency", "period_start", "period_end"],
        right_on=["currency", "period_start", "period_end"],
        suffixes=("", "_fx"),
    )
    assert len(flows) > 100
    assert (flows["value"].astype(float) == flows["reported_value"].astype(float) / flows["units_per_usd"]).all()
    assert (flows["rate"].astype(float) == flows["units_per_usd"]).all()
    assert set(flows["rate_kind"]) == {"average"}
    assert (flows["rate_period"] == flows["period_start"] + "/" + flows["period_end"]).all()
    # stocks on a day with a period-end rate
    closing = fx[fx["kind"] == "period_end"].drop_duplicates(["currency", "period_end"])
    stocks = money[money["period_kind"] == "instant"].merge(
        closing, left_on=["reported_currency", "period_end"], right_on=["currency", "period_end"], suffixes=("", "_fx")
    )
    assert len(stocks) > 5
    assert (stocks["value"].astype(float) == stocks["reported_value"].astype(float) / stocks["units_per_usd"]).all()
    assert set(stocks["rate_kind"]) == {"period_end"} and (stocks["rate_period"] == stocks["period_end"]).all()


def test_usd_rows_already_in_usd_non_money_rows_and_missing_rates(con):
    rows = as_frame(export_bytes(con, ExportFilters(currency="USD")))
    money = rows[rows["unit"] == "currency"]
    assert set(money["currency"]) == {"USD"}
    in_usd = money[money["reported_currency"] == "USD"]
    assert len(in_usd) > 10 and (in_usd["rate"] == "1").all() and (in_usd["value"] == in_usd["reported_value"]).all()
    other = rows[rows["unit"] != "currency"]
    assert (other["value"] == other["reported_value"]).all()
    assert (other[["currency", "rate", "rate_kind", "rate_period"]] == "").all().all()
    no_rate = money[money["rate"] == ""]
    assert (no_rate["value"] == "").all()  # never a CNY value under a USD header
    assert (no_rate["period_end"] < "2018-01-01").all()  # fx_rates starts in 2018


def test_cny_conversion_of_usd_figures(con):
    rows = as_frame(export_bytes(con, ExportFilters(currency="CNY", companies=("Apple",), metrics=("revenue",))))
    fx = _fx(con)
    cny = fx[(fx["currency"] == "CNY") & (fx["kind"] == "average")]
    exact = rows.merge(cny, on=["period_start", "period_end"], suffixes=("", "_fx"))
    converted = rows[rows["rate"] != ""]
    assert len(converted) > 5 and set(converted["currency"]) == {"CNY"}
    for _, row in converted.iterrows():
        assert float(row["value"]) == pytest.approx(float(row["reported_value"]) / float(row["rate"]), rel=1e-15)
    for _, row in exact.iterrows():
        assert float(row["value"]) == pytest.approx(float(row["reported_value"]) * row["units_per_usd"], rel=1e-12)


# --- the equivalent command -------------------------------------------------------------------------------


def test_equivalent_command_parses_back_to_the_same_filters():
    filters = ExportFilters(
        companies=("Xiaomi", "Li Auto", "O'Brien & Sons"),
        metrics=("revenue",),
        segments=("", "mainland China"),
        sources=("company", "IDC"),
        period_from=date(2020, 1, 1),
        period_to=date(2024, 12, 31),
        frequency="quarter",
        statuses="confirmed",
        currency="USD",
        shape="wide",
        trace=False,
        bom=True,
    )
    command = equivalent_command(filters, out="my file.csv")
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "queries", "export"]
    args = build_parser().parse_args(words[3:])
    assert filters_from_args(args) == filters and args.out == "my file.csv"
    assert equivalent_command(ExportFilters()) == "python -m queries export"


@pytest.mark.parametrize("name", ["queries.export", "queries.importer"])
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
