"""Number formatting that reads well: 146.0 M units, RMB 108.0 bn, 12.1 %. Pure functions."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

CURRENCY_PREFIX = {"CNY": "RMB", "USD": "US$", "HKD": "HK$", "KRW": "₩", "EUR": "€", "GBP": "£", "JPY": "¥"}
SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k"))
UNIT_WORDS = {
    "units": "units",
    "devices": "devices",
    "users": "users",
    "vehicles": "vehicles",
    "countries": "countries",
}


def short_number(value: float) -> str:
    """
    >>> short_number(146_000_000)
    '146.0 M'
    >>> short_number(108e9)
    '108.0 bn'
    >>> short_number(950)
    '950'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    for scale, word in SCALES:
        if abs(value) >= scale:
            return f"{value / scale:,.1f} {word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def format_value(value: float, unit: str, currency: str | None = None) -> str:
    """
    >>> format_value(146e6, "units")
    '146.0 M units'
    >>> format_value(108e9, "currency", "CNY")
    'RMB 108.0 bn'
    >>> format_value(12.1, "percent")
    '12.1 %'
    >>> format_value(3, "rank")
    'No. 3'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "percent":
        return f"{value:.1f} %"
    if unit == "rank":
        return f"No. {value:.0f}"
    if unit == "currency":
        return f"{CURRENCY_PREFIX.get(currency or '', currency or '')} {short_number(value)}".strip()
    return f"{short_number(value)} {UNIT_WORDS.get(unit, unit)}".strip()


def period_label(start, end, grain: str) -> str:
    """
    >>> import datetime as dt
    >>> period_label(dt.date(2020, 10, 1), dt.date(2020, 12, 31), "quarter")
    'Q4 2020'
    >>> period_label(dt.date(2020, 1, 1), dt.date(2020, 12, 31), "year")
    'FY2020'
    """
    if grain == "quarter":
        return f"Q{(end.month - 1) // 3 + 1} {end.year}" if start.month in (1, 4, 7, 10) else f"3M to {end:%Y-%m-%d}"
    if grain == "year":
        return f"FY{end.year}" if (start.month, start.day) == (1, 1) else f"FY to {end:%Y-%m-%d}"
    if grain == "month":
        return f"{end:%b %Y}"
    if grain == "half":
        return f"H{1 if end.month <= 6 else 2} {end.year}"
    if grain == "instant":
        return f"{end:%Y-%m-%d}"
    return f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"


def is_missing(value) -> bool:
    """None, NaN, pd.NA and NaT all count as missing.

    >>> is_missing(None), is_missing(float("nan")), is_missing(0.0)
    (True, True, False)
    """
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT; pd.NA raises on bool()
    except TypeError:
        return True


def format_change(pct, unit: str = "") -> str:
    """A relative change with its sign; '–' when unknown.

    >>> format_change(4.34)
    '+4.3 %'
    >>> format_change(-12.0)
    '-12.0 %'
    >>> format_change(None)
    '–'
    """
    if is_missing(pct):
        return "–"
    return f"{pct:+,.1f} %"


def format_points(diff) -> str:
    """A difference between two percentages, in percentage points.

    >>> format_points(1.25)
    '+1.2 pp'
    """
    return "–" if is_missing(diff) else f"{diff:+.1f} pp"


def grain_of(start, end, kind: str = "duration") -> str:
    """The grain of a period from its length: quarter, year, half, month, instant or other.

    >>> import datetime as dt
    >>> grain_of(dt.date(2020, 10, 1), dt.date(2020, 12, 31))
    'quarter'
    >>> grain_of(dt.date(2019, 9, 29), dt.date(2020, 9, 26))
    'year'
    >>> grain_of(dt.date(2020, 12, 31), dt.date(2020, 12, 31), "instant")
    'instant'
    """
    if kind == "instant" or start == end:
        return "instant"
    days = (end - start).days + 1
    for grain, low, high in (("month", 27, 32), ("quarter", 84, 98), ("half", 175, 190), ("year", 357, 373)):
        if low <= days <= high:
            return grain
    return "other"


def as_date(value) -> dt.date | None:
    """A date from a date, datetime, Timestamp or ISO text; None when missing.

    >>> as_date("2020-12-31T00:00:00")
    datetime.date(2020, 12, 31)
    """
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
