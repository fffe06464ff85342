"""The period grammar (metrics.periods) and fiscal calendars (metrics.fiscal).

Table-driven: the rows live in tests/period_cases.py, grouped by where they come from.
"""

from __future__ import annotations

import doctest
import time
from datetime import date
from pathlib import Path

import pytest

import metrics.fiscal
import metrics.periods
from metrics.fiscal import FiscalCalendar, Period
from metrics.periods import (
    _scan,
    _select,
    find_periods,
    find_publication_date,
    parse_period,
    parse_table_header,
    scan_each_rule,
)
from tests.period_cases import (
    APPLE,
    FISCAL_PERIODS,
    INSTANTS,
    LENOVO,
    NOT_A_PERIOD,
    PERIODS,
    PUBLICATION_DATES,
    RELATIVE,
    TABLE_HEADERS,
    Case,
)

GROUPS = {
    "PERIODS": PERIODS,
    "FISCAL_PERIODS": FISCAL_PERIODS,
    "RELATIVE": RELATIVE,
    "INSTANTS": INSTANTS,
}


def case_id(case: Case) -> str:
    """Readable: the phrase, then what differs from the default context."""
    parts = [case.span or case.sentence[:40]]
    if case.fye != "12-31":
        parts.append(f"fye={case.fye}")
    if case.published:
        parts.append(f"pub={case.published}")
    return " ".join(parts)


def params(cases, make_id=case_id):
    """pytest params with readable ids; rows with a reason in ``xfail`` must fail (strict)."""
    return [
        pytest.param(c, id=make_id(c), marks=pytest.mark.xfail(strict=True, reason=c.xfail) if c.xfail else ())
        for c in cases
    ]


def mention_of(case: Case):
    mentions = find_periods(case.sentence, case.published, FiscalCalendar(case.fye))
    found = [m for m in mentions if m.text == case.span]
    assert found, f"no mention {case.span!r}; found {[m.text for m in mentions]}"
    return found[0]


# ------------------------------------------------------------------ the table


@pytest.mark.parametrize("case", params([c for group in GROUPS.values() for c in group]))
def test_period_phrase(case: Case):
    mention = mention_of(case)
    if case.start is None:
        assert mention.period is None
    else:
        assert mention.period is not None, "unresolved"
        assert (mention.period.start, mention.period.end, mention.period.kind) == (case.start, case.end, case.kind)
    assert mention.comparative == case.comparative
    if case.grain:
        assert mention.grain == case.grain


@pytest.mark.parametrize("case", params(NOT_A_PERIOD, lambda c: c.sentence[:48]))
def test_not_a_period(case: Case):
    assert find_periods(case.sentence, date(2021, 3, 30)) == []


@pytest.mark.parametrize("case", params(TABLE_HEADERS, lambda c: c.line[:60] or "empty"))
def test_table_header(case):
    periods = parse_table_header(case.line, case.published, FiscalCalendar(case.fye))
    if case.periods is None:
        assert periods is None
    else:
        assert periods is not None, "not read as a header"
        assert [(p.start, p.end) for p in periods] == case.periods


@pytest.mark.parametrize("case", params(PUBLICATION_DATES, lambda c: c.text[:50].replace("\n", " ") or "empty"))
def test_publication_date(case):
    assert find_publication_date(case.text) == case.expected


def test_no_input_appears_twice():
    sentences = [c.sentence for group in (*GROUPS.values(), NOT_A_PERIOD) for c in group]
    lines = [c.line for c in TABLE_HEADERS] + [c.text for c in PUBLICATION_DATES]
    for inputs in (sentences, lines):
        duplicates = {s for s in inputs if inputs.count(s) > 1}
        assert not duplicates
    ids = [case_id(c) + c.sentence for group in GROUPS.values() for c in group]
    assert len(ids) == len(set(ids))


def test_table_is_big_enough():
    rows = sum(map(len, GROUPS.values())) + len(TABLE_HEADERS) + len(PUBLICATION_DATES) + len(NOT_A_PERIOD)
    assert rows >= 110


@pytest.mark.parametrize("case", [c for group in GROUPS.values() for c in group if not c.xfail][:60], ids=case_id)
def test_spans_point_into_the_text(case: Case):
    for mention in find_periods(case.sentence, case.published, FiscalCalendar(case.fye)):
        start, end = mention.span
        assert case.sentence[start:end] == mention.text


# ------------------------------------------------------------------ mention details


def test_mentions_come_in_order_with_labels():
    text = "In Q4 2020 revenue was RMB70.5 billion, up from RMB56.5 billion in the same period last year."
    mentions = find_periods(text)
    assert [m.period.label for m in mentions] == ["Q4 2020", "Q4 2019"]
    assert [m.comparative for m in mentions] == [False, True]
    assert [m.explicit_year for m in mentions] == [True, False]


def test_relative_phrase_without_publication_date_is_unresolved():
    (mention,) = find_periods("Revenue rose from a year earlier.")
    assert mention.period is None and mention.grain == "relative" and not mention.explicit_year


def test_estimates_are_flagged_in_the_rule():
    (mention,) = find_periods("We trim FY22E adjusted net profit by 3%.")
    assert mention.rule.endswith("+estimate")


def test_apple_labels_name_the_fiscal_year():
    (mention,) = find_periods("first quarter of fiscal 2021", calendar=FiscalCalendar(APPLE))
    assert mention.period.label == "Q1 FY2021"


def test_parse_period():
    assert parse_period("three months ended December 31, 2020") == FiscalCalendar().quarter(2020, 4)
    assert parse_period("as of December 31, 2020") == Period.instant(date(2020, 12, 31))
    assert parse_period("the same period last year") is None
    assert parse_period("Mi 11") is None


def test_a_period_only_in_the_second_sentence():
    text = (
        "Its newest annual report shows that worldwide handset shipments came to 146 million. "
        "By the end of 2020, the company had cash on hand of RMB 108 billion."
    )
    mentions = find_periods(text, date(2021, 3, 30))
    assert [(m.text, m.period.start, m.period.kind) for m in mentions] == [
        ("By the end of 2020", date(2020, 12, 31), "instant")
    ]


# ------------------------------------------------------------------ fiscal calendars

APPLE_YEAR_ENDS = {
    2019: date(2019, 9, 28),
    2020: date(2020, 9, 26),
    2021: date(2021, 9, 25),
    2022: date(2022, 9, 24),
    2023: date(2023, 9, 30),
    2024: date(2024, 9, 28),
    2025: date(2025, 9, 27),
}


@pytest.mark.parametrize("fy", sorted(APPLE_YEAR_ENDS))
def test_apple_fiscal_year_ends(fy):
    year = FiscalCalendar(APPLE).year(fy)
    assert year.end == APPLE_YEAR_ENDS[fy]
    assert year.start == APPLE_YEAR_ENDS.get(fy - 1, date(2018, 9, 29)) + (date(2000, 1, 2) - date(2000, 1, 1))
    assert year.days == (371 if fy == 2023 else 364)


@pytest.mark.parametrize(
    ("q", "start", "end"),
    [
        (1, date(2020, 9, 27), date(2020, 12, 26)),
        (2, date(2020, 12, 27), date(2021, 3, 27)),
        (3, date(2021, 3, 28), date(2021, 6, 26)),
        (4, date(2021, 6, 27), date(2021, 9, 25)),
    ],
)
def test_apple_fy2021_quarters(q, start, end):
    quarter = FiscalCalendar(APPLE).quarter(2021, q)
    assert (quarter.start, quarter.end, quarter.label) == (start, end, f"Q{q} FY2021")


def test_apple_53_week_year_puts_the_extra_week_in_q1():
    apple = FiscalCalendar(APPLE)
    ends = [apple.quarter(2023, q).end for q in (1, 2, 3, 4)]
    assert ends == [date(2022, 12, 31), date(2023, 4, 1), date(2023, 7, 1), date(2023, 9, 30)]
    assert apple.quarter(2023, 1).days == 98
    assert [apple.quarter(2023, q).days for q in (2, 3, 4)] == [91, 91, 91]


def test_apple_halves_and_nine_months():
    apple = FiscalCalendar(APPLE)
    assert (apple.half(2021, 1).start, apple.half(2021, 1).end) == (date(2020, 9, 27), date(2021, 3, 27))
    assert apple.half(2021, 2).end == date(2021, 9, 25)
    assert apple.nine_months(2021).end == date(2021, 6, 26)


def test_march_year_end_calendar():
    lenovo = FiscalCalendar(LENOVO)
    assert (lenovo.year(2021).start, lenovo.year(2021).end) == (date(2020, 4, 1), date(2021, 3, 31))
    assert [lenovo.quarter(2021, q).end for q in (1, 2, 3, 4)] == [
        date(2020, 6, 30),
        date(2020, 9, 30),
        date(2020, 12, 31),
        date(2021, 3, 31),
    ]
    assert lenovo.fiscal_year_of(date(2020, 4, 1)) == 2021
    assert lenovo.fiscal_year_of(date(2020, 3, 31)) == 2020
    assert not lenovo.is_calendar and FiscalCalendar().is_calendar


def test_june_year_end_calendar():
    june = FiscalCalendar("06-30")
    assert (june.quarter(2021, 1).start, june.quarter(2021, 1).end) == (date(2020, 7, 1), date(2020, 9, 30))
    assert june.half(2021, 2).end == date(2021, 6, 30)


@pytest.mark.parametrize(
    ("fye", "published", "label"),
    [
        ("12-31", date(2021, 3, 30), "FY2020"),
        ("12-31", date(2021, 1, 1), "FY2020"),
        ("12-31", date(2020, 12, 31), "Q3 2020"),
        ("12-31", date(2021, 5, 27), "Q1 2021"),
        (APPLE, date(2021, 1, 27), "Q1 FY2021"),
        (APPLE, date(2020, 10, 29), "FY2020"),
        (APPLE, date(2020, 9, 26), "Q3 FY2020"),
        (LENOVO, date(2021, 5, 20), "FY2021"),
        (LENOVO, date(2021, 2, 3), "Q3 FY2021"),
    ],
)
def test_latest_closed(fye, published, label):
    assert FiscalCalendar(fye).latest_closed(published).label == label


def test_fiscal_year_of_apple_days():
    apple = FiscalCalendar(APPLE)
    assert apple.fiscal_year_of(date(2020, 9, 26)) == 2020
    assert apple.fiscal_year_of(date(2020, 9, 27)) == 2021
    assert apple.fiscal_year_of(date(2023, 9, 30)) == 2023


def test_shift_and_align():
    apple = FiscalCalendar(APPLE)
    assert apple.shift_years(apple.quarter(2023, 1), -1) == apple.quarter(2022, 1)
    assert apple.shift_years(Period.instant(date(2020, 9, 26)), -1) == Period.instant(date(2019, 9, 28))
    assert apple.previous_quarter(apple.quarter(2021, 1)) == apple.quarter(2020, 4)
    assert apple.calendar_quarter_of(apple.quarter(2021, 1)).label == "Q4 2020"
    assert apple.locate(apple.half(2021, 2)) == ("half", 2021, 2)
    assert apple.locate(Period(date(2021, 1, 1), date(2021, 3, 31), "duration")) is None


@pytest.mark.parametrize("bad", ["13-31", "12-32", "last-sat", "09-last-xyz", "Dec 31"])
def test_bad_fiscal_year_end(bad):
    with pytest.raises(ValueError):
        FiscalCalendar(bad)


def test_blank_fiscal_year_end_is_calendar_year():
    assert FiscalCalendar("").is_calendar


# ------------------------------------------------------------------ speed and doctests


def test_linear_time_on_adversarial_text():
    """1 MB of near-misses in long runs: no rule may backtrack its way into quadratic time."""
    chunks = [
        "Q4 " * 40_000,
        "December " * 20_000,
        "1234567890" * 10_000,
        "in 2020 " * 15_000,
        "the fourth quarter of " * 5_000,
        "up from 1 in " * 8_000,
        "as of the end of " * 6_000,
        "31 December, " * 8_000,
        "FY20/" * 20_000,
    ]
    text = "".join(chunks)[:1_000_000]
    assert len(text) == 1_000_000
    started = time.process_time()  # CPU time: other work on the machine must not fail the test
    mentions = find_periods(text, date(2021, 3, 30))
    parse_table_header(text[:200_000])
    find_publication_date(text)
    assert time.process_time() - started < 5.0
    assert len(mentions) > 50_000


RELEASES = sorted((Path(__file__).resolve().parents[1] / "data" / "releases").glob("*.*"))


def test_fast_scan_finds_what_the_plain_rules_find():
    """Guards, keyword windows and the memo only skip work: same phrases as each rule's plain regex."""
    texts = [c.sentence for group in (*GROUPS.values(), NOT_A_PERIOD) for c in group]
    texts += [c.line for c in TABLE_HEADERS] + [c.text for c in PUBLICATION_DATES]
    texts += [path.read_text(encoding="utf-8", errors="replace") for path in RELEASES]
    for text in texts:
        fast = [(f.start, f.end, f.spec) for f in _select(_scan(text))]
        plain = [(f.start, f.end, f.spec) for f in _select(scan_each_rule(text))]
        assert fast == plain, text[:80]


@pytest.mark.parametrize("module", [metrics.periods, metrics.fiscal], ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
