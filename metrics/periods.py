"""The period grammar: every phrase in a text that names a period, resolved to concrete dates.

How it works, in three passes over a sentence or a paragraph:

1. **scan**: each rule of ``RULES`` (one compiled, verbose regex per way of writing a period)
   finds its phrases and parses each into a context-free ``_Spec`` ("quarter 4 of year 2020",
   "month 9, year unknown", "relative: a year earlier").  Nothing here looks at other phrases.
2. **select**: overlapping finds are settled leftmost-longest, so "the fourth quarter of 2020"
   beats the "2020" inside it.
3. **resolve**: left to right, each spec becomes a ``Period`` using the fiscal calendar, the
   publication date and the *anchor*, the last non-comparative period met so far in the text
   ("In Q4 2020 ... compared with the same period last year" -> Q4 2019).  Phrases without a
   year take the latest such period closed before publication (or the anchor's fiscal year);
   relative phrases with neither a publication date nor an anchor stay unresolved (None).
   The few words just before a phrase decide whether it is an instant ("as of", "by the end
   of") and whether it is a comparative ("compared with", "up from 292 million in").

Speed (the scan is most of the cost): every regex is linear in practice (bounded repeats, no
nested quantifiers); one keyword pass (``_KEYWORDS``) marks where periods can be, and each rule
runs only in the windows around its own keyword classes, and only in those that hold its hint
(core words every match holds, found in the lower-cased text); each rule's regex is guarded so
that it is only tried at a word start with a character it can begin with (``first_chars``),
and runs as a quick pattern (``quick_pattern``) so that ``re`` skips the other positions in C;
a phrase is parsed once and a spec resolved once per context, from text to text; the opening
of a release is read lazily (``iter_periods``) when only its first period is wanted; the
look-behind for "as of" / "compared with" reads at most ``CONTEXT_CHARS`` characters.
``scan_each_rule`` is the plain, slow reference.

Conventions a caller can rely on: spans cover the period words and a leading "the", plus the
"as of" / "by the end of" of an instant; never the preposition before a plain year ("in").
Unmarked quarters and years ("Q4 2020", "in 2020") follow the calendar passed in: pass the
Gregorian calendar for a tracker's figures (IDC, Canalys count calendar quarters).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache

from metrics.fiscal import GREGORIAN, FiscalCalendar, Period, add_months, days_in_month, month_period

# ================================================================== vocabulary (data, not logic)

MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
MONTH_NUMBER = {name: n for n, names in enumerate(MONTH_NAMES, 1) for name in names}
MONTH_FULL_NAMES = tuple(names[0] for names in MONTH_NAMES)
LOWERCASE_NOT_MONTHS = frozenset({"may", "march", "mar"})  # "in may", "the march": words, not months

ORDINAL_WORDS = (("first", "1st"), ("second", "2nd"), ("third", "3rd"), ("fourth", "4th"))
ORDINAL_NUMBER = {word: n for n, words in enumerate(ORDINAL_WORDS, 1) for word in words}
HALF_ORDINALS = tuple(word for words in ORDINAL_WORDS[:2] for word in words)
LAST_WORDS = ("last", "final")  # "the last quarter of 2020" is Q4; "last quarter" alone is relative

MONTH_COUNTS = {"one": 1, "1": 1, "three": 3, "3": 3, "six": 6, "6": 6, "nine": 9, "9": 9}
MONTH_COUNTS |= {"twelve": 12, "12": 12}
WEEK_COUNTS = {"13": 13, "thirteen": 13, "14": 14, "fourteen": 14, "26": 26, "twenty-six": 26, "27": 27}
WEEK_COUNTS |= {"39": 39, "thirty-nine": 39, "52": 52, "fifty-two": 52, "53": 53, "fifty-three": 53}
MONTHS_OF_WEEKS = {13: 3, 14: 3, 26: 6, 27: 6, 39: 9, 52: 12, 53: 12}  # 52/53-week calendars (Apple)
PERIOD_NOUNS = {"quarter": 3, "fiscal quarter": 3, "half year": 6, "half-year": 6, "interim period": 6}
PERIOD_NOUNS |= {"year": 12, "full year": 12, "fiscal year": 12, "financial year": 12}
GRAIN_OF_MONTHS = {1: "month", 3: "quarter", 6: "half", 9: "nine_months", 12: "year"}
FIRST_MONTHS = {"three": ("quarter", 1), "3": ("quarter", 1), "six": ("half", 1), "6": ("half", 1)}
FIRST_MONTHS |= {"nine": ("nine_months", 0), "9": ("nine_months", 0)}  # "the first N months of 2021"

FISCAL_MARKERS = ("fiscal year", "financial year", "fiscal", "FY")
CALENDAR_MARKERS = ("calendar year", "calendar", "CY")
FULL_YEAR_WORDS = ("full year", "whole year", "entire year", "full fiscal year")
YEAR_PREPOSITIONS = ("in", "during", "for", "of", "throughout", "through", "across", "on")
MONTH_PREPOSITIONS = ("in", "during", "for", "of", "since", "from", "through", "until", "till", "by", "to")
DATE_PREPOSITIONS = ("as of", "as at", "on", "by", "through", "until", "till", "at")
INSTANT_LEADS = ("as of", "as at", "at", "by", "until", "till", "before", "to")

# Relative phrases: key (how it resolves), unit (which period it is relative to), comparative,
# phrases. A leading "the" is optional before each phrase.
RELATIVE_PHRASES = (
    ("year_ago", "period", True, ("same period last year", "same period of last year", "year-ago period")),
    ("year_ago", "period", True, ("same period a year ago", "same period a year earlier", "year-earlier period")),
    ("year_ago", "period", True, ("same period of the previous year", "same period of the prior year")),
    ("year_ago", "period", True, ("same period in the previous year", "same period in the prior year")),
    ("year_ago", "period", True, ("corresponding period last year", "corresponding period of last year")),
    ("year_ago", "period", True, ("corresponding period of the previous year", "comparable period last year")),
    ("year_ago", "period", True, ("prior-year period", "a year earlier", "a year ago", "one year ago")),
    ("year_ago", "period", True, ("year-over-year", "year-on-year", "yoy", "y/y")),
    ("year_ago", "quarter", True, ("same quarter last year", "same quarter of last year", "year-ago quarter")),
    ("year_ago", "quarter", True, ("same quarter of the previous year", "same quarter of the prior year")),
    ("year_ago", "quarter", True, ("same quarter a year ago", "year-earlier quarter", "prior-year quarter")),
    ("year_ago", "month", True, ("same month last year", "same month of last year", "year-ago month")),
    ("previous_quarter", "quarter", True, ("previous quarter", "prior quarter", "preceding quarter")),
    ("previous_quarter", "quarter", True, ("quarter-on-quarter", "quarter-over-quarter", "qoq", "q/q")),
    ("previous_quarter", "quarter", True, ("sequentially", "sequential quarter")),
    ("last_quarter", "quarter", False, ("last quarter",)),
    ("last_year", "year", False, ("last year", "last fiscal year")),
    ("previous_year", "year", False, ("previous year", "prior year", "preceding year")),
    ("previous_year", "year", False, ("previous fiscal year", "prior fiscal year")),
    ("this_year", "year", False, ("this year", "current year", "this fiscal year", "current fiscal year")),
    ("ytd", "ytd", False, ("year-to-date", "ytd", "so far this year", "so far in the year")),
    ("ytd", "ytd", False, ("this year to date", "since the beginning of the year", "since the start of the year")),
    ("base", "year", False, FULL_YEAR_WORDS + ("for the year", "during the year", "in the year")),
    ("base", "quarter", False, ("during the quarter", "in the quarter", "for the quarter", "that quarter")),
    ("base", "quarter", False, ("for the three months", "in the three months", "the same quarter")),
    ("base", "half", False, ("for the six months", "in the six months", "during the six months")),
    ("base", "half", False, ("for the half year", "the same six-month period")),
    ("base", "nine_months", False, ("for the nine months", "in the nine months", "the same nine-month period")),
    ("base", "month", False, ("during the month", "in the month", "for the month", "that month", "the same month")),
    ("base", "period", False, ("during the period", "in the period", "for the period", "the same period")),
    ("base", "period", False, ("in the reporting period", "during the reporting period", "the period under review")),
    ("end", "period", False, ("end of the period", "end of the reporting period", "period end")),
    ("end", "quarter", False, ("end of the quarter", "quarter end")),
    ("end", "year", False, ("end of the year", "end of year", "year end", "end of the fiscal year")),
    ("end", "month", False, ("end of the month", "month end")),
    ("end_this_year", "year", False, ("end of this year", "end of the current year")),
    ("this_month", "month", False, ("this month", "current month")),
    ("last_month", "month", False, ("last month",)),
    ("previous_month", "month", True, ("previous month", "prior month", "month-on-month", "month-over-month", "MoM")),
    ("ttm", "quarter", False, ("trailing twelve months", "trailing 12 months", "last twelve months", "TTM", "LTM")),
    ("ttm", "quarter", False, ("last 12 months", "past twelve months", "past 12 months")),
)

HEADER_WORDS = frozenset(
    {
        *("unaudited", "audited", "restated", "reviewed", "actual", "reported", "note", "notes"),
        *("yoy", "qoq", "y", "q", "change", "changes", "chg", "growth", "variance", "vs", "versus"),
        *("and", "for", "the", "as", "of", "at", "in", "on", "over", "ended", "ending", "period", "periods", "year"),
        *("rmb", "usd", "us", "hk", "hkd", "cny", "eur", "yuan", "dollars", "e", "f", "a"),
        *("millions", "million", "thousands", "thousand", "billions", "billion", "mn", "bn", "m", "k"),
        *("except", "per", "share", "data", "amounts", "unless", "otherwise", "specified", "stated", "indicated"),
        *("ppt", "pp", "pts", "percent", "percentage", "expressed"),
    }
)  # words a results-table header may hold besides its periods

CONTEXT_CHARS = 80  # how far back a phrase looks for "as of" or "compared with"

# ================================================================== regex building blocks


def alternation(phrases: Iterable[str]) -> str:
    """One regex alternation of literal phrases, shaped as a trie so a failing branch costs one
    comparison ("sep" and "sept" share "sep"); the longest phrase is tried first.

    Spaces and hyphens between words match any run of spaces or one hyphen; a phrase written
    with capitals (an acronym: "MoM", "FY") keeps its case even in a case-insensitive regex.

    >>> print(alternation(["sep", "sept", "year-end"]))
    (?:sep(?:t)?|year[-\\s]+end)
    >>> alternation(["MoM", "q/q"])
    '(?:q/q|(?-i:MoM))'
    >>> alternation([])
    '(?!)'
    """
    phrases = set(phrases)
    acronyms = sorted((p for p in phrases if any(c.isupper() for c in p)), key=lambda p: (-len(p), p))
    trie: dict = {}
    for phrase in phrases.difference(acronyms):
        node = trie
        for token in _tokens(phrase):
            node = node.setdefault(token, {})
        node[""] = {}
    branches = [_token_regex(token) + _trie_regex(child) for token, child in sorted(trie.items())]
    branches += [f"(?-i:{''.join(map(_token_regex, _tokens(a)))})" for a in acronyms]
    return "(?:" + "|".join(branches) + ")" if branches else "(?!)"


def _tokens(phrase: str) -> list[str]:
    """Characters, with each run of spaces or hyphens as one separator token " "."""
    return list(re.sub(r"[-\s]+", " ", phrase.strip()))


def _token_regex(token: str) -> str:
    return r"[-\s]+" if token == " " else re.escape(token)


def _trie_regex(node: dict) -> str:
    branches = [_token_regex(token) + _trie_regex(child) for token, child in sorted(node.items()) if token]
    if not branches:
        return ""
    body = "|".join(branches)
    if "" in node:  # a phrase may end here: the longer ones first, then nothing
        return f"(?:{body})?"
    return body if len(branches) == 1 else f"(?:{body})"


MONTH_ABBREVIATIONS = tuple(name for names in MONTH_NAMES for name in names[1:])
MONTH = rf"(?:{alternation(MONTH_FULL_NAMES)}\b|{alternation(MONTH_ABBREVIATIONS)}\b\.?)"  # "Sept." keeps its dot
DAY = r"(?<![\d.,])(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
Y4 = r"(?<![\d.,$])(?:19[5-9]\d|20\d\d)(?!\d)"
ISO_DATE = r"(?<![\d.])(?:19|20)\d\d(?:-(?:0[1-9]|1[0-2])-|/(?:0[1-9]|1[0-2])/)(?:0[1-9]|[12]\d|3[01])(?!\d)"
MONTH_DAY = rf"(?:{MONTH}\s*{DAY}|{DAY}\s+{MONTH})"
FULL_DATE = rf"(?:{ISO_DATE}|{MONTH_DAY},?\s*{Y4})"
ANY_DATE = rf"(?:{ISO_DATE}|{MONTH_DAY}(?:,?\s*{Y4})?)"
SPLIT_YEAR = r"(?:\s*/\s*\d\d(?:\d\d)?)?"  # "FY2024/25": Lenovo's year, ending in 2025
ESTIMATE = r"(?-i:E)?"  # "FY21E", "2020E": an analyst's estimate
YEAR_EXPR = rf"""(?:
    {alternation(("FY", "CY"))}\s*['’]?\d\d(?:\d\d)?{SPLIT_YEAR}
  | {alternation(FISCAL_MARKERS[:3] + CALENDAR_MARKERS[:2])}\s+(?:{Y4}{SPLIT_YEAR}|['’]\d\d)
  | {Y4}{SPLIT_YEAR}
  | ['’]\d\d
){ESTIMATE}"""
END_GUARD = r"(?![\w%]|[.,]\d)"  # a period phrase is not followed by more of a word or number
ORDINAL = alternation(ORDINAL_NUMBER)
NOUN_SEP = r"(?:\s*,|\s+of|\s+in)?\s+(?:the\s+)?"  # "fourth quarter of (the) 2020", "first half, 2021"

_FLAGS = re.IGNORECASE | re.VERBOSE

_YEAR_EXPR = re.compile(
    rf"""\s*(?P<marker>{alternation(FISCAL_MARKERS + CALENDAR_MARKERS)})?  # FY, fiscal, calendar year
    \s*['’]?(?P<first>\d{{4}}|\d{{2}})                                     # 2020, 20
    (?:\s*/\s*(?P<second>\d{{4}}|\d{{2}}))?                                # 2024/25
    (?P<estimate>E)?\s*""",
    _FLAGS,
)


@dataclass(frozen=True, slots=True)
class YearExpr:
    year: int  # the calendar year the (fiscal) year ends in
    marker: str | None  # "fiscal" | "calendar" | None
    estimate: bool = False


def parse_year_expr(text: str) -> YearExpr | None:
    """The year named by "FY21", "fiscal 2020", "'20", "FY2024/25", "CY2020" or "2021E".

    >>> parse_year_expr("FY2024/25")
    YearExpr(year=2025, marker='fiscal', estimate=False)
    >>> parse_year_expr("'20"), parse_year_expr("CY2020").marker, parse_year_expr("FY21E").estimate
    (YearExpr(year=2020, marker=None, estimate=False), 'calendar', True)
    >>> parse_year_expr("Model 3") is None, parse_year_expr("FY2024/26") is None
    (True, True)
    """
    found = _YEAR_EXPR.fullmatch(text)
    if not found:
        return None
    first = _full_year(found["first"])
    year = _full_year(found["second"]) if found["second"] else first
    if found["second"] and year != first + 1:
        return None
    marker = found["marker"]
    kind = None if not marker else "calendar" if marker.lower().startswith("c") else "fiscal"
    return YearExpr(year, kind, bool(found["estimate"]))


def _full_year(digits: str) -> int:
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


_DATE_PARTS = re.compile(
    rf"""(?P<iso_y>\d{{4}})[-/](?P<iso_m>\d\d)[-/](?P<iso_d>\d\d)        # 2020-12-31
      | (?P<month1>{MONTH})\s*(?P<day1>\d{{1,2}})\w*(?:,?\s*(?P<year1>\d{{4}}))?   # December 31, 2020
      | (?P<day2>\d{{1,2}})\w*\s+(?P<month2>{MONTH})(?:,?\s*(?P<year2>\d{{4}}))?   # 31 December 2020""",
    _FLAGS,
)


def parse_date_text(text: str) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) of a written date; None when there is no such day.

    >>> parse_date_text("Dec. 31, 2020"), parse_date_text("31st December"), parse_date_text("2020-02-30")
    ((12, 31, 2020), (12, 31, None), None)
    """
    found = _DATE_PARTS.fullmatch(text.strip())
    if not found:
        return None
    if found["iso_y"]:
        month, day, year = int(found["iso_m"]), int(found["iso_d"]), int(found["iso_y"])
    else:
        name = found["month1"] or found["month2"]
        month = MONTH_NUMBER[name.rstrip(".").lower()]
        day = int(found["day1"] or found["day2"])
        year_text = found["year1"] or found["year2"]
        year = int(year_text) if year_text else None
    if day > days_in_month(year or 2000, month):  # 2000: a leap year, so "February 29" may pass
        return None
    return month, day, year


# ================================================================== specs: what a phrase says


@dataclass(frozen=True, slots=True)
class _Spec:
    """What a phrase names, before any context: "quarter 4 of 2020", "month 9 of an unknown year"."""

    kind: str  # quarter half nine_months year month date ended month_quarter month_range year_end
    #            same_slot relative
    n: int = 0  # quarter or half number, month number, months of an "ended" period
    year: int | None = None
    day: int = 0
    months: int = 0  # length of "three months ended", of a month range
    weeks: int = 0  # "13 weeks ended"
    marker: str | None = None  # "fiscal" | "calendar" | None
    key: str = ""  # relative phrases: how it resolves
    unit: str = ""  # relative phrases: the grain it is relative to
    comparative: bool = False
    estimate: bool = False


@dataclass(frozen=True, slots=True)
class _Find:
    start: int
    end: int
    order: int  # rule position, to break ties
    rule: str
    spec: _Spec


def _year_fields(text: str | None) -> dict:
    """The _Spec fields of a year expression, or {} when there is none."""
    expr = parse_year_expr(text) if text else None
    return {"year": expr.year, "marker": expr.marker, "estimate": expr.estimate} if expr else {}


def _span(match: re.Match, group: str = "p") -> tuple[int, int]:
    """The span of the phrase proper: group ``p`` when the rule marks one, else the whole match."""
    if group in match.re.groupindex and match[group] is not None:
        return match.span(group)
    return match.span()


# ------------------------------------------------------------------ one parser per rule
# Each takes the match and returns [(start, end, spec), ...]; [] rejects the match.

Parsed = list[tuple[int, int, _Spec]]


def _parse_quarter(m: re.Match) -> Parsed:
    years = _year_fields(m["yr"])
    return [(*_span(m), _Spec("quarter", int(m["q"]), **years))]


def _parse_ordinal_quarter(m: re.Match) -> Parsed:
    years = _year_fields(m["yr2"] or m["yr1"])
    return [(*m.span(), _Spec("quarter", ORDINAL_NUMBER.get(m["ord"].lower(), 4), **years))]


def _parse_half_code(m: re.Match) -> Parsed:
    number = int(m["h"] or m["h2"] or m["h3"])
    return [(*_span(m), _Spec("half", number, **_year_fields(m["yr"] or m["yr3"] or m["yr4"])))]


def _parse_ordinal_half(m: re.Match) -> Parsed:
    number = ORDINAL_NUMBER[m["ord"].lower()]
    return [(*m.span(), _Spec("half", number, **_year_fields(m["yr2"] or m["yr1"])))]


def _parse_interim(m: re.Match) -> Parsed:
    return [(*m.span(), _Spec("half", 1, **_year_fields(m["yr2"] or m["yr1"])))]


def _parse_first_months(m: re.Match) -> Parsed:
    """ "The first three months" is Q1, "the first six months" H1; nine months, three quarters, 9M."""
    kind, n = FIRST_MONTHS.get((m["count"] or "nine").lower(), ("nine_months", 0))
    return [(*m.span(), _Spec(kind, n, **_year_fields(m["yr2"] or m["yr1"] or m["yr3"])))]


def _parse_fiscal_year(m: re.Match) -> Parsed:
    years = _year_fields(m["yr"])
    return [(*m.span(), _Spec("year", **years))] if years else []


def _parse_plain_year(m: re.Match) -> Parsed:
    marker = (m["mk"] or "").lower()
    kind = "calendar" if marker.startswith("cal") else "fiscal" if marker else None
    years = _year_fields(m["yr"]) | {"marker": kind}
    return [(*_span(m), _Spec("year", **years))]


def _parse_year_end(m: re.Match) -> Parsed:
    years = _year_fields(m["yr"])
    return [(*m.span(), _Spec("year_end", **years))] if years else []


def _parse_month(m: re.Match) -> Parsed:
    word = m["mon"].rstrip(".")
    if not m["yr"] and word in LOWERCASE_NOT_MONTHS:
        return []
    return [(*_span(m), _Spec("month", MONTH_NUMBER[word.lower()], **_year_fields(m["yr"])))]


def _parse_month_quarter(m: re.Match) -> Parsed:
    return [(*m.span(), _Spec("month_quarter", MONTH_NUMBER[m["mon"].lower()], **_year_fields(m["yr"])))]


def _parse_month_range(m: re.Match) -> Parsed:
    first, last = (MONTH_NUMBER[m[g].rstrip(".").lower()] for g in ("m1", "m2"))
    months = (last - first) % 12 + 1
    if months not in (3, 6, 9, 12):
        return []
    return [(*m.span(), _Spec("month_range", last, months=months, **_year_fields(m["yr"])))]


def _parse_date(m: re.Match) -> Parsed:
    parts = parse_date_text(m["p"])
    if parts is None:
        return []
    month, day, year = parts
    return [(*_span(m), _Spec("date", month, year=year, day=day))]


def _parse_ended(m: re.Match) -> Parsed:
    parts = parse_date_text(m["date"])
    if parts is None:
        return []
    month, day, year = parts
    found = []
    for group in ("len1", "len2"):
        if m[group]:
            months, weeks = _length_of(m[group])
            spec = _Spec("ended", month, year=year, day=day, months=months, weeks=weeks)
            found.append(spec)
    if len(found) == 1:
        return [(*m.span(), found[0])]
    first_end = m.end("len1")  # "the three months and six months ended ...": two periods
    return [(m.start(), first_end, found[0]), (m.start("len2"), m.end(), found[1])]


_WEEK_NUMBER = {re.sub(r"[-\s]+", " ", words): n for words, n in WEEK_COUNTS.items()}


def _length_of(text: str) -> tuple[int, int]:
    """(months, weeks) of "three-month period", "13 weeks", "fiscal year", "six"."""
    words = re.sub(r"[-\s]+", " ", text.lower()).replace(" period", "").strip()
    count = words.split(" ")[0]
    if "week" in words:
        weeks = _WEEK_NUMBER[words.split(" week")[0]]
        return MONTHS_OF_WEEKS[weeks], weeks
    if count in MONTH_COUNTS:
        return MONTH_COUNTS[count], 0
    return PERIOD_NOUNS[words.replace("the ", "")], 0


def _parse_same_slot(m: re.Match) -> Parsed:
    unit = m["unit"].lower().replace("-", " ")
    grain = {"quarter": "quarter", "month": "month", "half": "half"}.get(unit.split(" ")[-1], "period")
    grain = "nine_months" if unit.startswith("nine") else "half" if unit.startswith("six") else grain
    years = _year_fields(m["yr"])
    return [(*m.span(), _Spec("same_slot", unit=grain, comparative=True, **years))]


def _parse_relative(m: re.Match) -> Parsed:
    key, unit, comparative = RELATIVE_MEANINGS[_normal_phrase(m["phrase"])]
    start = m.start() if key.startswith("end") else m.start("phrase")
    return [(start, m.end(), _Spec("relative", key=key, unit=unit, comparative=comparative))]


# ------------------------------------------------------------------ first characters of a regex


def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    r"""Every character a match of ``pattern`` can start with (both cases under IGNORECASE), or
    None when that cannot be told (a match may be empty, or start with any character).

    Read from the regex's parse tree (``re._parser``, private: any surprise there gives None,
    which only costs speed).

    >>> sorted(first_chars(r"(?:the\s+)?Q[1-4]|\d{4}"))
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'Q', 't']
    >>> first_chars(r"\w+") is None, first_chars(r"a?") is None
    (True, True)
    """
    try:
        from re import _constants, _parser

        chars, empty = _first_of_sequence(_parser.parse(pattern, flags).data, _constants)
    except Exception:  # an unknown parse tree only loses the speed-up
        return None
    if chars is None or empty:
        return None
    if flags & re.IGNORECASE:
        chars |= {c.swapcase() for c in chars}
    return frozenset(chars)


def _first_of_sequence(items, sre) -> tuple[set[str] | None, bool]:
    """(first characters, whether the sequence can match empty); zero-width items are skipped."""
    chars: set[str] = set()
    for op, av in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        found, empty = _first_of_item(op, av, sre)
        if found is None:
            return None, False
        chars |= found
        if not empty:
            return chars, False
    return chars, True


def _first_of_item(op, av, sre) -> tuple[set[str] | None, bool]:
    if op is sre.LITERAL:
        return {chr(av)}, False
    if op is sre.IN:
        return _first_of_set(av, sre), False
    if op is sre.BRANCH:
        results = [_first_of_sequence(branch.data, sre) for branch in av[1]]
        if any(chars is None for chars, _ in results):
            return None, False
        return set().union(*(chars for chars, _ in results)), any(empty for _, empty in results)
    if op is sre.SUBPATTERN:
        return _first_of_sequence(av[3].data, sre)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        chars, empty = _first_of_sequence(av[2].data, sre)
        return chars, empty or av[0] == 0
    if op is sre.GROUPREF_EXISTS:
        yes = _first_of_sequence(av[1].data, sre)
        no = _first_of_sequence(av[2].data, sre) if av[2] is not None else (set(), True)
        if yes[0] is None or no[0] is None:
            return None, False
        return yes[0] | no[0], yes[1] or no[1]
    return None, False


def _first_of_set(items, sre) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < 256:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        elif op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            chars.update("0123456789")
        elif op is sre.CATEGORY and av is sre.CATEGORY_SPACE:
            chars.update(" \t\n\r\f\v")
        else:
            return None
    return chars


# Characters that IGNORECASE matches to an ASCII letter without being its swapcase: dotted and
# dotless i, long s, the Kelvin sign (every such character, checked over all of Unicode).
_FOLD_TRAPS = "\u0130\u0131\u017f\u212a"
_FOLD_TRAPS_RE = re.compile(f"[{_FOLD_TRAPS}]")
WHOLE = "_whole"  # the group of a quick pattern that holds the plain pattern's match


def quick_pattern(pattern: str, flags: int, word_start: bool = False, whole: bool = True) -> re.Pattern | None:
    r"""``pattern`` rewritten so that ``re`` skips, in C, every position where no match can start.

    ``re`` only skips ahead when a pattern opens with a plain character set, which a pattern
    opening with a look-behind (or, under IGNORECASE, with a letter) does not. The rewrite opens
    with the set of first characters, then looks back at it: ``[Qq](?<=(?=(?P<_whole>...))(?s:.))``.
    Its matches are one character long and may overlap; ``quick_matches`` turns them back into
    the plain pattern's matches. ``word_start``: a match must also start a word. None when the
    first characters cannot be told, or include a letter with case folds of its own. Without
    ``whole`` there is no such group, for a caller who reads the span of another group.

    >>> [m.span() for m in quick_matches(quick_pattern(r"Q[1-4]", re.I), "q1 Q4")]
    [(0, 2), (3, 5)]
    """
    chars = first_chars(pattern, flags)
    if chars is None or any(not c.isascii() and c.lower() + c.upper() != c + c for c in chars):
        return None
    if flags & re.IGNORECASE:
        probe = re.compile(f"[{''.join(map(re.escape, chars))}]", re.IGNORECASE)
        chars = chars | {c for c in _FOLD_TRAPS if probe.match(c)}
    guard = r"(?<!\w)" if word_start else ""
    start = "".join(map(re.escape, sorted(chars)))
    end = "\n" if flags & re.VERBOSE else ""  # a comment on the pattern's last line ends there
    body = f"(?P<{WHOLE}>{pattern}{end})" if whole else f"(?:{pattern}{end})"
    return re.compile(f"(?-i:[{start}])(?<={guard}(?={body})(?s:.))", flags)  # "." would miss a newline


def quick_matches(
    quick: re.Pattern, text: str, pos: int = 0, endpos: int | None = None, original: str | None = None
) -> Iterator[_Whole]:
    """The plain pattern's ``finditer(text, pos, endpos)``, from its quick pattern: a match that
    starts inside the previous one is dropped, as ``finditer`` would never have tried it.
    ``original``: the text before lower-casing (same length), whose words the groups hold."""
    last_end = -1
    for match in quick.finditer(text, pos, len(text) if endpos is None else endpos):
        if match.start() >= last_end:
            whole = _Whole(match, original)
            last_end = whole.end()
            yield whole


class _Whole:
    """A quick pattern's match, read as the plain pattern's: group 0 is the plain match; its
    groups' words are read from ``original`` when the match was made in the lower-cased text."""

    __slots__ = ("match", "original")

    def __init__(self, match: re.Match, original: str | None = None):
        self.match = match
        self.original = original

    def __getitem__(self, group: int | str):
        return self.group(group)

    def group(self, group: int | str = 0):
        if self.original is None:
            return self.match.group(group or WHOLE)
        start, end = self.match.span(group or WHOLE)
        return None if start < 0 else self.original[start:end]

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self.match.span(group or WHOLE)

    def start(self, group: int | str = 0) -> int:
        return self.match.start(group or WHOLE)

    def end(self, group: int | str = 0) -> int:
        return self.match.end(group or WHOLE)

    @property
    def re(self) -> re.Pattern:
        return self.match.re


# ------------------------------------------------------------------ the rules

LENGTH = rf"""(?:
    {alternation(MONTH_COUNTS)}[-\s]+months?(?:[-\s]+period)?       # three months, three-month period
  | {alternation(WEEK_COUNTS)}[-\s]+weeks?(?:[-\s]+period)?          # 13 weeks
  | {alternation(PERIOD_NOUNS)}                                      # quarter, fiscal year, half-year
)"""
LENGTH_ALONE = rf"(?:{alternation(MONTH_COUNTS)}(?:[-\s]+months?)?)"  # "three" in "three and six months"

_ENDED = rf"""
    (?:\bthe\s+)?
    (?: (?P<len1>{LENGTH_ALONE}) \s+ (?:and|&) \s+ (?:the\s+)? )?    # "three (months) and ..."
    (?P<len2>\b{LENGTH})
    \s+ (?:then\s+)? (?:ended|ending|to) \s+
    (?P<date>{ANY_DATE})
"""


def _normal_phrase(phrase: str) -> str:
    """A relative phrase as looked up: lower case, single spaces, no leading "the"."""
    words = re.sub(r"[-\s]+", " ", phrase.lower()).strip()
    return words[4:] if words.startswith("the ") else words


def _relative_meanings() -> dict[str, tuple[str, str, bool]]:
    """Normalised phrase -> (key, unit, comparative), from RELATIVE_PHRASES."""
    meanings: dict[str, tuple[str, str, bool]] = {}
    for key, unit, comparative, phrases in RELATIVE_PHRASES:
        for phrase in phrases:
            if _normal_phrase(phrase) in meanings:
                raise ValueError(f"relative phrase listed twice: {phrase!r}")
            meanings[_normal_phrase(phrase)] = (key, unit, comparative)
    return meanings


RELATIVE_MEANINGS = _relative_meanings()

_RELATIVE = rf"""(?<![\w-])
    (?:(?P<lead>{alternation(INSTANT_LEADS)})\s+)?          # "at", "as of": kept before "the end of" only
    (?P<phrase>(?:the\s+)?{alternation(_normal_phrase(p) if p.islower() else p for *_, ps in RELATIVE_PHRASES for p in ps)})
    (?![-\w]|\s+(?:ended|ending|then|and\s|&|to\s+\d|(?:of\s+)?(?:the\s+)?(?:fiscal\s+)?(?:19|20)\d\d))   # not "full year 2020"
"""


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern  # guarded: only tried where the rule can start (see _rule)
    parse: Callable[[re.Match], Parsed]
    plain: re.Pattern  # the same regex without the guard: the reference the tests compare with
    needs: tuple[str, ...]  # keyword classes (see _KEYWORDS) one of which every match holds
    quick: re.Pattern | None = None  # the guarded regex as a quick pattern (see quick_pattern)
    hint: re.Pattern | None = None  # finds a part of every match in the lower-cased text (see _rule)
    quick_lower: re.Pattern | None = None  # the quick pattern, case-sensitive, for the lower-cased text

    def finditer(self, text: str, start: int, end: int, low: str | None = None) -> Iterator[re.Match | _Whole]:
        """``pattern.finditer(text, start, end)``, by a quick pattern when there is one (in
        ``low``, the lower-cased text, when the rule has no case-sensitive part)."""
        if low is not None and self.quick_lower is not None:
            return quick_matches(self.quick_lower, low, start, end, original=text)
        if self.quick is None:
            return self.pattern.finditer(text, start, end)
        return quick_matches(self.quick, text, start, end)


def _rule(name: str, pattern: str, parse: Callable[[re.Match], Parsed], needs: str, hint: str | None = None) -> Rule:
    """A rule whose regex is only tried at a word start with a character it can begin with.

    The guard keeps the scan fast (a position where the rule cannot start costs two checks in
    C instead of a walk through the rule's alternatives) and never changes what matches.
    ``hint``: a regex that finds, in the lower-cased text, a part of every match of the rule
    (its core words), so that a window without it is not scanned for the rule at all.
    """
    guard = rf"(?<!\w){_char_guard(first_chars(pattern, _FLAGS))}"
    plain = re.compile(pattern, _FLAGS)
    quick = quick_pattern(pattern, _FLAGS, word_start=True)
    compiled = re.compile(f"{guard}(?:{pattern}\n)", _FLAGS)
    lower = quick_pattern(pattern, re.VERBOSE, word_start=True) if _caseless(pattern) else None
    return Rule(name, compiled, parse, plain, tuple(needs.split()), quick, re.compile(hint) if hint else None, lower)


def _caseless(pattern: str) -> bool:
    """Whether a case-insensitive pattern says nothing in capitals (no "(?-i:FY)", no "MoM"):
    then it matches the lower-cased text, case-sensitive, exactly where it matches the text."""
    return "(?-i" not in pattern and not any(c.isupper() for c in re.sub(r"\\.|\(\?P[<=]", "", pattern))


def _char_guard(chars: Iterable[str] | None) -> str:
    return f"(?=[{''.join(map(re.escape, sorted(chars)))}])" if chars else ""


_MONTH_START = alternation({name[:3] for name in MONTH_NUMBER})  # how every month name starts (for hints)

RULES = (
    _rule(
        "ended",
        _ENDED,
        _parse_ended,
        needs="monthword yearword quarter half",
        hint=rf"(?:ended|ending|to)\s+(?:\d|{_MONTH_START})",
    ),
    _rule(
        "quarter_code",  # Q4 2020, Q4'20, Q4 FY20, Q1 FY2024/25, Q4 (year from context)
        rf"\b(?P<p>Q(?P<q>[1-4]) (?:\s*(?:of\s+|,\s*|[-/]\s*)? (?P<yr>{YEAR_EXPR}))? ){END_GUARD}(?!-?[a-z])",
        _parse_quarter,
        needs="code",
    ),
    _rule(
        "quarter_code",  # 4Q20, 4Q2020, 4Q FY20, 4QFY2020
        rf"""\b(?P<p>(?P<q>[1-4])Q
            (?P<yr> \s*(?-i:FY)\s*\d\d(?:\d\d)?{ESTIMATE} | \s*{Y4}{ESTIMATE} | ['’]?\d\d(?:\d\d)?{ESTIMATE} )?
        ){END_GUARD}""",
        _parse_quarter,
        needs="code",
    ),
    _rule(
        "quarter_code",  # FY2020 Q4, 2020Q4, FY21 Q1
        rf"\b(?P<p>(?P<yr>{YEAR_EXPR}) \s*[-/]?\s* Q(?P<q>[1-4])){END_GUARD}",
        _parse_quarter,
        needs="code year",
        hint=r"q[1-4]",
    ),
    _rule(
        "ordinal_quarter",  # the fourth quarter of 2020, fiscal 2021 first quarter, fourth-quarter
        rf"""(?:\bthe\s+)? (?:(?P<yr1>{YEAR_EXPR})\s+)?
            \b(?P<ord>{ORDINAL})[-\s]+(?:fiscal\s+)?(?:quarter|qtr\.?)\b
            (?:{NOUN_SEP}(?P<yr2>{YEAR_EXPR}){END_GUARD})?""",
        _parse_ordinal_quarter,
        needs="quarter",
        hint=r"(?:1st|2nd|3rd|4th|first|second|third|fourth)[-\s]+(?:fiscal\s+)?(?:quarter|qtr)",
    ),
    _rule(
        "ordinal_quarter",  # the last quarter of 2020
        rf"""(?:\bthe\s+)? \b(?P<ord>{alternation(LAST_WORDS)})[-\s]+(?:fiscal\s+)?quarter
            \s+of\s+(?:the\s+)?(?P<yr2>{YEAR_EXPR}){END_GUARD}(?P<yr1>)""",
        _parse_ordinal_quarter,
        needs="quarter",
        hint=r"(?:final|last)[-\s]+(?:fiscal\s+)?quarter\s+of\s",
    ),
    _rule(
        "month_quarter",  # the December quarter (Apple), the June quarter of 2021
        rf"""(?:\bthe\s+)? \b(?P<mon>{alternation(MONTH_FULL_NAMES)})[-\s]+quarter\b
            (?:{NOUN_SEP}(?P<yr>{YEAR_EXPR}){END_GUARD})?""",
        _parse_month_quarter,
        needs="quarter",
        hint=rf"(?:{'|'.join(MONTH_FULL_NAMES)})[-\s]+quarter",
    ),
    _rule(
        "month_range",  # the April-June period, July–September 2020, Jan-Mar 2021
        rf"""(?:\bthe\s+)? \b(?P<m1>{MONTH})\s*(?:-|–|—|to|through)\s*(?P<m2>{MONTH})
            (?:[-\s]+(?:period|quarter))? (?:{NOUN_SEP}(?P<yr>{Y4}){END_GUARD})?""",
        _parse_month_range,
        needs="month",
        hint=rf"{_MONTH_START}[a-z]*\.?\s*(?:-|–|—|to|through)\s*{_MONTH_START}",
    ),
    _rule(
        "half_code",  # H1 2021, H1'21, H1 FY21, 1H21, 1H 2021, 1HFY21, 2021H1
        rf"""\b(?P<p> H(?P<h>[12]) \s*(?:[-/]\s*)? (?P<yr>{YEAR_EXPR})
              | (?P<h2>[12])H (?P<yr3> \s*(?-i:FY)\s*\d\d(?:\d\d)? | \s*{Y4} | ['’]?\d\d(?:\d\d)? ){ESTIMATE}
              | (?P<yr4>{YEAR_EXPR}) \s*[-/]?\s* H(?P<h3>[12])
        ){END_GUARD}""",
        _parse_half_code,
        needs="code year",
        hint=r"h[12]|1h|2h",
    ),
    _rule(
        "ordinal_half",  # the first half of 2021, second half, first half-year, 2021 first half
        rf"""(?:\bthe\s+)? (?:(?P<yr1>{YEAR_EXPR})\s+)?
            \b(?P<ord>{alternation(HALF_ORDINALS)})[-\s]+half(?:[-\s]+year)?\b
            (?: \s+of\s+the\s+year | {NOUN_SEP}(?P<yr2>{YEAR_EXPR}){END_GUARD} )?""",
        _parse_ordinal_half,
        needs="half",
    ),
    _rule(
        "interim",  # the interim period, interim results for 2021, 2021 interim
        rf"""(?:\bthe\s+)?
            (?: (?P<yr1>{Y4})\s+interim\b(?:\s+(?:period|results|report))?
              | \binterim\s+(?:period|results|report) )                 # "interim" alone: an interim CEO
            (?:\s+(?:of|for)\s+(?:the\s+year\s+)?(?P<yr2>{YEAR_EXPR}){END_GUARD})?""",
        _parse_interim,
        needs="half",
        hint=r"interim",
    ),
    _rule(
        "first_months",  # the first nine (three, six) months of 2021, first three quarters of the year, 9M21
        rf"""(?:\bthe\s+)?
            (?: (?:(?P<yr1>{YEAR_EXPR})\s+)? \bfirst\s+(?:(?P<count>{alternation(FIRST_MONTHS)})[-\s]+months|three\s+quarters)\b
                (?: \s+of\s+the\s+year | {NOUN_SEP}(?P<yr2>{YEAR_EXPR}){END_GUARD} )?
              | \b9M\s*(?P<yr3>(?-i:FY)?\s*['’]?\d\d(?:\d\d)?{ESTIMATE}){END_GUARD} )""",
        _parse_first_months,
        needs="monthword quarter code",
        hint=r"first\s+(?:(?:3|6|9|nine|six|three)[-\s]+months|three\s+quarters)|9m",
    ),
    _rule(
        "full_year",  # full-year 2020, the full year of 2020, 2020 full year, the whole year of 2019
        rf"""(?:\bthe\s+)? (?: {alternation(FULL_YEAR_WORDS)}\s+(?:of\s+)?(?:the\s+)?(?P<yr>{YEAR_EXPR})
                            | (?P<yr2>{Y4})\s+{alternation(FULL_YEAR_WORDS)}\b ){END_GUARD}""",
        lambda m: [(*m.span(), _Spec("year", **_year_fields(m["yr"] or m["yr2"])))],
        needs="yearword",
        hint=r"(?:entire|full|whole)[-\s]+(?:fiscal[-\s]+)?year",
    ),
    _rule(
        "fiscal_year",  # FY2021, FY21, FY 2021, FY2024/25, fiscal 2020, fiscal year 2020, CY2020, FY20E
        rf"""(?:\bthe\s+)? \b(?P<yr>
              {alternation(("FY", "CY"))}\s*['’]?\d\d(?:\d\d)?{SPLIT_YEAR}{ESTIMATE}
            | {alternation(FISCAL_MARKERS[:3] + CALENDAR_MARKERS[:2])}\s+(?:{Y4}{SPLIT_YEAR}|['’]\d\d)
        ){END_GUARD}""",
        _parse_fiscal_year,
        needs="code yearword",
        hint=r"cy|fy|calendar|financial|fiscal",
    ),
    _rule(
        "year_end",  # year-end 2020, at year end 2020, end-2020
        rf"""(?:\b(?:at|by|as\s+(?:of|at))\s+)? (?:the\s+)?
            \b(?:(?:fiscal\s+)?year[-\s]?end|end-)\s*(?:of\s+)?(?P<yr>{YEAR_EXPR}){END_GUARD}""",
        _parse_year_end,
        needs="yearword year",
        hint=r"year[-\s]?end|end-",
    ),
    _rule(
        "year",  # in 2020, during 2020, the year 2020, in the fiscal year 2021
        rf"""(?: \b{alternation(YEAR_PREPOSITIONS)}\s+ (?P<p>(?:the\s+(?:(?P<mk>fiscal|financial|calendar)\s+)?year\s+)?(?P<yr>{Y4}{ESTIMATE}))
               | \b(?P<q>the\s+year\s+(?P<yr2>{Y4})) )
            {END_GUARD}(?!\s*(?:-|–|—|/)\s*\d)""",
        lambda m: _parse_plain_year(m) if m["p"] else [(*m.span("q"), _Spec("year", **_year_fields(m["yr2"])))],
        needs="year",
    ),
    _rule("date", rf"(?P<p>{FULL_DATE})", _parse_date, needs="month year"),
    _rule(
        "date",  # a date without its year needs a preposition: "as of June 30", "on 11 August"
        rf"\b{alternation(DATE_PREPOSITIONS)}\s+(?P<p>{MONTH_DAY})(?![,\s]*\d)",
        _parse_date,
        needs="month",
    ),
    _rule(
        "month",  # December 2019, Dec. 2019, the month of December 2019
        rf"(?P<p>\b(?:the\s+month\s+of\s+)?(?P<mon>{MONTH}),?\s+(?:of\s+)?(?P<yr>{Y4}))(?!\d|,?\s*\d{{1,2}}\b)",
        _parse_month,
        needs="month",
        hint=rf"{_MONTH_START}[a-z]*\.?,?\s+(?:of\s+)?(?:19[5-9]\d|20\d\d)",
    ),
    _rule(
        "month",  # a month alone needs a preposition: "in September", "until December"
        rf"\b{alternation(MONTH_PREPOSITIONS)}\s+(?:the\s+month\s+of\s+)?(?P<p>(?P<mon>{MONTH}))(?!\s*\d)(?P<yr>)",
        _parse_month,
        needs="month",
    ),
    _rule(
        "same_slot",  # the same quarter of 2019, the same period in 2020
        rf"""(?:\bthe\s+)? \bsame\s+(?P<unit>period|quarter|month|half|(?:nine|six|three)[-\s]month\s+period)
            \s+(?:of|in|last)\s+(?:the\s+)?(?P<yr>{YEAR_EXPR}){END_GUARD}""",
        _parse_same_slot,
        needs="year code",
        hint=r"same\s",
    ),
    _rule("relative", _RELATIVE, _parse_relative, needs="yearword monthword period quarter half"),
)


# ================================================================== scanning and selecting


# Every period phrase holds a keyword of one of these classes, and each rule says which
# classes its phrases hold (Rule.needs): a rule only runs near its keywords. Keep in sync.
KEYWORD_CLASSES = {
    "yearword": ("year", "fiscal", "financial", "calendar", "ytd"),
    "monthword": ("month", "week", "ttm", "ltm", "MoM"),
    "period": ("period", "sequential", "yoy", "qoq", "y/y", "q/q"),
    "quarter": ("quarter", "qtr"),
    "half": ("half", "interim"),
}
CODE_ACRONYMS = ("FY", "CY")
_KEYWORDS = re.compile(
    rf"""(?<!\w)(?: {"|".join(f"(?P<{name}>{alternation(words)})" for name, words in KEYWORD_CLASSES.items())}
                 | (?P<month>{MONTH})
                 | (?P<year>(?:19|20)\d\d)
                 | (?P<code>[QH][1-4]|[1-4][QH]|9M|{alternation(CODE_ACRONYMS)}|['’]\d\d) )""",
    _FLAGS,
)
# The same hits, fast: the words whose case does not count are found in the lower-cased text by
# a case-sensitive quick pattern (a letter costs one comparison; its only groups are the classes,
# so a hit's class is its last group), the acronyms ("MoM", "FY") in the text as it is. The two
# kinds never meet (see _check_acronyms), so together they are what the single pass finds.
_ACRONYMS = {name: [w for w in words if w != w.lower()] for name, words in KEYWORD_CLASSES.items()}
_ACRONYMS["code"] = list(CODE_ACRONYMS)
_LOWER_WORDS = {name: [w for w in words if w == w.lower()] for name, words in KEYWORD_CLASSES.items()}
_KEYWORDS_LOWER = quick_pattern(
    rf"""(?: {"|".join(f"(?P<{name}>{alternation(words)})" for name, words in _LOWER_WORDS.items())}
           | (?P<month>{MONTH})
           | (?P<year>(?:19|20)\d\d)
           | (?P<code>[qh][1-4]|[1-4][qh]|9m|['’]\d\d) )""",
    re.VERBOSE,
    word_start=True,
    whole=False,
)
_KEYWORDS_CASED = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<{name}>{'|'.join(words)})" for name, words in _ACRONYMS.items() if words) + ")"
)


def _check_acronyms() -> None:
    """The split keyword pass is exact only if no other keyword can match where an acronym does
    (they differ within their common length) and none holds a word start inside it where an
    acronym could begin ("y/y" holds one, at a "y"); acronyms are whole words themselves."""
    acronyms = [a.lower() for words in _ACRONYMS.values() for a in words]
    others = [w for words in _LOWER_WORDS.values() for w in words] + list(MONTH_NUMBER)
    others += ["q1", "h1", "1q", "1h", "9m", "'20", "’20", "2020"]  # the shapes of codes and years
    for acronym in acronyms:
        if not acronym.isalnum():
            raise ValueError(f"acronym keyword with a word break: {acronym!r}")
        for word in others:
            size = min(len(word), len(acronym))
            inner = [i for i in range(1, len(word)) if not word[i - 1].isalnum() and word[i].isalnum()]
            if word[:size] == acronym[:size] or any(word[i] == acronym[0] for i in inner):
                raise ValueError(f"keyword {word!r} meets acronym {acronym!r}: split the pass no more")


_check_acronyms()
_ALL_NEEDS = tuple(dict.fromkeys(rule.needs for rule in RULES))
REACH = 64  # a phrase starts within 40 characters of its first keyword and ends (with the
#             lookaheads of its rule) within 50 of its last: windows this wide lose none
_WORD_TAIL = re.compile(r"\w*")


def keyword_windows(text: str, classes: Iterable[str] | None = None) -> list[tuple[int, int]]:
    """Stretches of text near a period keyword (of the given classes), merged, ending at word ends.

    >>> keyword_windows("Revenue rose 24.8% to RMB70.5 billion.")
    []
    >>> keyword_windows("Revenue in Q4 rose."), keyword_windows("Revenue in Q4 rose.", ["month"])
    ([(0, 19)], [])
    """
    hits = [hit.span() for hit in _KEYWORDS.finditer(text) if classes is None or hit.lastgroup in classes]
    return _merge_windows(text, hits)


def _merge_windows(text: str, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Windows of REACH around each hit, merged, each stretched to the end of its last word."""
    windows: list[tuple[int, int]] = []  # complete ones, stretched
    size = len(text)
    low = high = -1  # the window being built; high < 0: none yet
    for hit_start, hit_end in sorted(hits):
        start, end = hit_start - REACH, hit_end + REACH
        if high >= 0 and start <= high:
            if end > high:
                high = end
            continue
        if high >= 0:  # the previous window is complete: end it at a word end
            stretched = size if high >= size else _WORD_TAIL.match(text, high).end()
            if windows and low <= windows[-1][1]:
                windows[-1] = (windows[-1][0], stretched)
            else:
                windows.append((low, stretched))
        low, high = max(0, start), end
    if high >= 0:
        stretched = size if high >= size else _WORD_TAIL.match(text, high).end()
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], stretched)
        else:
            windows.append((low, stretched))
    return windows


def _scan(text: str) -> list[_Find]:
    """Every rule's finds, context-free: one guarded pass per rule, near its keywords only.

    A phrase seen before (same rule, same words) is parsed once: the memo holds its specs
    with offsets from the match start, so long runs of the same phrase stay cheap; it is kept
    from text to text.
    """
    low = _lower(text)
    windows_of = _windows_by_needs(text, low)
    finds: list[_Find] = []
    if windows_of is _NO_WINDOWS:
        return finds
    memo = _parse_memo()
    for order, rule in enumerate(RULES):
        windows = windows_of[rule.needs]
        if windows:
            for _, found in _rule_finds(text, low, order, rule, windows, memo):
                finds += found
    return finds


_PARSED: dict[tuple[int, str], list] = {}  # (rule order, phrase) -> specs with offsets from the match start
MEMO_LIMIT = 20_000  # entries a memo keeps before it starts afresh


def _parse_memo() -> dict:
    """Parsed phrases, kept across texts (a phrase parses the same wherever it stands)."""
    global _PARSED
    if len(_PARSED) > MEMO_LIMIT:
        _PARSED = {}  # a new one: a scan running in another thread keeps the one it holds
    return _PARSED


def _lower(text: str) -> str | None:
    """The text in lower case for the rules' hints, or None when that would not match as the
    case-insensitive rules do (a character that ``re`` folds onto an ASCII letter otherwise)."""
    return None if _FOLD_TRAPS_RE.search(text) else text.lower()


def _windows_by_needs(text: str, low: str | None) -> dict[tuple[str, ...], list[tuple[int, int]]]:
    """The scanning windows of each keyword-class combination a rule needs (``_NO_WINDOWS``
    when the text holds no keyword); ``low`` is ``_lower(text)``."""
    hits: dict[str, list[tuple[int, int]]] = {}
    if low is None or _KEYWORDS_LOWER is None:
        for hit in _KEYWORDS.finditer(text):
            hits.setdefault(hit.lastgroup, []).append(hit.span())
    else:
        last_end = -1
        for hit in _KEYWORDS_LOWER.finditer(low):
            name = hit.lastgroup
            span = hit.span(name)
            if span[0] >= last_end:  # as finditer: none starts inside the previous hit
                hits.setdefault(name, []).append(span)
                last_end = span[1]
        for hit in _KEYWORDS_CASED.finditer(text):
            hits.setdefault(hit.lastgroup, []).append(hit.span())  # windows sort their hits
    if not hits:
        return _NO_WINDOWS
    windows_of: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    merged: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # by the classes present: often the same
    for needs, present in _present_classes(frozenset(hits)):
        if present not in merged:
            merged[present] = _merge_windows(text, [h for c in present for h in hits[c]]) if present else []
        windows_of[needs] = merged[present]
    return windows_of


_NO_WINDOWS: dict[tuple[str, ...], list[tuple[int, int]]] = {needs: [] for needs in _ALL_NEEDS}


@cache  # one entry per set of keyword classes a text holds: a few hundred at most
def _present_classes(found: frozenset[str]) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(needs, the classes of needs that were found) for each rule's needs."""
    return tuple((needs, tuple(sorted(c for c in needs if c in found))) for needs in _ALL_NEEDS)


def _rule_finds(
    text: str, low: str | None, order: int, rule: Rule, windows: list[tuple[int, int]], memo: dict, lazy: bool = False
) -> Iterator[tuple[int, list[_Find]]]:
    """(match start, finds) of one rule in its windows, in text order; when ``lazy``, also
    (window start, []) before a window is scanned, so a lazy reader can stop before it.
    ``low``: the text in lower case, where the rule's hint must be found in a window first."""
    hint = rule.hint if low is not None else None
    for window in windows:
        if lazy:
            yield window[0], []
        if hint is not None and hint.search(low, *window) is None:
            continue  # the rule's core words are not there: it cannot match
        for match in rule.finditer(text, *window, low):
            key, at = (order, match.group()), match.start()
            parsed = memo.get(key)
            if parsed is None:
                parsed = memo[key] = [(s - at, e - at, spec) for s, e, spec in rule.parse(match)]
            yield at, [_Find(at + s, at + e, order, rule.name, spec) for s, e, spec in parsed]


def scan_each_rule(text: str) -> list[_Find]:
    """The reference scan: each rule's plain regex, no guard, no memo (slow)."""
    finds = []
    for order, rule in enumerate(RULES):
        for match in rule.plain.finditer(text):
            finds += [_Find(s, e, order, rule.name, spec) for s, e, spec in rule.parse(match)]
    return finds


def _select(finds: list[_Find]) -> list[_Find]:
    """Leftmost-longest, then rule order: the phrase that says the most wins an overlap."""
    chosen: list[_Find] = []
    last_end = -1
    for find in sorted(finds, key=lambda f: (f.start, -f.end, f.order)):
        if find.start >= last_end:
            chosen.append(find)
            last_end = find.end
    return chosen


def _select_lazily(text: str, first_step: int = 256) -> Iterator[_Find]:
    """``_select(_scan(text))`` as a generator that scans no further than the finds taken.

    Exact: a rule's finds never start before its match, so once every rule's next match starts
    at or after ``limit``, all finds starting before ``limit`` are known, and the choice among
    them (leftmost-longest, in start order) cannot be changed by anything further right.
    """
    low = _lower(text)
    windows_of = _windows_by_needs(text, low)
    memo = _parse_memo()
    heads = []  # per rule: an iterator of (match start, finds) and its next item
    for order, rule in enumerate(RULES):
        if not windows_of[rule.needs]:
            continue
        matches = _rule_finds(text, low, order, rule, windows_of[rule.needs], memo, lazy=True)
        first = next(matches, None)
        if first is not None:
            heads.append([first, matches])
    pool: list[_Find] = []
    last_end, limit, step = -1, 0, first_step
    while heads or pool:
        limit = limit + step if heads else len(text) + 1
        step *= 2
        for head in heads:
            while head[0] is not None and head[0][0] < limit:
                pool += head[0][1]
                head[0] = next(head[1], None)
        heads = [head for head in heads if head[0] is not None]
        if not heads:
            limit = len(text) + 1
        ready = sorted((f for f in pool if f.start < limit), key=lambda f: (f.start, -f.end, f.order))
        pool = [f for f in pool if f.start >= limit]
        for find in ready:
            if find.start >= last_end:
                yield find
                last_end = find.end


# ================================================================== the result


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """One period phrase found in a text, with what it resolved to and why."""

    period: Period | None  # None when it cannot be resolved (a relative phrase, no publication date)
    span: tuple[int, int]  # offsets into the text passed in
    text: str
    grain: str  # quarter half nine_months year month instant ytd relative
    comparative: bool = False  # a stated prior-period comparative ("a year earlier", "up from X in")
    explicit_year: bool = True  # the year is written in the text, not inferred
    rule: str = ""  # the grammar rule that matched; "+estimate" when marked as an estimate (FY21E)


# ================================================================== context and resolution


_RESOLVED: dict[tuple[FiscalCalendar, date | None], dict] = {}


_UNRESOLVED = object()  # not in the memo yet (None is a resolution: "cannot be resolved")


def _resolved_memo(calendar: FiscalCalendar, published: date | None) -> dict:
    """The resolutions made under one calendar and publication date, kept across texts: the
    sentences of a release (and releases of a company) name the same periods again and again."""
    key = (calendar, published)
    memo = _RESOLVED.get(key)
    if memo is None or len(memo) > MEMO_LIMIT:
        if len(_RESOLVED) > 64:  # one per release, about: the recent ones are the ones asked again
            _RESOLVED.clear()
        memo = _RESOLVED[key] = {}
    return memo


@dataclass(slots=True)
class _Context:
    calendar: FiscalCalendar
    published: date | None
    anchor: Period | None = None
    memo: dict = field(default_factory=dict)  # (spec, anchor, comparative) -> period: texts repeat

    def base(self) -> Period | None:
        """What "the period" means: the last period named, else the latest one reported."""
        if self.anchor is not None:
            return self.anchor
        return self.calendar.latest_closed(self.published) if self.published else None

    def base_slot(self, grain: str) -> Period | None:
        """The quarter / half / year / month the text is about (anchor's, else the latest closed)."""
        cal = self.calendar
        if grain == "month":
            return self._base_month()
        if grain == "period":
            return self.base()
        if self.anchor is not None:
            day = self.anchor.end
            if grain == "quarter":
                return cal.quarter_of(day)
            fy = cal.fiscal_year_of(day)
            n = 1 if grain == "half" and day <= cal.half(fy, 1).end else 2
            return cal.slot(grain, fy, n)
        if self.published is None:
            return None
        if grain == "quarter":
            return cal.latest_closed_quarter(self.published)
        limit = self.published - timedelta(days=1)
        candidates = [cal.latest_slot_before(grain, n, limit) for n in ((1, 2) if grain == "half" else (0,))]
        return max(candidates, key=lambda p: p.end)

    def _base_month(self) -> Period | None:
        if self.anchor is not None:
            return month_period(self.anchor.end.year, self.anchor.end.month)
        if self.published is None:
            return None
        return _latest_month(self.published.month - 1 or 12, self.published - timedelta(days=1))


def _latest_month(month: int, limit: date) -> Period:
    """The latest calendar month of that number that has ended by ``limit``."""
    candidate = month_period(limit.year, month)
    return candidate if candidate.end <= limit else month_period(limit.year - 1, month)


def _previous_month(period: Period) -> Period:
    year, month = add_months(period.end.year, period.end.month, -1)
    return month_period(year, month)


def _calendar_for(spec: _Spec, ctx: _Context) -> FiscalCalendar:
    return GREGORIAN if spec.marker == "calendar" else ctx.calendar


def _current_anchor(ctx: _Context) -> Period | None:
    """The anchor, if it is about the period the release reports on (between the latest closed
    period and publication). Yearless "the fourth quarter" follows the text only then: a
    historical aside ("stopped making petrol cars in March 2022") or a target ("for 2024")
    must not move it. Without a publication date any anchor will do."""
    anchor = ctx.anchor
    if anchor is None or ctx.published is None:
        return anchor
    current = ctx.calendar.latest_closed(ctx.published)
    return anchor if anchor.end >= current.start and anchor.start <= ctx.published else None


def _yearless_limit(ctx: _Context, comparative: bool) -> date | None:
    """The last day a yearless period may end on: before the anchor for a comparative, else
    the anchor's end, else the day before publication."""
    anchor = _current_anchor(ctx)
    if anchor is not None:
        return anchor.start - timedelta(days=1) if comparative else anchor.end
    return ctx.published - timedelta(days=1) if ctx.published else None


def _resolve_slot(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    """Quarters, halves, nine months, years; without a year, the anchor's fiscal year (the
    latest before the anchor for a comparative) or the latest closed before publication."""
    cal = _calendar_for(spec, ctx)
    if spec.year is not None:
        return cal.slot(spec.kind, spec.year, spec.n)
    anchor = _current_anchor(ctx)
    if anchor is not None and not comparative:
        return cal.slot(spec.kind, cal.fiscal_year_of(anchor.end), spec.n)
    limit = _yearless_limit(ctx, comparative)
    return cal.latest_slot_before(spec.kind, spec.n, limit) if limit else None


def _resolve_year(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    return _calendar_for(spec, ctx).year(spec.year) if spec.year is not None else None


def _resolve_month(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    """A month; without a year, the one in the anchor's fiscal year, else the latest before."""
    if spec.year is not None:
        return month_period(spec.year, spec.n)
    anchor = _current_anchor(ctx)
    if anchor is not None and not comparative:
        fiscal_year = ctx.calendar.year(ctx.calendar.fiscal_year_of(anchor.end))
        inside = fiscal_year.contains(date(fiscal_year.end.year, spec.n, 15))
        return month_period(fiscal_year.end.year if inside else fiscal_year.start.year, spec.n)
    limit = _yearless_limit(ctx, comparative)
    return _latest_month(spec.n, limit) if limit else None


def _day_of(spec: _Spec, ctx: _Context, comparative: bool) -> date | None:
    """The date a spec names. Without a year, the latest such day before publication ("on 11
    August", "as of June 30"): events are dated from today, not from the period discussed;
    a comparative one comes before the anchor; with no publication date, by the anchor."""
    if spec.year is not None:
        return date(spec.year, spec.n, spec.day) if spec.day <= days_in_month(spec.year, spec.n) else None
    if ctx.published is not None and not (comparative and ctx.anchor is not None):
        limit = ctx.published - timedelta(days=1)
    else:
        limit = _yearless_limit(ctx, comparative)
    if limit is None:
        return None
    for year in range(limit.year, limit.year - 8, -1):  # February 29 waits for a leap year
        if spec.day <= days_in_month(year, spec.n) and date(year, spec.n, spec.day) <= limit:
            return date(year, spec.n, spec.day)
    return None


def _resolve_date(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    day = _day_of(spec, ctx, comparative)
    return Period.instant(day) if day else None


def _resolve_ended(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    end = _day_of(spec, ctx, comparative)
    return period_ending(end, spec.months, ctx.calendar, spec.weeks) if end else None


def period_ending(end: date, months: int, calendar: FiscalCalendar = GREGORIAN, weeks: int = 0) -> Period:
    """The period of ``months`` months (or ``weeks`` weeks) ending on ``end``: the fiscal period
    when the calendar has one ending that day (so it carries its label), else plain dates.

    >>> period_ending(date(2020, 12, 31), 3).label, period_ending(date(2021, 9, 30), 12).start
    ('Q4 2020', datetime.date(2020, 10, 1))
    """
    for cal in (calendar, GREGORIAN):
        found = cal.period_ending(end, months)
        if found and (not weeks or found.days == weeks * 7):
            return found
    if months == 1 and end.day == days_in_month(end.year, end.month):
        return month_period(end.year, end.month)
    if weeks:
        start = end - timedelta(days=weeks * 7 - 1)
    elif end.day == days_in_month(end.year, end.month):
        year, month = add_months(end.year, end.month, 1 - months)
        start = date(year, month, 1)
    else:
        year, month = add_months(end.year, end.month, -months)
        start = date(year, month, min(end.day, days_in_month(year, month))) + timedelta(days=1)
    return Period(start, end, "duration", f"{weeks}W to {end}" if weeks else f"{months}M to {end}")


def _resolve_month_quarter(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    """ "The December quarter": the fiscal quarter ending within a week of that month's end."""
    month = _resolve_month(replace(spec, kind="month"), ctx, comparative)
    if month is None:
        return None
    candidates = [ctx.calendar.quarter_of(month.end + timedelta(days=d)) for d in (-7, 0, 7)]
    best = min(candidates, key=lambda q: abs((q.end - month.end).days))
    return best if abs((best.end - month.end).days) <= 7 else None


def _resolve_month_range(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    last = _resolve_month(replace(spec, kind="month"), ctx, comparative)
    return period_ending(last.end, spec.months) if last else None


def _resolve_year_end(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    if spec.year is None:
        return None
    if spec.marker == "fiscal":
        return Period.instant(ctx.calendar.year_end(spec.year))
    return Period.instant(date(spec.year, 12, 31))


def _resolve_same_slot(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    """ "The same quarter of 2019": the base period's slot, moved to that year."""
    base = ctx.base_slot(spec.unit)
    if base is None or spec.year is None:
        return None
    if spec.unit == "month":
        return month_period(spec.year, base.end.month)
    return ctx.calendar.shift_years(base, spec.year - ctx.calendar.fiscal_year_of(base.end))


def _resolve_relative(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    return _RELATIVE_RESOLVERS[spec.key](spec, ctx, comparative)


def _year_ago(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    base = ctx.base_slot(spec.unit)
    return ctx.calendar.shift_years(base, -1) if base else None


def _previous_quarter(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    base = ctx.base_slot("quarter")
    return ctx.calendar.previous_quarter(base) if base else None


def _last_quarter(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    if comparative or ctx.published is None:
        return _previous_quarter(spec, ctx, comparative)
    return ctx.calendar.latest_closed_quarter(ctx.published)


def _last_year(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    """ "Last year" counts from the publication date: the fiscal year before the current one."""
    if comparative and ctx.anchor is not None:
        return _previous_year(spec, ctx, comparative)
    if ctx.published is not None:
        return ctx.calendar.year(ctx.calendar.fiscal_year_of(ctx.published) - 1)
    return _previous_year(spec, ctx, comparative)


def _previous_year(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    """ "The prior year" counts from the period in hand; as a comparative of a quarter it means
    that quarter a year earlier ("down slightly from the prior year")."""
    base = ctx.base()
    if base is None:
        return None
    located = ctx.calendar.locate(base)
    if comparative and (located is None or located[0] != "year"):
        return ctx.calendar.shift_years(base, -1)
    return ctx.calendar.year(ctx.calendar.fiscal_year_of(base.end) - 1)


def _this_year(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    return ctx.calendar.year(ctx.calendar.fiscal_year_of(ctx.published)) if ctx.published else None


def _year_to_date(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    return ctx.calendar.year_to_date(ctx.published) if ctx.published else None


def _base_of_unit(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    return ctx.base_slot(spec.unit)


def _end_of_unit(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    base = ctx.base_slot(spec.unit)
    return Period.instant(base.end) if base else None


def _end_of_this_year(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    year = _this_year(spec, ctx, comparative)
    return Period.instant(year.end) if year else None


def _this_month(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    return month_period(ctx.published.year, ctx.published.month) if ctx.published else None


def _last_month(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    if comparative or ctx.published is None:
        return _previous_month_of_base(spec, ctx, comparative)
    return _previous_month(month_period(ctx.published.year, ctx.published.month))


def _previous_month_of_base(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    base = ctx.base_slot("month")
    return _previous_month(base) if base else None


def _trailing_twelve_months(spec: _Spec, ctx: _Context, comparative: bool) -> Period | None:
    quarter = ctx.base_slot("quarter")
    if quarter is None:
        return None
    start = ctx.calendar.shift_years(quarter, -1).end + timedelta(days=1)
    return Period(start, quarter.end, "duration", f"TTM to {quarter.end}")


_RELATIVE_RESOLVERS = {
    "year_ago": _year_ago,
    "previous_quarter": _previous_quarter,
    "last_quarter": _last_quarter,
    "last_year": _last_year,
    "previous_year": _previous_year,
    "this_year": _this_year,
    "ytd": _year_to_date,
    "base": _base_of_unit,
    "end": _end_of_unit,
    "end_this_year": _end_of_this_year,
    "this_month": _this_month,
    "last_month": _last_month,
    "previous_month": _previous_month_of_base,
    "ttm": _trailing_twelve_months,
}

_RESOLVERS = {
    "quarter": _resolve_slot,
    "half": _resolve_slot,
    "nine_months": _resolve_slot,
    "year": _resolve_year,
    "month": _resolve_month,
    "date": _resolve_date,
    "ended": _resolve_ended,
    "month_quarter": _resolve_month_quarter,
    "month_range": _resolve_month_range,
    "year_end": _resolve_year_end,
    "same_slot": _resolve_same_slot,
    "relative": _resolve_relative,
}


def _grain_of(spec: _Spec) -> str:
    """The grain a mention reports (design: quarter half nine_months year month instant ytd relative)."""
    if spec.kind in ("quarter", "half", "nine_months", "year", "month"):
        return spec.kind
    if spec.kind in ("date", "year_end") or spec.key.startswith("end"):
        return "instant"
    if spec.kind in ("ended", "month_range"):
        return GRAIN_OF_MONTHS.get(spec.months, "relative")
    if spec.kind == "month_quarter":
        return "quarter"
    if spec.key == "ytd":
        return "ytd"
    if spec.key == "base" and spec.unit in GRAIN_OF_MONTHS.values():
        return spec.unit
    return "relative"


# ================================================================== context words around a phrase

_INSTANT_PREFIX = re.compile(
    rf"""(?: (?:\b{alternation(INSTANT_LEADS)}\s+)? (?:the\s+)? (?:very\s+)? \bend\s+of\s+(?:the\s+)?   # by the end of
           | \bas\s+(?:of|at)\s+                                                                  # as of, as at
           | \bend-                                                                               # end-2020
         )\Z""",
    _FLAGS,
)
_INSTANT_CAPABLE = frozenset(
    {"year", "quarter", "half", "nine_months", "month", "date", "month_quarter", "month_range"}
)

_COMPARATIVE_CUE = re.compile(
    r"""(?: (?: \b(?:as\s+)?compared?\s+(?:with|to) | \bin\s+comparison\s+(?:with|to) | \bversus | \bvs\b\.?
              | \brelative\s+to | \bagainst )                            # compared with RMB56.5 billion in
            \s+ (?:\S+\s+){0,8}? (?:(?:in|for|during|at|on|of|over|as\s+of)\s+)?
          | \bthan\s+(?:(?:in|for|during|at|on|of)\s+)?                   # "higher than in 2019", not "more than ten"
          | \bfrom\s+ (?=\S*\d|(?:RMB|US\$|HK\$|USD|CNY|HKD|EUR|approximately|about|around|nearly|roughly)\b)
            (?:\S+\s+){0,6}? (?:in|for|during|at|on|of|over|as\s+of)\s+
          | \b(?:up|down|rose|fell|grew|increased|decreased|declined|jumped|climbed|dropped)\s+(?:\S+\s+){0,2}?from\s+
          | \b(?:up|down)\s+\S+\s+(?:on|over)\s+
        )\Z""",
    _FLAGS,
)
_CUE_HINT = re.compile(r"compar|versus|vs|relative|against|than|from|\son\s|over\s", re.IGNORECASE)
_INSTANT_HINT = re.compile(r"as\s|end", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.!?;:]\s|\n\s*\n")
_LAST_CLAUSE_BREAK = re.compile(rf"(?s).*(?:{_CLAUSE_BREAK.pattern})")


def _left_context(text: str, start: int, floor: int) -> str:
    """The words just before a phrase, within its sentence and after the previous phrase."""
    window = text[max(floor, start - CONTEXT_CHARS) : start]
    last_break = _LAST_CLAUSE_BREAK.match(window)
    return window[last_break.end() :] if last_break else window


# The same, quick: the hints (no capitals in them) in the lower-cased words, the cues as quick patterns.
_CUE_HINT_LOWER = re.compile(_CUE_HINT.pattern)
_INSTANT_HINT_LOWER = re.compile(_INSTANT_HINT.pattern)
_COMPARATIVE_CUE_QUICK = quick_pattern(_COMPARATIVE_CUE.pattern, _COMPARATIVE_CUE.flags)
_INSTANT_PREFIX_QUICK = quick_pattern(_INSTANT_PREFIX.pattern, _INSTANT_PREFIX.flags)


def _hinted(context: str, hint: re.Pattern, hint_lower: re.Pattern) -> bool:
    low = _lower(context)
    return bool(hint.search(context) if low is None else hint_lower.search(low))


def _first_match(pattern: re.Pattern, quick: re.Pattern | None, text: str) -> re.Match | _Whole | None:
    """``pattern.search(text)``, by its quick pattern when there is one."""
    return pattern.search(text) if quick is None else next(quick_matches(quick, text), None)


def _has_comparative_cue(context: str) -> bool:
    """Cheap hint first: most phrases have no comparison word before them."""
    if not _hinted(context, _CUE_HINT, _CUE_HINT_LOWER):
        return False
    return _first_match(_COMPARATIVE_CUE, _COMPARATIVE_CUE_QUICK, context) is not None


def _instant_prefix(context: str) -> int:
    """Length of an "as of" / "by the end of" just before a phrase (0 when there is none)."""
    if not _hinted(context, _INSTANT_HINT, _INSTANT_HINT_LOWER):
        return 0
    found = _first_match(_INSTANT_PREFIX, _INSTANT_PREFIX_QUICK, context)
    return len(context) - found.start() if found else 0


def _instant_of(spec: _Spec, period: Period) -> Period:
    """The stock-taking day of "by the end of <period>": a plain year ends on December 31."""
    if spec.kind == "year" and spec.marker != "fiscal" and spec.year is not None:
        return Period.instant(date(spec.year, 12, 31))
    return Period.instant(period.end)


_COORDINATION = re.compile(r"\s*(?:,|/|&|-|–|and|or|to|through)\s*(?:the\s+)?", re.IGNORECASE)
_BORROWERS = frozenset({"quarter", "half", "nine_months", "month", "month_quarter", "date"})


def _borrow_year(find: _Find, following: _Find | None, text: str) -> _Spec:
    """ "Q3 and Q4 2020", "fourth quarter and full year 2020": a yearless phrase joined to the
    next one by "and" / "," / "-" takes that phrase's year."""
    spec = find.spec
    if spec.year is not None or spec.kind not in _BORROWERS or following is None:
        return spec
    gap = text[find.end : following.start]
    if following.spec.year is None or not _COORDINATION.fullmatch(gap):
        return spec
    return replace(spec, year=following.spec.year, marker=following.spec.marker)


# ================================================================== public API


def find_periods(
    text: str, published: date | None = None, calendar: FiscalCalendar | None = None
) -> list[PeriodMention]:
    """Every period phrase in text (a sentence or a paragraph), in order, resolved.

    >>> [m.period.label for m in find_periods("Revenue in Q4 2020 rose 24.8% year-on-year.")]
    ['Q4 2020', 'Q4 2019']
    >>> find_periods("Model 3 and Mi 11 shipped 2,020 units.")
    []
    """
    return list(_resolve_all(text, _select(_scan(text)), published, calendar))


def iter_periods(
    text: str, published: date | None = None, calendar: FiscalCalendar | None = None
) -> Iterator[PeriodMention]:
    """``find_periods``, lazily: the text is scanned only as far as the mentions taken need, so a
    caller that wants the first mention of some kind in a long opening stops paying early.

    >>> next(iter_periods("Revenue in Q4 2020 rose 24.8% year-on-year.")).period.label
    'Q4 2020'
    """
    return _resolve_all(text, _select_lazily(text), published, calendar)


def _resolve_all(
    text: str, finds: Iterable[_Find], published: date | None, calendar: FiscalCalendar | None
) -> Iterator[PeriodMention]:
    """Resolve selected finds left to right (each may borrow the year of the one after it)."""
    ctx = _Context(calendar or GREGORIAN, _as_date(published))
    ctx.memo = _resolved_memo(ctx.calendar, ctx.published)
    following = iter(finds)
    find = next(following, None)
    before: PeriodMention | None = None
    floor = 0
    while find is not None:
        after = next(following, None)
        mention = _resolve_find(text, find, after, ctx, floor)
        if before is not None and _is_comparison_column(text, before, mention):
            mention = replace(mention, comparative=True)
        yield mention
        before = mention
        floor = find.end
        bare_date = find.rule == "date" and mention.span[0] == find.start  # "on May 15", not "as of"
        if mention.period is not None and not mention.comparative and not bare_date:
            ctx.anchor = mention.period
        find = after


_COLUMN_GAP = re.compile(r"[\s|,;/]*(?:(?:and|vs\.?|versus|&)[\s|]*)?")


def _is_comparison_column(text: str, before: PeriodMention, mention: PeriodMention) -> bool:
    """ "| Q1 2020 | Q1 2019 |", "Q4 2020 and Q4 2019": an earlier period of the same grain
    right after another is the comparison column (and must not become the anchor)."""
    if before.period is None or mention.period is None or mention.grain != before.grain:
        return False
    if not (before.explicit_year and mention.explicit_year) or mention.grain == "relative":
        return False
    earlier = mention.period.end < before.period.start
    return earlier and bool(_COLUMN_GAP.fullmatch(text, before.span[1], mention.span[0]))


def _resolve_find(text: str, find: _Find, following: _Find | None, ctx: _Context, floor: int) -> PeriodMention:
    spec = _borrow_year(find, following, text)
    context = _left_context(text, find.start, floor)
    prefix = _instant_prefix(context) if spec.kind in _INSTANT_CAPABLE else 0
    start = find.start - prefix
    comparative = spec.comparative or _has_comparative_cue(context[: len(context) - prefix])
    key = (spec, ctx.anchor, comparative)
    period = ctx.memo.get(key, _UNRESOLVED)
    if period is _UNRESOLVED:
        period = ctx.memo[key] = _RESOLVERS[spec.kind](spec, ctx, comparative)
    grain = _grain_of(spec)
    if prefix:
        period, grain = (_instant_of(spec, period) if period else None), "instant"
    return PeriodMention(
        period=period,
        span=(start, find.end),
        text=text[start : find.end],
        grain=grain,
        comparative=comparative,
        explicit_year=spec.year is not None,
        rule=find.rule + ("+estimate" if spec.estimate else ""),
    )


def parse_period(phrase: str, published: date | None = None, calendar: FiscalCalendar | None = None) -> Period | None:
    """The period one phrase names (its longest period mention), or None.

    >>> parse_period("three months ended December 31, 2020").label
    'Q4 2020'
    >>> parse_period("iPhone 12") is None
    True
    """
    mentions = find_periods(phrase, published, calendar)
    if not mentions:
        return None
    return max(mentions, key=lambda m: m.span[1] - m.span[0]).period


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


# ------------------------------------------------------------------ table headers

_BARE_YEAR = re.compile(rf"{Y4}(?![\w%]|[.,]\d)")
_HEADER_TOKEN = re.compile(r"[A-Za-z]+|\d+")


def parse_table_header(
    line: str, published: date | None = None, calendar: FiscalCalendar | None = None
) -> list[Period] | None:
    """Column periods of a flattened results-table header, or None if the line is not one.

    A clause ("Three months ended December 31, 2020") sets the shape of the columns; the bare
    years after it ("2019") repeat that shape in another year. Anything that is not a period or
    a header word ("Unaudited", "YoY change", "(RMB in millions)") means the line is not a header.

    >>> [p.label for p in parse_table_header("Three months ended December 31, 2020 2019 YoY change")]
    ['Q4 2020', 'Q4 2019']
    >>> parse_table_header("Revenue 70,462.9 56,469.7 24.8%") is None
    True
    """
    ctx = _Context(calendar or GREGORIAN, _as_date(published))
    finds = [f for f in _select(_scan(line)) if f.spec.kind != "relative"]  # "YoY change" is a word
    items = sorted([(f.start, f.end, f.spec) for f in finds] + _bare_years(line, finds), key=lambda i: i[0])
    columns = _header_columns(_share_years([item for _, _, item in items]))
    periods = [_resolve_column(spec, ctx) for spec in columns]
    if not periods or None in periods or not _only_header_words(line, [(s, e) for s, e, _ in items]):
        return None
    return periods


def _bare_years(line: str, finds: list[_Find]) -> list[tuple[int, int, int]]:
    taken = [(f.start, f.end) for f in finds]
    years = []
    for match in _BARE_YEAR.finditer(line):
        if not any(s <= match.start() < e for s, e in taken):
            years.append((match.start(), match.end(), int(match.group())))
    return years


def _header_columns(items: list[_Spec | int]) -> list[_Spec | int]:
    """One spec per column. A clause without a year waits for the years after it; several such
    clauses share the run of years in order ("Three months ended December 31, Year ended
    December 31, 2020 2019 2020 2019"); a year with no clause before it is a fiscal year."""
    columns: list[_Spec | int] = []
    shape: _Spec | None = None  # the last clause: bare years repeat it
    waiting: list[_Spec] = []
    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, int):
            run = list(itertools.takewhile(lambda i: isinstance(i, int), items[index:]))
            columns += _spread_years(run, waiting or [shape])
            shape, waiting, index = (waiting[-1] if waiting else shape), [], index + len(run)
            continue
        item = _in_shape(item, waiting[-1] if waiting else shape)
        if item.year is None and item.kind in ("ended", "date"):
            waiting.append(item)
        else:
            columns += [*waiting, item]
            waiting = []
            shape = item if item.kind in ("ended", "date") else shape
        index += 1
    return columns + waiting


def _share_years(items: list[_Spec | int]) -> list[_Spec | int]:
    """ "Three months ended December 31, Year ended December 31, 2020 2019 2020 2019": the
    second clause took the first year of the run; give it back to the run."""
    shared: list[_Spec | int] = []
    for index, item in enumerate(items):
        waiting = bool(shared) and isinstance(shared[-1], _Spec) and shared[-1].year is None
        years_follow = index + 1 < len(items) and isinstance(items[index + 1], int)
        if isinstance(item, _Spec) and item.kind == "ended" and item.year and waiting and years_follow:
            shared += [replace(item, year=None), item.year]
        else:
            shared.append(item)
    return shared


def _in_shape(spec: _Spec, shape: _Spec | None) -> _Spec:
    """A date after an "ended" clause ends a period of the clause's length."""
    if spec.kind == "date" and shape is not None and shape.kind == "ended":
        return replace(shape, n=spec.n, day=spec.day, year=spec.year)
    return spec


def _spread_years(years: list[int], shapes: list[_Spec | None]) -> list[_Spec | int]:
    if shapes == [None]:
        return list(years)
    per_shape, rest = divmod(len(years), len(shapes))
    if rest:
        return [0]  # years that do not divide among the clauses: not a header we understand
    return [replace(s, year=y) for n, s in enumerate(shapes) for y in years[n * per_shape : (n + 1) * per_shape]]


def _resolve_column(column: _Spec | int, ctx: _Context) -> Period | None:
    if isinstance(column, int):
        return ctx.calendar.year(column) if column else None
    return _RESOLVERS[column.kind](column, ctx, False)


def _only_header_words(line: str, covered: list[tuple[int, int]]) -> bool:
    rest = list(line)
    for start, end in covered:
        rest[start:end] = " " * (end - start)
    return all(token.lower() in HEADER_WORDS for token in _HEADER_TOKEN.findall("".join(rest)))


# ------------------------------------------------------------------ publication dates

PUBLICATION_WINDOW = 1500

_DATE_ANYWHERE = re.compile(FULL_DATE, _FLAGS)
_DATE_ANYWHERE_QUICK = quick_pattern(FULL_DATE, _FLAGS)
_DATE_ANYWHERE_LOWER = quick_pattern(FULL_DATE, re.VERBOSE) if _caseless(FULL_DATE) else None
_PERIOD_BEFORE = re.compile(
    r"\b(?:ended|ending|as\s+(?:of|at)|through|until|till|to|since|from|between|before|after|by|effective|due)\s*\Z",
    _FLAGS,
)
_LABEL_BEFORE = re.compile(
    r"""\b(?: published(?:\s+on)? | publication\s+date | release\s+date | date(?:\s+of\s+(?:this\s+)?\w+)?
            | dated | posted(?:\s+on)? | issued(?:\s+on)? | published_time | datePublished )
        ["'*_\s]*[:：]?["'*_\s]*(?:content=["'])?\Z""",
    _FLAGS,
)
_PLACE_BEFORE = re.compile(
    r"""\A[\s*_#>(]*                                            # markdown or a parenthesis
        (?:[A-Z][\w.'’&-]*(?:[ \t]+[A-Za-z][\w.'’&-]*){0,3}[ \t]*(?:,|--|—|–)[ \t]*){0,3}   # BEIJING, / Calif. --
        \Z""",
    re.VERBOSE,
)
_DATELINE_AFTER = re.compile(
    r"\A[*_\s]*(?:/|--|—|–|-|\(|\)|\||\.(?:\s|\Z)|PR\s?Newswire|GLOBE\s?NEWSWIRE|Business\s?Wire|\n|\Z)"
)


def find_publication_date(text: str) -> date | None:
    """The release's own date from a dateline or a "Published:" line near the top.

    Looks at the first ``PUBLICATION_WINDOW`` characters only; a date that is plainly a period
    ("ended December 31, 2020", "as of ...") never counts.

    >>> find_publication_date("BEIJING, March 30, 2021 /PRNewswire/ -- Xiaomi Corporation today ...")
    datetime.date(2021, 3, 30)
    >>> find_publication_date("Results for the year ended December 31, 2020.") is None
    True
    """
    head = text[:PUBLICATION_WINDOW]
    best: tuple[int, date] | None = None
    low = _lower(head)
    if low is not None and _DATE_ANYWHERE_LOWER is not None:
        dates = quick_matches(_DATE_ANYWHERE_LOWER, low, original=head)
    elif _DATE_ANYWHERE_QUICK is not None:
        dates = quick_matches(_DATE_ANYWHERE_QUICK, head)
    else:
        dates = _DATE_ANYWHERE.finditer(head)
    for match in dates:
        score = _publication_score(head, match)
        day = _date_of(match.group())
        if score and day and (best is None or score > best[0]):
            best = (score, day)
    return best[1] if best else None


def _publication_score(head: str, match: re.Match | _Whole) -> int:
    """3 for a labelled date, 2 for a dateline, 1 for a byline after "|", 0 for anything else."""
    line_start = max(head.rfind("\n", 0, match.start()) + 1, match.start() - 120)
    before = head[line_start : match.start()]
    sentences = list(_CLAUSE_BREAK.finditer(before))
    sentence = before[sentences[-1].end() :] if sentences else before
    if _PERIOD_BEFORE.search(before[-30:]):
        return 0
    if _LABEL_BEFORE.search(before[-60:]):
        return 3
    placed = _PLACE_BEFORE.match(before) or _PLACE_BEFORE.match(sentence)  # "Calif. --" holds ". "
    if placed and _DATELINE_AFTER.match(head[match.end() : match.end() + 30]):
        return 2
    return 1 if before.rstrip().endswith(("|", "·")) else 0


def _date_of(text: str) -> date | None:
    parts = parse_date_text(text)
    if parts is None or parts[2] is None:
        return None
    month, day, year = parts
    return date(year, month, day)


__all__ = [
    "PeriodMention",
    "Period",
    "FiscalCalendar",
    "find_periods",
    "parse_period",
    "parse_table_header",
    "find_publication_date",
    "parse_year_expr",
    "parse_date_text",
    "period_ending",
]
