"""The quantity grammar (metrics.quantities): the table of cases, properties, speed limits.

The table lives in ``tests/quantity_cases.py`` (named lists, one row per phrase). Here:
each row checked against ``find_quantities``; a hypothesis test that writes random values
in many styles and reads them back; adversarial inputs that must stay linear; the API.
"""

from __future__ import annotations

import doctest
import json
import time
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import metrics.quantities as quantities
from metrics import vocabulary as V
from metrics.quantities import Quantity, document_currency, find_quantities, parse_quantity
from tests.quantity_cases import (
    ALL_GROUPS,
    MONEY,
    NOT_A_QUANTITY,
    NUMBERS,
    ORDINALS,
    PERCENTS,
    QUALIFIERS,
    RANGES_AND_CONVERSIONS,
    Case,
)

# --- the table -------------------------------------------------------------------------


def check_case(case: Case) -> None:
    found = find_quantities(case.sentence, case.default_currency)
    for q in found:
        assert case.sentence[q.span[0] : q.span[1]] == q.text
    matching = [q for q in found if q.text == case.text]
    assert len(matching) == 1, f"no single {case.text!r} in {found}"
    q = matching[0]
    assert (q.kind, q.currency, q.qualifier) == (case.kind, case.currency, case.qualifier), q
    assert q.value == pytest.approx(case.value, rel=1e-9), q
    if case.high is None:
        assert q.high is None, q
    else:
        assert q.high == pytest.approx(case.high, rel=1e-9), q
    assert q.conversion_of == case.conversion_of, q
    assert q.points == case.points, q


@pytest.mark.parametrize("case", MONEY)
def test_money(case):
    check_case(case)


@pytest.mark.parametrize("case", NUMBERS)
def test_numbers(case):
    check_case(case)


@pytest.mark.parametrize("case", PERCENTS)
def test_percents(case):
    check_case(case)


@pytest.mark.parametrize("case", ORDINALS)
def test_ordinals(case):
    check_case(case)


@pytest.mark.parametrize("case", QUALIFIERS)
def test_qualifiers(case):
    check_case(case)


@pytest.mark.parametrize("case", RANGES_AND_CONVERSIONS)
def test_ranges_and_conversions(case):
    check_case(case)


@pytest.mark.parametrize("case", NOT_A_QUANTITY)
def test_not_a_quantity(case):
    assert find_quantities(case.sentence) == []


def test_no_phrase_appears_twice():
    sentences = [p.values[0].sentence for group in ALL_GROUPS.values() for p in group]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated


def test_the_table_is_big_enough():
    sizes = {name: len(group) for name, group in ALL_GROUPS.items()}
    assert sum(sizes.values()) >= 230, sizes
    assert all(size >= 20 for size in sizes.values()), sizes


# --- properties ------------------------------------------------------------------------

SCALES = [
    ("", 0),
    (" thousand", 3),
    ("k", 3),
    (" million", 6),
    (" mn", 6),
    ("m", 6),
    ("M", 6),
    (" billion", 9),
    (" bn", 9),
    ("bn", 9),
    ("B", 9),
    (" trillion", 12),
    (" tn", 12),
]
PREFIXES = [
    ("US$", "USD"),
    ("USD ", "USD"),
    ("US$ ", "USD"),
    ("RMB", "CNY"),
    ("RMB ", "CNY"),
    ("Rmb", "CNY"),
    ("HK$", "HKD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("KRW ", "KRW"),
    ("₩", "KRW"),
    ("Rs. ", "INR"),
    ("NT$", "TWD"),
    ("S$", "SGD"),
    ("RM", "MYR"),
    ("EUR ", "EUR"),
]
SUFFIXES = [
    (" USD", "USD"),
    (" yuan", "CNY"),
    (" RMB", "CNY"),
    (" euros", "EUR"),
    (" US dollars", "USD"),
    (" HKD", "HKD"),
    (" renminbi", "CNY"),
    (" yen", "JPY"),
]
QUALIFIER_WORDS = [
    ("", None),
    ("approximately ", "approx"),
    ("about ", "approx"),
    ("over ", "over"),
    ("more than ", "over"),
    ("less than ", "under"),
    ("up to ", "under"),
    ("nearly ", "approx"),
    ("around ", "approx"),
    ("in excess of ", "over"),
    ("at least ", "over"),
]
TEMPLATES = ["Revenue was {} in the period.", "{} was raised.", "It reported {}.", "Sales: {}; costs rose."]


def written_number(whole: int, decimals: str, separators: bool) -> str:
    digits = f"{whole:,}" if separators else str(whole)
    return f"{digits}.{decimals}" if decimals else digits


@settings(max_examples=400, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=999_999_999),
    decimals=st.sampled_from(["", "5", "25", "125", "05", "999"]),
    separators=st.booleans(),
    scale=st.sampled_from(SCALES),
    currency=st.one_of(
        st.none(),
        st.sampled_from(PREFIXES).map(lambda p: ("before", *p)),
        st.sampled_from(SUFFIXES).map(lambda s: ("after", *s)),
    ),
    qualifier=st.sampled_from(QUALIFIER_WORDS),
    template=st.sampled_from(TEMPLATES),
)
def test_written_values_read_back(whole, decimals, separators, scale, currency, qualifier, template):
    number = written_number(whole, decimals, separators)
    written_scale, power = scale
    assume(whole > 0 or decimals)
    if currency is None:
        assume(not (power == 0 and not decimals and 1800 <= whole <= 2099 and not separators))  # a year
        assume(not (written_scale == "K" and whole < 10 and not decimals))  # 4K is a resolution
        figure, expected_currency = number + written_scale, None
    elif currency[0] == "before":
        figure, expected_currency = currency[1] + number + written_scale, currency[2]
    else:
        assume(written_scale not in ("m", "M", "k", "B"))  # "5m USD" is not how anyone writes
        figure, expected_currency = number + written_scale + currency[1], currency[2]
    sentence = template.format(qualifier[0] + figure)
    found = find_quantities(sentence)
    assert len(found) == 1, (sentence, found)
    q = found[0]
    expected = float(Decimal(number.replace(",", "")) * Decimal(10) ** power)
    assert q.value == pytest.approx(expected, rel=1e-9), (sentence, q)
    assert q.currency == expected_currency, (sentence, q)
    assert q.qualifier == qualifier[1], (sentence, q)
    assert q.text == figure, (sentence, q)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789,.-–$€¥%() RMBUSDmkbn\n|apoxtlir")), max_size=80))
def test_spans_always_hold_their_text(text):
    for q in find_quantities(text):
        assert text[q.span[0] : q.span[1]] == q.text
        assert q.kind in ("money", "number", "percent", "ordinal")
        assert (q.currency is None) == (q.kind != "money")


# --- speed limits ------------------------------------------------------------------------

MEGABYTE = 1_000_000


def repeat_to(unit: str, size: int = MEGABYTE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


ADVERSARIAL = {
    "comma runs": repeat_to("1,"),
    "200k-digit runs": repeat_to("1" * 200_000 + " "),
    "10,000 currency signs in a row": repeat_to("$" * 5_000 + "US$" * 1_000 + "RMB" * 667 + " 5 "),
    "million million": repeat_to("million "),
    "one million million": "one " + repeat_to("million "),
    "spaces before a digit": repeat_to(" " * 100_000 + "5"),
    "dashes and dots": repeat_to("-.-,.5.-"),
    "brackets": repeat_to("((((" + "1" * 50 + ")))) "),
    "mixed, one figure per line of prose": repeat_to(
        "1,2.3-4% RMB(5) No. #6 top 7th ~8 between 9 and " + "the Group said in a statement on its outlook " * 8
    ),
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_input_stays_linear(name):
    text = ADVERSARIAL[name]
    assert len(text) >= MEGABYTE
    started = time.perf_counter()
    find_quantities(text)
    assert time.perf_counter() - started < 5.0


# --- the API -----------------------------------------------------------------------------


def test_to_dict_has_the_contract_keys_and_is_json():
    q = find_quantities("Revenue was RMB 108 billion.")[0]
    assert q.to_dict() == {
        "kind": "money",
        "value": 108e9,
        "currency": "CNY",
        "qualifier": None,
        "span": [12, 27],
        "text": "RMB 108 billion",
    }
    json.dumps(q.to_dict())


def test_to_dict_adds_high_conversion_and_points_only_when_set():
    found = find_quantities("RMB5-6 billion (US$0.9 billion), share up 2.1 pp")
    assert found[0].to_dict()["high"] == 6e9
    assert found[1].to_dict()["conversion_of"] == 0
    assert found[2].to_dict()["points"] is True
    assert "high" not in found[1].to_dict()


def test_quantity_is_frozen_and_fast_made_equals_made():
    made = find_quantities("It sold 5 million units.")[0]
    assert made == Quantity("number", 5e6, None, None, (8, 17), "5 million", scale=1e6)
    with pytest.raises(AttributeError):
        made.value = 1.0  # type: ignore[misc]
    assert hash(made) == hash(Quantity("number", 5e6, None, None, (8, 17), "5 million", scale=1e6))


def test_find_quantities_returns_them_in_order_of_position():
    found = find_quantities("up 5% to RMB 9 billion, two stores, 3rd place, 10 million users")
    assert [q.span[0] for q in found] == sorted(q.span[0] for q in found)
    assert [q.kind for q in found] == ["percent", "money", "number", "ordinal", "number"]


def test_scale_and_confidence():
    [metres] = find_quantities("It ran 5m.")
    [money] = find_quantities("It raised US$5m.")
    assert metres.scale == money.scale == 1e6
    assert metres.confidence < 1.0 <= money.confidence


def test_ambiguous_signs_follow_the_document_currency():
    text = "All figures in RMB. Sales were ¥3 billion and $1 billion."
    yen, dollar = find_quantities(text)
    assert (yen.currency, dollar.currency) == ("CNY", "USD")
    assert find_quantities("Sales were ¥3 billion.")[0].currency == "JPY"
    assert find_quantities("Sales were ¥3 billion.", default_currency="CNY")[0].currency == "CNY"
    assert find_quantities("Sales were $3 billion.", default_currency="HKD")[0].currency == "HKD"
    assert find_quantities("Sales were ¥3 billion.")[0].confidence < 1.0


def test_document_currency():
    assert document_currency("RMB 5 billion, RMB 6 billion and US$1 billion") == "CNY"
    assert document_currency("yuan and renminbi, then euros") == "CNY"
    assert document_currency("no money at all, $5") is None


def test_parse_quantity():
    assert parse_quantity("RMB 108 billion").value == 108e9
    assert parse_quantity("approximately US$1.5 billion").qualifier == "approx"
    assert parse_quantity("RMB 10 billion (US$1.5 billion)").currency == "CNY"
    assert parse_quantity("in 2019") is None
    assert parse_quantity("5 and 6") is None
    assert parse_quantity("") is None


def test_won_is_a_verb_unless_it_follows_money():
    assert [q.kind for q in find_quantities("The team won 3 awards and 100 billion won.")] == ["number", "money"]


def test_every_currency_maps_to_an_iso_code():
    tables = [V.CURRENCY_SYMBOLS, V.CURRENCY_CODES, V.CURRENCY_NAMES]
    codes = {iso for table in tables for iso in table.values()}
    assert all(len(code) == 3 and code.isupper() for code in codes)


def test_doctests_of_the_helpers():
    result = doctest.testmod(quantities)
    assert result.attempted > 10
    assert result.failed == 0
