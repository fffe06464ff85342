"""The period grammar's test table: one row per phrase, in named lists.

Where the rows come from: the phrases of issue #3 (design §5), sentences and datelines of our
sample releases in data/releases (001-019, Xiaomi 2019-2023: "the July-September period",
"the whole year of 2019", "Date of this announcement: March 24, 2021."), Apple's and Lenovo's
fiscal calendars (companies.csv notes; Apple's 53-week FY2023 ends 2023-09-30 and its Q2 ends
2023-04-01), and numbers that look like periods but are not (product names, phone numbers).

A row: the sentence, the publication date (or None), the fiscal year end, the span text of the
phrase under test, and what it must resolve to. ``end=None`` means an instant on ``start``;
``start=None`` means the phrase is found but cannot be resolved. Known failures carry
``xfail="why"`` and run under ``xfail(strict=True)``, so a fix has to move its row.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

APPLE = "09-last-sat"
LENOVO = "03-31"


class Case(NamedTuple):
    sentence: str
    span: str
    start: date | None
    end: date | None
    kind: str | None
    published: date | None
    fye: str
    comparative: bool
    grain: str | None
    xfail: str


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def row(
    sentence: str,
    span: str,
    start: str | None,
    end: str | None = None,
    *,
    pub: str | None = None,
    fye: str = "12-31",
    comparative: bool = False,
    grain: str | None = None,
    xfail: str = "",
) -> Case:
    """One phrase; ``end=None`` with a start is an instant on that day."""
    kind = None if start is None else "duration" if end else "instant"
    first = _day(start)
    return Case(sentence, span, first, _day(end) or first, kind, _day(pub), fye, comparative, grain, xfail)


# ---------------------------------------------------------------- calendar-year companies

PERIODS = [
    row("Revenue for Q4 2020 was RMB70.5 billion.", "Q4 2020", "2020-10-01", "2020-12-31", grain="quarter"),
    row("Xiaomi reported 4Q20 results after the close.", "4Q20", "2020-10-01", "2020-12-31"),
    row("Shipments in 4Q2020 reached 43.3 million units.", "4Q2020", "2020-10-01", "2020-12-31"),
    row("Q4'20 revenue beat consensus.", "Q4'20", "2020-10-01", "2020-12-31"),
    row("Guidance for Q4 FY20 was unchanged.", "Q4 FY20", "2020-10-01", "2020-12-31"),
    row("Revenue in the fourth quarter of 2020 rose 24.8%.", "the fourth quarter of 2020", "2020-10-01", "2020-12-31"),
    row(
        "Revenue in the fourth quarter was RMB70.5 billion.",
        "the fourth quarter",
        "2020-10-01",
        "2020-12-31",
        pub="2021-03-24",
    ),
    row("Fourth quarter 2020 shipments were 43.3 million.", "Fourth quarter 2020", "2020-10-01", "2020-12-31"),
    row(
        "Xiaomi published its results for the three months ended December 31, 2020.",
        "the three months ended December 31, 2020",
        "2020-10-01",
        "2020-12-31",
        grain="quarter",
    ),
    row(
        "Profit for the three-month period ended 31 December 2020 rose.",
        "the three-month period ended 31 December 2020",
        "2020-10-01",
        "2020-12-31",
    ),
    row(
        "Revenue in the first half of 2021 was RMB164.67 billion.", "the first half of 2021", "2021-01-01", "2021-06-30"
    ),
    row("H1 2021 adjusted net profit was RMB12.39 billion.", "H1 2021", "2021-01-01", "2021-06-30", grain="half"),
    row("1H21 revenue grew 55%.", "1H21", "2021-01-01", "2021-06-30"),
    row(
        "For the six months ended June 30, 2021, revenue totaled RMB164.67 billion.",
        "the six months ended June 30, 2021",
        "2021-01-01",
        "2021-06-30",
        grain="half",
    ),
    row(
        "Revenue for the interim period rose 3.1%.", "the interim period", "2020-01-01", "2020-06-30", pub="2020-08-19"
    ),
    row("Xiaomi announces its 2021 interim results.", "2021 interim results", "2021-01-01", "2021-06-30"),
    row(
        "Revenue for the nine months ended September 30, 2021 was RMB242.7 billion.",
        "the nine months ended September 30, 2021",
        "2021-01-01",
        "2021-09-30",
        grain="nine_months",
    ),
    row(
        "Revenue for the nine months ended September 30 was RMB242.7 billion.",
        "the nine months ended September 30",
        "2021-01-01",
        "2021-09-30",
        pub="2021-11-23",
    ),
    row("Global smartphone shipments amounted to 150.5 million units in 2022.", "2022", "2022-01-01", "2022-12-31"),
    row("R&D headcount grew steadily during 2020.", "2020", "2020-01-01", "2020-12-31", grain="year"),
    row(
        "The board approved the audited results for the year ended December 31, 2020.",
        "the year ended December 31, 2020",
        "2020-01-01",
        "2020-12-31",
        grain="year",
    ),
    row(
        "Smartphone shipments for the full year reached 146.4 million units.",
        "the full year",
        "2020-01-01",
        "2020-12-31",
        pub="2021-03-24",
        grain="year",
    ),
    row("Full-year 2020 revenue was RMB245.9 billion.", "Full-year 2020", "2020-01-01", "2020-12-31"),
    row("Total revenues were RMB328.31 billion in FY2021.", "FY2021", "2021-01-01", "2021-12-31"),
    row("FY21 adjusted net profit rose 69.5%.", "FY21", "2021-01-01", "2021-12-31"),
    row("In fiscal 2020 the Group invested RMB9.3 billion in R&D.", "fiscal 2020", "2020-01-01", "2020-12-31"),
    row("R&D expenses for fiscal year 2020 were RMB9.3 billion.", "fiscal year 2020", "2020-01-01", "2020-12-31"),
    row("MIUI had 309.6 million monthly active users in December 2019.", "December 2019", "2019-12-01", "2019-12-31"),
    row("Monthly active users reached 623 million in November 2023.", "November 2023", "2023-11-01", "2023-11-30"),
    row("In Dec. 2019 MAU hit 310 million.", "Dec. 2019", "2019-12-01", "2019-12-31", grain="month"),
    row("MIUI global MAU (Sep 2022) was 564m.", "Sep 2022", "2022-09-01", "2022-09-30"),
    row(
        "The Redmi brand became an independent sub-brand in January.",
        "January",
        "2019-01-01",
        "2019-01-31",
        pub="2019-05-15",
    ),
    row("Revenue rose 24.8%, compared with Q4 2019.", "Q4 2019", "2019-10-01", "2019-12-31", comparative=True),
    row(
        "Total revenue was RMB43.76 billion, against RMB34.41 billion in the first quarter of 2018.",
        "the first quarter of 2018",
        "2018-01-01",
        "2018-03-31",
        comparative=True,
    ),
    row(
        "Total revenue was RMB280.04 billion, compared with RMB328.31 billion in 2021.",
        "2021",
        "2021-01-01",
        "2021-12-31",
        comparative=True,
    ),
    row("Xiaomi shipped 52.9 million smartphones in Q2 2021.", "Q2 2021", "2021-04-01", "2021-06-30"),
    row("Xiaomi reports first-quarter 2020 results.", "first-quarter 2020", "2020-01-01", "2020-03-31"),
    row("Second-quarter revenue fell 20.1%.", "Second-quarter", "2022-04-01", "2022-06-30", pub="2022-08-19"),
    row(
        "In the first nine months of 2021, shipments totaled 146 million units.",
        "the first nine months of 2021",
        "2021-01-01",
        "2021-09-30",
    ),
    row("9M21 revenue rose 40%.", "9M21", "2021-01-01", "2021-09-30", grain="nine_months"),
    row(
        "Sales in the first three months of 2021 jumped 54.7%.",
        "the first three months of 2021",
        "2021-01-01",
        "2021-03-31",
        grain="quarter",
    ),
    row("Revenue in the first six months rose.", "the first six months", "2021-01-01", "2021-06-30", pub="2021-08-17"),
    row(
        "For the first three quarters of the year combined, adjusted net profit totalled RMB9.2 billion.",
        "the first three quarters of the year",
        "2019-01-01",
        "2019-09-30",
        pub="2019-11-27",
    ),
    row(
        "Revenue climbed 5.5 per cent to RMB53.66 billion in the July-September period.",
        "the July-September period",
        "2019-07-01",
        "2019-09-30",
        pub="2019-11-27",
        grain="quarter",
    ),
    row(
        "Revenue for the April-June period came to RMB67.36 billion.",
        "the April-June period",
        "2023-04-01",
        "2023-06-30",
        pub="2023-08-29",
    ),
    row(
        "In the whole year of 2019, the Group realized total revenue of 205.84 billion yuan.",
        "the whole year of 2019",
        "2019-01-01",
        "2019-12-31",
    ),
    row("We see little room for a recovery before 2Q23.", "2Q23", "2023-04-01", "2023-06-30"),
    row(
        "BYD stopped making petrol-only cars in March 2022. It sold 526,409 EVs in the October-December period.",
        "the October-December period",
        "2023-10-01",
        "2023-12-31",
        pub="2024-01-02",
    ),
    row("We expect the first car to launch in 1H24.", "1H24", "2024-01-01", "2024-06-30"),
    row("We trim FY22E adjusted net profit by 3%.", "FY22E", "2022-01-01", "2022-12-31"),
    row(
        "Results for the three and six months ended June 30, 2021 were released.",
        "six months ended June 30, 2021",
        "2021-01-01",
        "2021-06-30",
    ),
    row(
        "The Board announces results for the three months and nine months ended September 30, 2021.",
        "the three months",
        "2021-07-01",
        "2021-09-30",
    ),
    row("Q4 2021 at a glance", "Q4 2021", "2021-10-01", "2021-12-31"),
    row("Revenue for Q3 and Q4 2020 rose.", "Q3", "2020-07-01", "2020-09-30"),
    row(
        "Xiaomi announces the fourth quarter and full year 2020 results.",
        "the fourth quarter",
        "2020-10-01",
        "2020-12-31",
    ),
    row("In the last quarter of 2020, shipments fell.", "the last quarter of 2020", "2020-10-01", "2020-12-31"),
    row("In the year 2019 the Group hired 3,000 engineers.", "the year 2019", "2019-01-01", "2019-12-31"),
    row(
        "Revenue for the twelve months ended September 30, 2021 was RMB317 billion.",
        "the twelve months ended September 30, 2021",
        "2020-10-01",
        "2021-09-30",
    ),
    row(
        "For the quarter ended March 31, 2023, revenue fell 18.9%.",
        "the quarter ended March 31, 2023",
        "2023-01-01",
        "2023-03-31",
    ),
    row("The second half of 2020 was stronger.", "The second half of 2020", "2020-07-01", "2020-12-31"),
    row("Shipments in the first half rose 14%.", "the first half", "2023-01-01", "2023-06-30", pub="2023-08-29"),
    row(
        "Xiaomi posted growth in the third quarter.", "the third quarter", "2023-07-01", "2023-09-30", pub="2023-11-21"
    ),
    row(
        "Xiaomi Posts 27.2% Revenue Growth in First Quarter of 2019",
        "First Quarter of 2019",
        "2019-01-01",
        "2019-03-31",
    ),
    row(
        "The company planned to launch more than ten 5G phones in 2020.",
        "2020",
        "2020-01-01",
        "2020-12-31",
        pub="2019-11-27",
    ),
    row(
        "Adjusted net profit more than doubled in the second quarter.",
        "the second quarter",
        "2023-04-01",
        "2023-06-30",
        pub="2023-08-29",
    ),
    row("Overseas services grew faster than the segment as a whole in 2019.", "2019", "2019-01-01", "2019-12-31"),
    row("Margins were higher than in 2018.", "2018", "2018-01-01", "2018-12-31", comparative=True),
    row("| Total revenue | Q1 2020 | Q1 2019 |", "Q1 2019", "2019-01-01", "2019-03-31", comparative=True),
    row(
        "Facing the epidemic in the first quarter, its supply chain has recovered.",
        "the first quarter",
        "2020-01-01",
        "2020-03-31",
        pub="2020-03-31",
        xfail="a quarter still open at publication is read as the latest closed one",
    ),
    row(
        "Revenue for Q1-Q3 2021 was RMB242.7 billion.",
        "Q1-Q3 2021",
        "2021-01-01",
        "2021-09-30",
        xfail="a quarter range is read as two quarters",
    ),
    row(
        "Shipments in the fourth quarters of 2020 and 2019 were flat.",
        "the fourth quarters of 2020",
        "2020-10-01",
        "2020-12-31",
        xfail="plural period nouns are not in the grammar",
    ),
    row(
        "2020年第四季度收入为705亿元。",
        "2020年第四季度",
        "2020-10-01",
        "2020-12-31",
        xfail="no Chinese period words yet",
    ),
    row(
        "Car sales in January-February 2021 doubled.",
        "January-February 2021",
        "2021-01-01",
        "2021-02-28",
        xfail="two-month ranges have no grain",
    ),
]

# ---------------------------------------------------------------- fiscal calendars: Apple (52/53 weeks), Lenovo (March)

FISCAL_PERIODS = [
    row("Apple reported record revenue for Q1 FY2020.", "Q1 FY2020", "2019-09-29", "2019-12-28", fye=APPLE),
    row(
        "Apple today announced financial results for its first quarter of fiscal 2021.",
        "first quarter of fiscal 2021",
        "2020-09-27",
        "2020-12-26",
        fye=APPLE,
    ),
    row(
        "Apple announced results for its fiscal 2021 first quarter ended December 26, 2020.",
        "fiscal 2021 first quarter",
        "2020-09-27",
        "2020-12-26",
        fye=APPLE,
    ),
    row(
        "Apple posted revenue of $64.7 billion for its fiscal 2020 fourth quarter.",
        "fiscal 2020 fourth quarter",
        "2020-06-28",
        "2020-09-26",
        fye=APPLE,
    ),
    row(
        "Net sales for the three months ended December 26, 2020 were $111.4 billion.",
        "the three months ended December 26, 2020",
        "2020-09-27",
        "2020-12-26",
        fye=APPLE,
    ),
    row(
        "Net sales for the three months ended December 31, 2022 were $117.2 billion.",
        "the three months ended December 31, 2022",
        "2022-09-25",
        "2022-12-31",
        fye=APPLE,
    ),
    row(
        "Net sales for the fiscal year ended September 26, 2020 were $274.5 billion.",
        "the fiscal year ended September 26, 2020",
        "2019-09-29",
        "2020-09-26",
        fye=APPLE,
    ),
    row("Apple's FY2021 revenue was $365.8 billion.", "FY2021", "2020-09-27", "2021-09-25", fye=APPLE),
    row(
        "The quarter covered the thirteen weeks ended December 28, 2024.",
        "the thirteen weeks ended December 28, 2024",
        "2024-09-29",
        "2024-12-28",
        fye=APPLE,
        grain="quarter",
    ),
    row(
        "Net sales for the 53 weeks ended September 30, 2023 were $383.3 billion.",
        "the 53 weeks ended September 30, 2023",
        "2022-09-25",
        "2023-09-30",
        fye=APPLE,
    ),
    row("Apple's fiscal 2023 had 53 weeks.", "fiscal 2023", "2022-09-25", "2023-09-30", fye=APPLE),
    row("Apple's Q2 FY2023 ended on April 1.", "Q2 FY2023", "2023-01-01", "2023-04-01", fye=APPLE),
    row("Apple sold more Macs in 2020 than ever.", "2020", "2019-09-29", "2020-09-26", fye=APPLE),
    row("Apple's Q4 2020 services revenue set a record.", "Q4 2020", "2020-06-28", "2020-09-26", fye=APPLE),
    row(
        "IDC counted 90 million iPhones in the calendar year 2020.",
        "the calendar year 2020",
        "2020-01-01",
        "2020-12-31",
        fye=APPLE,
    ),
    row("Canalys put Apple first in Q4 CY2020.", "Q4 CY2020", "2020-10-01", "2020-12-31", fye=APPLE),
    row("iPhone revenue hit a record in CY2021.", "CY2021", "2021-01-01", "2021-12-31", fye=APPLE),
    row(
        "Apple set an all-time record for the December quarter.",
        "the December quarter",
        "2020-09-27",
        "2020-12-26",
        pub="2021-01-27",
        fye=APPLE,
    ),
    row(
        "Apple's March quarter of 2023 ran to April 1.", "March quarter of 2023", "2023-01-01", "2023-04-01", fye=APPLE
    ),
    row(
        "Mac sales were strong in the fourth quarter.",
        "the fourth quarter",
        "2020-06-28",
        "2020-09-26",
        pub="2020-10-29",
        fye=APPLE,
    ),
    row(
        "Apple set revenue records for the full year.",
        "the full year",
        "2019-09-29",
        "2020-09-26",
        pub="2020-10-29",
        fye=APPLE,
    ),
    row(
        "Revenue rose 21 percent from the same quarter a year ago.",
        "the same quarter a year ago",
        "2019-09-29",
        "2019-12-28",
        pub="2021-01-27",
        fye=APPLE,
        comparative=True,
    ),
    row(
        "Wearables revenue year-to-date exceeded $20 billion.",
        "year-to-date",
        "2020-09-27",
        "2021-03-15",
        pub="2021-03-15",
        fye=APPLE,
        grain="ytd",
    ),
    row("Lenovo's revenue for FY2024/25 reached US$69.1 billion.", "FY2024/25", "2024-04-01", "2025-03-31", fye=LENOVO),
    row("Lenovo's Q3 FY2024/25 revenue grew 20%.", "Q3 FY2024/25", "2024-10-01", "2024-12-31", fye=LENOVO),
    row("Lenovo's Q3 FY25 profit rose 106%.", "Q3 FY25", "2024-10-01", "2024-12-31", fye=LENOVO),
    row(
        "Lenovo's revenue for the fiscal year ended March 31, 2021 was US$60.7 billion.",
        "the fiscal year ended March 31, 2021",
        "2020-04-01",
        "2021-03-31",
        fye=LENOVO,
    ),
    row(
        "Lenovo grew in the first half of fiscal 2021.",
        "the first half of fiscal 2021",
        "2020-04-01",
        "2020-09-30",
        fye=LENOVO,
    ),
    row(
        "Lenovo's PC shipments rose in the third quarter.",
        "the third quarter",
        "2020-10-01",
        "2020-12-31",
        pub="2021-02-03",
        fye=LENOVO,
    ),
    row(
        "Lenovo's revenue for the nine months ended December 31, 2020 rose 13%.",
        "the nine months ended December 31, 2020",
        "2020-04-01",
        "2020-12-31",
        fye=LENOVO,
    ),
    row("Lenovo's FY2021 revenue set a record.", "FY2021", "2020-04-01", "2021-03-31", fye=LENOVO),
]

# ---------------------------------------------------------------- relative phrases (publication date or anchor)

RELATIVE = [
    row(
        "Revenue rose 24.8% from the same period last year.",
        "the same period last year",
        "2019-01-01",
        "2019-12-31",
        pub="2021-03-24",
        comparative=True,
        grain="relative",
    ),
    row(
        "In Q4 2020 revenue was RMB70.5 billion, up from RMB56.5 billion in the same period last year.",
        "the same period last year",
        "2019-10-01",
        "2019-12-31",
        comparative=True,
    ),
    row("Margins were higher than in the same period last year.", "the same period last year", None, comparative=True),
    row(
        "Revenue climbed 5.5 per cent from a year earlier.",
        "a year earlier",
        "2018-07-01",
        "2018-09-30",
        pub="2019-11-27",
        comparative=True,
    ),
    row("Users grew 71.8% from a year earlier.", "a year earlier", None, comparative=True),
    row(
        "As of March 31, 2019, devices reached 171 million, up 70% from a year earlier.",
        "a year earlier",
        "2018-03-31",
        comparative=True,
    ),
    row("Xiaomi shipped 146 million smartphones last year.", "last year", "2020-01-01", "2020-12-31", pub="2021-03-30"),
    row("The Group hired 5,000 engineers last year.", "last year", None),
    row(
        "Shipments rose from the previous quarter.",
        "the previous quarter",
        "2021-04-01",
        "2021-06-30",
        pub="2021-11-23",
        comparative=True,
    ),
    row("Gross margin narrowed from the previous quarter.", "the previous quarter", None, comparative=True),
    row(
        "Shipments grew 5% quarter-on-quarter.",
        "quarter-on-quarter",
        "2020-07-01",
        "2020-09-30",
        pub="2021-03-24",
        comparative=True,
    ),
    row(
        "MAU rose to 310 million in December 2019, up from 292 million in September.",
        "September",
        "2019-09-01",
        "2019-09-30",
        comparative=True,
    ),
    row(
        "XiaoAi reached 86.7 million users, up from 292 million in September.",
        "September",
        "2020-09-01",
        "2020-09-30",
        pub="2021-01-10",
        comparative=True,
    ),
    row(
        "Deliveries year-to-date reached 41,000.",
        "year-to-date",
        "2021-01-01",
        "2021-03-30",
        pub="2021-03-30",
        grain="ytd",
    ),
    row(
        "So far this year we have opened 3,000 stores.",
        "So far this year",
        "2021-01-01",
        "2021-05-10",
        pub="2021-05-10",
        grain="ytd",
    ),
    row(
        "Deliveries during the month rose 10%.",
        "during the month",
        "2020-12-01",
        "2020-12-31",
        pub="2021-01-15",
        grain="month",
    ),
    row(
        "The smartphone business shipped 27.9 million units during the quarter.",
        "during the quarter",
        "2019-01-01",
        "2019-03-31",
        pub="2019-05-15",
        grain="quarter",
    ),
    row(
        "Adjusted net profit for the six months totalled RMB5.67 billion.",
        "for the six months",
        "2020-01-01",
        "2020-06-30",
        pub="2020-08-19",
        grain="half",
    ),
    row(
        "The company sold 32.1 million handsets in the quarter, down slightly from the prior year.",
        "the prior year",
        "2018-07-01",
        "2018-09-30",
        pub="2019-11-27",
        comparative=True,
    ),
    row("We expect to ship 190 million phones this year.", "this year", "2021-01-01", "2021-12-31", pub="2021-03-30"),
    row("Deliveries last month were 7,218.", "last month", "2020-12-01", "2020-12-31", pub="2021-01-15"),
    row(
        "Deliveries rose 10% from the previous month.",
        "the previous month",
        "2020-12-01",
        "2020-12-31",
        pub="2021-02-01",
        comparative=True,
    ),
    row(
        "For the second quarter, revenue rose 3.1% to RMB53.54 billion, compared with RMB51.95 billion "
        "in the same quarter of 2019.",
        "the same quarter of 2019",
        "2019-04-01",
        "2019-06-30",
        pub="2020-08-19",
        comparative=True,
    ),
    row(
        "Revenue over the trailing twelve months was RMB317 billion.",
        "the trailing twelve months",
        "2020-10-01",
        "2021-09-30",
        pub="2021-11-23",
    ),
    row(
        "Revenue in Q2 2021 rose 64.0% year-on-year.",
        "year-on-year",
        "2020-04-01",
        "2020-06-30",
        comparative=True,
    ),
    row(
        "MIUI MAU in December 2022 rose 14.3% from the same month last year.",
        "the same month last year",
        "2021-12-01",
        "2021-12-31",
        comparative=True,
    ),
    row(
        "Shipments grew sequentially.",
        "sequentially",
        "2022-04-01",
        "2022-06-30",
        pub="2022-11-24",
        comparative=True,
    ),
    row(
        "In the reporting period, the smartphone shipment of Xiaomi is 38.5 million units.",
        "In the reporting period",
        "2022-01-01",
        "2022-03-31",
        pub="2022-05-26",
    ),
    row(
        "Revenue was 73.35 billion yuan, compare with 76.88 billion yuan in same period last year.",
        "same period last year",
        "2021-01-01",
        "2021-03-31",
        pub="2022-05-26",
        comparative=True,
    ),
]

# ---------------------------------------------------------------- instants (stocks: devices, cash, headcount)

INSTANTS = [
    row("As of December 31, 2019, cash was RMB34 billion.", "As of December 31, 2019", "2019-12-31", grain="instant"),
    row("As at 31 December 2019, the Group had 18,170 employees.", "As at 31 December 2019", "2019-12-31"),
    row(
        "By the end of 2020, cash on hand stood at RMB108 billion.",
        "By the end of 2020",
        "2020-12-31",
        grain="instant",
    ),
    row(
        "Cash was RMB108 billion at the end of the period.", "at the end of the period", "2020-12-31", pub="2021-03-24"
    ),
    row(
        "Connected devices reached 289 million at the end of the quarter.",
        "at the end of the quarter",
        "2020-09-30",
        pub="2020-11-25",
    ),
    row("At the end of year, the Group had 10,801 R&D staff.", "At the end of year", "2019-12-31", pub="2020-03-31"),
    row(
        "Connected IoT devices stood at 289m as of 30 September.", "as of 30 September", "2020-09-30", pub="2020-11-25"
    ),
    row("Cash resources were RMB102.5 billion as of June 30, 2022.", "as of June 30, 2022", "2022-06-30"),
    row("Headcount at year-end 2022 was 32,543.", "at year-end 2022", "2022-12-31"),
    row(
        "Devices numbered 324.8 million as of the end of the fourth quarter.",
        "as of the end of the fourth quarter",
        "2020-12-31",
        pub="2021-03-24",
    ),
    row("As of December 2020, MIUI had 368 million users.", "As of December 2020", "2020-12-31"),
    row(
        "Apple had $191.8 billion in cash by the end of fiscal 2020.",
        "by the end of fiscal 2020",
        "2020-09-26",
        fye=APPLE,
    ),
    row("Apple planned 100 stores by the end of 2020.", "by the end of 2020", "2020-12-31", fye=APPLE),
    row("Pre-orders opened on 11 August.", "11 August", "2020-08-11", pub="2020-08-19"),
    row(
        "The lockdown began in April. Pre-orders for the Mi 10 Ultra opened on 12 August.",
        "12 August",
        "2020-08-12",
        pub="2020-08-19",
    ),
    row("Xiaomi reported 3Q22 numbers on 23 November.", "23 November", "2022-11-23", pub="2022-11-24"),
    row("On March 30, 2021, Xiaomi announced its EV plans.", "March 30, 2021", "2021-03-30"),
    row("R&D staff will reach 17,800 until the end of 2023.", "until the end of 2023", "2023-12-31"),
    row("Cash was RMB108 billion at end-2020.", "at end-2020", "2020-12-31"),
    row("Total cash as of 2020-12-31 was RMB108 billion.", "as of 2020-12-31", "2020-12-31"),
    row(
        "We will open 1,000 stores by the end of this year.", "by the end of this year", "2021-12-31", pub="2021-03-30"
    ),
    row(
        "Deliveries backlog at the end of the month was 5,000.",
        "at the end of the month",
        "2021-01-31",
        pub="2021-02-05",
    ),
    row(
        "Lenovo's cash at the end of the period was US$3.1 billion.",
        "at the end of the period",
        "2021-03-31",
        pub="2021-05-20",
        fye=LENOVO,
    ),
    row(
        "Apple's cash at the end of the period was $195.6 billion.",
        "at the end of the period",
        "2020-12-26",
        pub="2021-01-27",
        fye=APPLE,
    ),
    row(
        "The Group had no debt as of the reporting date.",
        "as of the reporting date",
        None,
        xfail="'the reporting date' is not in the vocabulary",
    ),
]

# ---------------------------------------------------------------- results-table headers: (line, published, fye, [(start, end)] or None)


class HeaderCase(NamedTuple):
    line: str
    published: date | None
    fye: str
    periods: list[tuple[date, date]] | None
    xfail: str = ""


def header(line: str, *spans: str, pub: str | None = None, fye: str = "12-31", xfail: str = "") -> HeaderCase:
    """A header line and its columns, each "start..end" (or one date for an instant); none: not a header."""
    periods = []
    for text in spans:
        start, _, end = text.partition("..")
        periods.append((_day(start), _day(end or start)))
    return HeaderCase(line, _day(pub), fye, periods or None, xfail)


Q4_20, Q4_19 = "2020-10-01..2020-12-31", "2019-10-01..2019-12-31"
FY20, FY19 = "2020-01-01..2020-12-31", "2019-01-01..2019-12-31"

TABLE_HEADERS = [
    header("Three months ended December 31, 2020 2019", Q4_20, Q4_19),
    header("Year ended December 31, 2020 2019", FY20, FY19),
    header("Unaudited Three months ended December 31, 2020 2019 YoY change", Q4_20, Q4_19),
    header("4Q20 3Q20 4Q19", Q4_20, "2020-07-01..2020-09-30", Q4_19),
    header("Year ended December 31, 2024 2023", "2024-01-01..2024-12-31", "2023-01-01..2023-12-31"),
    header(
        "Three months ended September 30, 2021 2020 YoY change (RMB in millions, unless specified)",
        "2021-07-01..2021-09-30",
        "2020-07-01..2020-09-30",
    ),
    header(
        "| (RMB billion unless stated) | Q1 2020 | Q1 2019 | YoY |", "2020-01-01..2020-03-31", "2019-01-01..2019-03-31"
    ),
    header(
        "Three Months Ended December 31, 2019 September 30, 2020 December 31, 2020",
        Q4_19,
        "2020-07-01..2020-09-30",
        Q4_20,
    ),
    header("As of December 31, 2019 December 31, 2020", "2019-12-31", "2020-12-31"),
    header("As at 30 June 2021 31 December 2020", "2021-06-30", "2020-12-31"),
    header("Six months ended June 30, 2021 2020 Change", "2021-01-01..2021-06-30", "2020-01-01..2020-06-30"),
    header("FY2020 FY2019 YoY", FY20, FY19),
    header("H1 2021 H1 2020 YoY", "2021-01-01..2021-06-30", "2020-01-01..2020-06-30"),
    header("2024 2023", "2024-01-01..2024-12-31", "2023-01-01..2023-12-31"),
    header(
        "Three Months Ended December 26, 2020 December 28, 2019",
        "2020-09-27..2020-12-26",
        "2019-09-29..2019-12-28",
        fye=APPLE,
    ),
    header("Three months ended December 31, Year ended December 31, 2020 2019 2020 2019", Q4_20, Q4_19, FY20, FY19),
    header(
        "Three months ended March 31, 2023 2022 Year-over-year change",
        "2023-01-01..2023-03-31",
        "2022-01-01..2022-03-31",
    ),
    header("Revenue 70,462.9 56,469.7 24.8%"),
    header("Revenue for the three months ended December 31, 2020 was RMB70.5 billion"),
    header("\t"),
    header("Gross profit margin 15.9% 13.9% 2.0 ppt"),
]

# ---------------------------------------------------------------- publication dates: (text, expected or None)


class DateCase(NamedTuple):
    text: str
    expected: date | None
    xfail: str = ""


def dated(text: str, expected: str | None, xfail: str = "") -> DateCase:
    return DateCase(text, _day(expected), xfail)


SEED_OPENING = (  # an opening shaped like the seed's (headline, dateline without a day), in our own words
    "Acme Moves Into Electric Cars\n\nShenzhen, CHINA — Acme Holdings is starting an electric car "
    "business. Its chair said at a product event in March 2021 that a fully owned unit will run it."
)

PUBLICATION_DATES = [
    dated("BEIJING, March 30, 2021 /PRNewswire/ -- Xiaomi Corporation today confirmed ...", "2021-03-30"),
    dated(
        "XIAOMI ANNOUNCES RESULTS\n\nHong Kong, 19 August 2020 – Xiaomi Corporation today announced ...", "2020-08-19"
    ),
    dated(
        "Xiaomi's third-quarter profit beats forecasts\n\nBy a staff reporter\nPublished: 2019-11-27\n\nXiaomi ...",
        "2019-11-27",
    ),
    dated("March 30, 2021 — Xiaomi Corporation announced its smart EV business.", "2021-03-30"),
    dated(
        "Apple Sets Records\n\nCUPERTINO, Calif. -- January 30, 2025 -- Apple Inc. delivered record revenue",
        "2025-01-30",
    ),
    dated(
        "Xiaomi Becomes No. 2\n\nHONG KONG, Aug. 17, 2021 /PRNewswire/ -- results for the three and six months "
        "ended June 30, 2021",
        "2021-08-17",
    ),
    dated(
        "# Xiaomi FY2021\n\n**Beijing, 22 March 2022** — Xiaomi Corporation closed its best year so far.", "2022-03-22"
    ),
    dated(
        "EQUITY RESEARCH | HONG KONG\nXiaomi Corp - 3Q20 review\n\nDate: 25 November 2020\nRating: BUY", "2020-11-25"
    ),
    dated("# Xiaomi 3Q22\n**Sector:** Asia hardware | **Date:** 24 November 2022 | **Rating:** Hold", "2022-11-24"),
    dated(
        "Xinhua Finance Express, Beijing, November 21, 2023 -- Xiaomi Group announced the performance.", "2023-11-21"
    ),
    dated(
        "Xiaomi Q1 Revenue 73.35 Billion Yuan\n\nSource: Finance Channel | 2022-05-26 07:15\n\nOn the evening of 25 May",
        "2022-05-26",
    ),
    dated(
        "ANNUAL RESULTS ANNOUNCEMENT\nFOR THE YEAR ENDED DECEMBER 31, 2020\n\nThe board is pleased to announce "
        "the results for the year ended December 31, 2020. Date of this announcement: March 24, 2021.",
        "2021-03-24",
    ),
    dated(
        "The Board announces the unaudited results for the three months and nine months ended September 30, "
        "2021. Hong Kong, November 23, 2021.",
        "2021-11-23",
    ),
    dated(
        "results of the Company for the three months ended March 31, 2023.\nPublished on May 24, 2023.", "2023-05-24"
    ),
    dated(
        "Xiaomi Q2 2022\nHONG KONG, August 19, 2022 (Asia Markets Wire) —\nXiaomi Corporation on Friday", "2022-08-19"
    ),
    dated("---\ntitle: Xiaomi FY2021\ndate: 2022-03-22\nsource: Gadget Ledger newsroom\n---", "2022-03-22"),
    dated("Results for the year ended December 31, 2020.", None),
    dated("As of December 31, 2020, the Group had cash of RMB108 billion.", None),
    dated(SEED_OPENING, None),
    dated("x" * 1600 + "\nBEIJING, March 30, 2021 /PRNewswire/ -- Xiaomi", None),
    dated("", None),
]

# ---------------------------------------------------------------- numbers and words that are not periods

NOT_A_PERIOD = [
    row("Tesla delivered the Model 3 to customers in China.", "", None),
    row("The Mi 11 Ultra sold out in minutes.", "", None),
    row("We will bring at least ten 5G models to market.", "", None),
    row("The iPhone 12 lineup drove upgrades.", "", None),
    row("Xiaomi ranked No. 3 globally.", "", None),
    row("The Group shipped 2,020 units of the prototype.", "", None),
    row("Media contact: +86 10 6060 6666, global.pr@xiaomi.com", "", None),
    row("Revenue rose 24.8% to RMB70.5 billion.", "", None),
    row("Xiaomi opened its 2,000th Mi Home store worldwide.", "", None),
    row("The Redmi Note 7 has a 48-megapixel rear camera.", "", None),
    row("Access code: 1810-2022.", "", None),
    row("Stock code: 1810 (HKD counter) and 81810 (RMB counter)", "", None),
    row("The Group reduced its inventory for the fourth consecutive quarter.", "", None),
    row("We ranked No. 3 globally, the eleventh consecutive quarter in the global top three.", "", None),
    row("Actual results may differ materially.", "", None),
    row("Lei Jun, 51, told the audience at 8:00 p.m. Hong Kong time.", "", None),
    row("Dial-in numbers: +852 3018 6771 (Hong Kong) and +1 646 254 3594 (US), passcode 8493217.", "", None),
    row("Half of the users own five or more devices.", "", None),
    row("It supports 120W wired charging and a 120x hybrid zoom.", "", None),
    row("Quarterly highlights", "", None),
    row("The A14 Bionic and Snapdragon 888 chips compete.", "", None),
    row("The march to 5G continues.", "", None),
    row(
        "The Audi Q4 e-tron launched in Europe.",
        "",
        None,
        xfail="a bare 'Q4' before a product name is read as a quarter",
    ),
]
