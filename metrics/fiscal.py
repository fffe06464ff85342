"""Fiscal calendars: which days a company's "Q1", "H1" or "FY2021" cover.

A period is named by the fiscal year it belongs to, and a fiscal year by the calendar year it
ends in (Apple's FY2021 is 2020-09-27..2021-09-25, Lenovo's FY2025 is 2024-04-01..2025-03-31).

Two kinds of calendar are enough for the companies we follow:

- a fixed year end, ``"MM-DD"`` ("12-31", "03-31", "06-30"): quarters end on the same day of
  every third month (on the last day when the year ends on a month's last day);
- a 52/53-week year, ``"MM-last-sat"``: the year ends on the last Saturday of the month, and
  its quarters are 13 weeks each, the first quarter taking the extra week of a 53-week year.
  Apple's FY2023 (53 weeks) has Q1 2022-09-25..2022-12-31 and Q2 ending 2023-04-01, which
  is *not* the last Saturday of March: "quarters end on the last Saturday of Dec/Mar/Jun/Sep"
  holds in 52-week years only, so the 13-week rule is the one implemented.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_KINDS = ("duration", "instant")

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

MONTH_ABBREVIATIONS = tuple(_calendar.month_abbr)  # ("", "Jan", ..., "Dec"), for labels

WEEKS_PER_QUARTER = 13

_YEAR_END = re.compile(
    r"""^\s*
    (?P<month>\d{1,2}) -                                # month the fiscal year ends in
    (?: (?P<day>\d{1,2})                                # a fixed day, "12-31"
      | last- (?P<weekday>mon|tue|wed|thu|fri|sat|sun)  # or the month's last weekday, "09-last-sat"
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Period:
    """A concrete span of days (both ends included), or one day for an instant."""

    start: date
    end: date
    kind: str  # "duration" | "instant"
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"period kind must be one of {PERIOD_KINDS}, not {self.kind!r}")
        if self.start > self.end or (self.kind == "instant" and self.start != self.end):
            raise ValueError(f"bad {self.kind} period {self.start}..{self.end}")

    @classmethod
    def instant(cls, day: date) -> Period:
        """The stock-taking day: "as of December 31, 2020".

        >>> Period.instant(date(2020, 12, 31))
        Period(start=datetime.date(2020, 12, 31), end=datetime.date(2020, 12, 31), kind='instant', label='2020-12-31')
        """
        return cls(day, day, "instant", day.isoformat())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def days_in_month(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def month_period(year: int, month: int) -> Period:
    """A calendar month as a duration, the grain of monthly active users.

    >>> month_period(2020, 2).end, month_period(2020, 2).label
    (datetime.date(2020, 2, 29), 'Feb 2020')
    """
    end = date(year, month, days_in_month(year, month))
    return Period(date(year, month, 1), end, "duration", f"{MONTH_ABBREVIATIONS[month]} {year}")


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """Month arithmetic on (year, month) pairs.

    >>> add_months(2020, 11, 3), add_months(2021, 1, -1)
    ((2021, 2), (2020, 12))
    """
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def last_weekday_of_month(year: int, month: int, weekday: int) -> date:
    """The last Monday (0) .. Sunday (6) of a month.

    >>> last_weekday_of_month(2023, 9, WEEKDAYS["sat"])
    datetime.date(2023, 9, 30)
    """
    last = date(year, month, days_in_month(year, month))
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def shift_date_years(day: date, years: int) -> date:
    """The same day of another year; February 29 falls back to the 28th."""
    return day.replace(year=day.year + years, day=min(day.day, days_in_month(day.year + years, day.month)))


_SHARED_ENDS: dict[str, dict] = {}  # fiscal year end -> {fiscal year: quarter ends}
_SHARED_SLOTS: dict[str, dict] = {}  # fiscal year end -> {(grain, fiscal year, n): Period}


class FiscalCalendar:
    """A company's fiscal calendar, built from ``fiscal_year_end`` in data/companies.csv.

    >>> apple = FiscalCalendar("09-last-sat")
    >>> apple.quarter(2021, 1).start, apple.quarter(2021, 1).end, apple.quarter(2021, 1).label
    (datetime.date(2020, 9, 27), datetime.date(2020, 12, 26), 'Q1 FY2021')
    >>> FiscalCalendar().quarter(2020, 4).label
    'Q4 2020'
    """

    __slots__ = ("fiscal_year_end", "_month", "_day", "_weekday", "_ends", "_slots")

    def __init__(self, fiscal_year_end: str = "12-31") -> None:
        text = (fiscal_year_end or "12-31").strip()
        found = _YEAR_END.match(text)
        if not found:
            raise ValueError(f"fiscal_year_end must look like '12-31' or '09-last-sat', not {text!r}")
        self.fiscal_year_end = text.lower()
        self._month = int(found["month"])
        self._weekday = WEEKDAYS[found["weekday"].lower()] if found["weekday"] else None
        self._day = int(found["day"]) if found["day"] else 0
        if not 1 <= self._month <= 12 or (self._weekday is None and not 1 <= self._day <= 31):
            raise ValueError(f"no such fiscal year end: {text!r}")
        # Texts name the same periods again and again; calendars of one year end share them.
        self._ends: dict[int, tuple[date, date, date, date]] = _SHARED_ENDS.setdefault(self.fiscal_year_end, {})
        self._slots: dict[tuple[str, int, int], Period] = _SHARED_SLOTS.setdefault(self.fiscal_year_end, {})

    def __repr__(self) -> str:
        return f"FiscalCalendar({self.fiscal_year_end!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FiscalCalendar) and other.fiscal_year_end == self.fiscal_year_end

    def __hash__(self) -> int:
        return hash(self.fiscal_year_end)

    @property
    def is_calendar(self) -> bool:
        """True when fiscal years are calendar years (and labels need no "FY")."""
        return self._weekday is None and (self._month, self._day) == (12, 31)

    # ------------------------------------------------------------------ periods of a fiscal year

    def year_end(self, fy: int) -> date:
        if self._weekday is not None:
            return last_weekday_of_month(fy, self._month, self._weekday)
        return date(fy, self._month, min(self._day, days_in_month(fy, self._month)))

    def quarter_ends(self, fy: int) -> tuple[date, date, date, date]:
        """The last days of Q1..Q4 of fiscal year fy (cached: every lookup goes through here)."""
        ends = self._ends.get(fy)
        if ends is None:
            ends = self._week_quarter_ends(fy) if self._weekday is not None else self._month_quarter_ends(fy)
            self._ends[fy] = ends
        return ends

    def _week_quarter_ends(self, fy: int) -> tuple[date, date, date, date]:
        start = self.year_end(fy - 1) + timedelta(days=1)
        extra = (self.year_end(fy) - start).days + 1 - 52 * 7  # 7 in a 53-week year, else 0
        first = start + timedelta(days=WEEKS_PER_QUARTER * 7 + extra - 1)
        return tuple(first + timedelta(weeks=WEEKS_PER_QUARTER * n) for n in range(4))  # type: ignore[return-value]

    def _month_quarter_ends(self, fy: int) -> tuple[date, date, date, date]:
        month_end = self._day >= days_in_month(2001, self._month)  # a month's last day (never Feb 29)
        ends = []
        for quarter in (1, 2, 3):
            year, month = add_months(fy, self._month, 3 * quarter - 12)
            last = days_in_month(year, month)
            ends.append(date(year, month, last if month_end else min(self._day, last)))
        return (*ends, self.year_end(fy))  # type: ignore[return-value]

    def year(self, fy: int) -> Period:
        start = self.year_end(fy - 1) + timedelta(days=1)
        return Period(start, self.year_end(fy), "duration", f"FY{fy}")

    def quarter(self, fy: int, q: int) -> Period:
        _check_index(q, 4, "quarter")
        ends = self.quarter_ends(fy)
        start = self.year(fy).start if q == 1 else ends[q - 2] + timedelta(days=1)
        return Period(start, ends[q - 1], "duration", self._label(f"Q{q}", fy))

    def half(self, fy: int, h: int) -> Period:
        _check_index(h, 2, "half")
        ends = self.quarter_ends(fy)
        start = self.year(fy).start if h == 1 else ends[1] + timedelta(days=1)
        return Period(start, ends[2 * h - 1], "duration", self._label(f"H{h}", fy))

    def nine_months(self, fy: int) -> Period:
        return Period(self.year(fy).start, self.quarter_ends(fy)[2], "duration", self._label("9M", fy))

    def month(self, year: int, month: int) -> Period:
        """A calendar month (monthly figures follow the calendar whatever the fiscal year)."""
        return month_period(year, month)

    def year_to_date(self, day: date) -> Period:
        """From the start of the fiscal year holding ``day`` to that day ("so far this year")."""
        start = self.year(self.fiscal_year_of(day)).start
        return Period(start, day, "duration", f"YTD to {day.isoformat()}")

    def slot(self, grain: str, fy: int, n: int = 0) -> Period:
        """One period by grain name: slot("quarter", 2021, 2) is quarter(2021, 2)."""
        key = (grain, fy, n)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = self._build_slot(grain, fy, n)
        return found

    def _build_slot(self, grain: str, fy: int, n: int) -> Period:
        if grain == "quarter":
            return self.quarter(fy, n)
        if grain == "half":
            return self.half(fy, n)
        if grain == "nine_months":
            return self.nine_months(fy)
        if grain == "year":
            return self.year(fy)
        raise ValueError(f"no fiscal slot of grain {grain!r}")

    def _label(self, prefix: str, fy: int) -> str:
        return f"{prefix} {fy}" if self.is_calendar else f"{prefix} FY{fy}"

    # ------------------------------------------------------------------ finding periods

    def fiscal_year_of(self, day: date) -> int:
        return day.year if day <= self.year_end(day.year) else day.year + 1

    def quarter_of(self, day: date) -> Period:
        """The fiscal quarter holding ``day``."""
        fy = self.fiscal_year_of(day)
        q = next(n for n, end in enumerate(self.quarter_ends(fy), 1) if day <= end)
        return self.quarter(fy, q)

    def latest_closed_quarter(self, published: date) -> Period:
        """The latest fiscal quarter that ended before ``published`` (a day's lag at least).

        The quarter holding the publication day is never closed, so it is the one before it.
        """
        return self.quarter_of(self.quarter_of(published).start - timedelta(days=1))

    def latest_closed(self, published: date) -> Period:
        """The period a release published on ``published`` most likely reports on.

        The latest fiscal quarter closed before publication; when that is Q4, the fiscal year,
        because annual results carry the fourth quarter.

        >>> FiscalCalendar().latest_closed(date(2021, 3, 30)).label
        'FY2020'
        >>> FiscalCalendar().latest_closed(date(2021, 5, 27)).label
        'Q1 2021'
        """
        quarter = self.latest_closed_quarter(published)
        fy = self.fiscal_year_of(quarter.end)
        return self.year(fy) if quarter.end == self.year_end(fy) else quarter

    def latest_slot_before(self, grain: str, n: int, limit: date) -> Period:
        """The latest period of a grain and index ("Q4", "H1", the year) ending on or before ``limit``."""
        fy = self.fiscal_year_of(limit)
        candidate = self.slot(grain, fy, n)
        return candidate if candidate.end <= limit else self.slot(grain, fy - 1, n)

    def locate(self, period: Period) -> tuple[str, int, int] | None:
        """(grain, fiscal year, index) of a period this calendar names, else None.

        >>> FiscalCalendar("03-31").locate(Period(date(2020, 10, 1), date(2020, 12, 31), "duration"))
        ('quarter', 2021, 3)
        """
        if period.kind != "duration":
            return None
        fy = self.fiscal_year_of(period.end)
        ends = self.quarter_ends(fy)
        if period.end not in ends:
            return None
        n = ends.index(period.end) + 1
        candidates = [("quarter", n), ("year", 0), ("half", n // 2), ("nine_months", 0)]
        for grain, index in candidates:
            if grain == "year" and n != 4 or grain == "half" and n % 2 or grain == "nine_months" and n != 3:
                continue
            if self.slot(grain, fy, index).start == period.start:
                return grain, fy, index
        return None

    def period_ending(self, end: date, months: int) -> Period | None:
        """The fiscal period of ``months`` months that ends on ``end``, if the calendar has one."""
        grain = {3: "quarter", 6: "half", 9: "nine_months", 12: "year"}.get(months)
        fy = self.fiscal_year_of(end)
        ends = self.quarter_ends(fy)
        if grain is None or end not in ends:
            return None
        n = ends.index(end) + 1
        index = {"quarter": n, "half": n // 2, "nine_months": 0, "year": 0}[grain]
        fits = {"quarter": True, "half": n % 2 == 0, "nine_months": n == 3, "year": n == 4}[grain]
        return self.slot(grain, fy, index) if fits else None

    # ------------------------------------------------------------------ moving periods

    def shift_years(self, period: Period, years: int) -> Period:
        """The same period ``years`` fiscal years later (negative: earlier), as "a year earlier" needs.

        Fiscal slots move as slots (Apple's Q1 FY2021 -> Q1 FY2020, whatever the day counts);
        months as months; anything else by the calendar date.

        >>> FiscalCalendar("09-last-sat").shift_years(FiscalCalendar("09-last-sat").quarter(2021, 1), -1).label
        'Q1 FY2020'
        """
        found = self.locate(period)
        if found:
            grain, fy, n = found
            return self.slot(grain, fy + years, n)
        if period.kind == "instant":
            return Period.instant(self._shift_instant(period.end, years))
        if period == month_period(period.start.year, period.start.month):
            return month_period(period.start.year + years, period.start.month)
        start, end = shift_date_years(period.start, years), shift_date_years(period.end, years)
        return Period(start, end, period.kind, f"{start.isoformat()}..{end.isoformat()}")

    def _shift_instant(self, day: date, years: int) -> date:
        fy = self.fiscal_year_of(day)
        ends = self.quarter_ends(fy)
        if day in ends:  # a quarter-end balance: the same quarter end of the other year
            return self.quarter_ends(fy + years)[ends.index(day)]
        return shift_date_years(day, years)

    def previous_quarter(self, period: Period) -> Period:
        """The fiscal quarter before the one holding the period's start."""
        return self.quarter_of(self.quarter_of(period.start).start - timedelta(days=1))

    def calendar_quarter_of(self, period: Period) -> Period:
        """The calendar quarter holding most of a period, to align fiscal quarters across peers.

        >>> FiscalCalendar("09-last-sat").calendar_quarter_of(FiscalCalendar("09-last-sat").quarter(2021, 1)).label
        'Q4 2020'
        """
        middle = period.start + (period.end - period.start) / 2
        return GREGORIAN.quarter_of(middle)


def _check_index(value: int, highest: int, name: str) -> None:
    if not 1 <= value <= highest:
        raise ValueError(f"{name} must be 1..{highest}, not {value}")


GREGORIAN = FiscalCalendar("12-31")
"""The calendar of calendar-year companies, and of any phrase marked "calendar" or "CY"."""
