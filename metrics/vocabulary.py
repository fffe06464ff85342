"""Vocabulary of the quantity grammar: tables only, no logic.

``metrics.quantities`` derives every regex from these tables once, at import, longest
form first ("US$" before "$", "no more than" before "more than"), so a new way of
writing a currency, a scale or a qualifier is a new row here, not a longer regex.

Sources: currency codes are ISO 4217 (plus RMB/CNH, which releases use for CNY);
symbols and names are the forms seen in HKEX, SEC, KRX and Bursa releases written in
English; qualifier and loss phrases come from the sample releases under ``data/`` and
``shared/seeds``. Case: codes, symbols, month names and product words are matched as
written (``Mi 11`` is a phone, ``mi`` is not); words and names ignore case.
"""

from __future__ import annotations

# --- scale -----------------------------------------------------------------------

SCALE_WORDS: dict[str, int] = {
    # written form (any case) -> power of ten; spaced or glued ("10 million", "10bn")
    "hundred": 2,
    "thousand": 3,
    "million": 6,
    "billion": 9,
    "trillion": 12,
    "mn": 6,
    "mln": 6,
    "bn": 9,
    "bln": 9,
    "tn": 12,
    "trn": 12,
    "lakh": 5,
    "lakhs": 5,
    "crore": 7,
    "crores": 7,
}

SCALE_LETTERS: dict[str, tuple[int, float]] = {
    # glued single letter (case as written) -> (power of ten, confidence without a
    # currency): "10m" may be metres, "7B" bytes or parameters, "10K" thousand.
    "k": (3, 0.8),
    "K": (3, 0.8),
    "m": (6, 0.5),
    "M": (6, 0.8),
    "b": (9, 0.6),
    "B": (9, 0.8),
}

# --- currencies ------------------------------------------------------------------

DOLLAR_CURRENCIES = frozenset({"USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD"})
YEN_SIGN_CURRENCIES = frozenset({"CNY", "JPY"})

CURRENCY_SYMBOLS: dict[str, str] = {
    # before the figure, glued or spaced: written form -> ISO 4217
    "US$": "USD",
    "U.S.$": "USD",
    "US $": "USD",
    "USD$": "USD",
    "HK$": "HKD",
    "NT$": "TWD",
    "S$": "SGD",
    "SG$": "SGD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "R$": "BRL",
    "MX$": "MXN",
    "RMB¥": "CNY",
    "CN¥": "CNY",
    "JP¥": "JPY",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "Rs.": "INR",
    "Rs": "INR",
    "RM": "MYR",
    "Rp": "IDR",
    "₱": "PHP",
    "₽": "RUB",
    "₺": "TRY",
    "₫": "VND",
    "฿": "THB",
    "₪": "ILS",
}

CURRENCY_CODES: dict[str, str] = {
    # before or after the figure ("USD 10 billion", "10 billion USD"), case as written
    "RMB": "CNY",
    "Rmb": "CNY",
    "rmb": "CNY",
    "CNY": "CNY",
    "CNH": "CNY",
    "USD": "USD",
    "HKD": "HKD",
    "TWD": "TWD",
    "NTD": "TWD",
    "SGD": "SGD",
    "AUD": "AUD",
    "CAD": "CAD",
    "NZD": "NZD",
    "EUR": "EUR",
    "GBP": "GBP",
    "JPY": "JPY",
    "KRW": "KRW",
    "INR": "INR",
    "MYR": "MYR",
    "IDR": "IDR",
    "THB": "THB",
    "VND": "VND",
    "CHF": "CHF",
    "SEK": "SEK",
    "NOK": "NOK",
    "DKK": "DKK",
    "BRL": "BRL",
    "MXN": "MXN",
    "ZAR": "ZAR",
    "RUB": "RUB",
    "AED": "AED",
    "SAR": "SAR",
    "PLN": "PLN",
    "ILS": "ILS",
    "TRY": "TRY",
}

CURRENCY_NAMES: dict[str, str] = {
    # after the figure ("100 billion yuan"), any case
    "yuan": "CNY",
    "renminbi": "CNY",
    "Chinese yuan": "CNY",
    "US dollars": "USD",
    "US dollar": "USD",
    "U.S. dollars": "USD",
    "U.S. dollar": "USD",
    "United States dollars": "USD",
    "Hong Kong dollars": "HKD",
    "HK dollars": "HKD",
    "New Taiwan dollars": "TWD",
    "NT dollars": "TWD",
    "Taiwan dollars": "TWD",
    "Singapore dollars": "SGD",
    "Australian dollars": "AUD",
    "Canadian dollars": "CAD",
    "New Zealand dollars": "NZD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "sterling": "GBP",
    "pounds": "GBP",
    "yen": "JPY",
    "Japanese yen": "JPY",
    "won": "KRW",
    "Korean won": "KRW",
    "rupees": "INR",
    "rupee": "INR",
    "Indian rupees": "INR",
    "ringgit": "MYR",
    "baht": "THB",
    "rupiah": "IDR",
    "Swiss francs": "CHF",
    "roubles": "RUB",
    "rubles": "RUB",
    "reais": "BRL",
}

AMBIGUOUS_SIGNS: tuple[str, ...] = ("$", "¥", "￥")  # before the figure
AMBIGUOUS_NAMES: tuple[str, ...] = ("dollars", "dollar")  # after the figure

AMBIGUOUS_CURRENCIES: dict[str, tuple[frozenset[str], str, float]] = {
    # written form -> (currencies it may mean, reading without context, its confidence).
    # The document's currency picks among them when it is one of them.
    "$": (DOLLAR_CURRENCIES, "USD", 0.7),
    "dollars": (DOLLAR_CURRENCIES, "USD", 0.7),
    "dollar": (DOLLAR_CURRENCIES, "USD", 0.7),
    "¥": (YEN_SIGN_CURRENCIES, "JPY", 0.5),
    "￥": (YEN_SIGN_CURRENCIES, "JPY", 0.5),
}

CURRENCY_CONFIDENCE: dict[str, float] = {
    # written forms that are sometimes not currencies at all
    "pounds": 0.6,  # weight
    "won": 0.8,  # the verb; see WON_MINIMUM
    "RM": 0.9,
    "Rs": 0.9,
}

WON_MINIMUM = 1000.0
""""won" after a figure is KRW only with a scale word or a figure at least this large:
"100 billion won" is money, "3 won awards" is a verb."""

# --- percent and points ------------------------------------------------------------

PERCENT_SIGNS: tuple[str, ...] = ("%", "percent", "per cent", "per-cent", "-percent", "pct")

POINT_SIGNS: tuple[str, ...] = (
    # percentage points ("up 2.1 percentage points"); "pts" alone is too vague
    "percentage points",
    "percentage point",
    "percentage-points",
    "percentage-point",
    "percent points",
    "% points",
    "%-points",
    "% pts",
    "ppts",
    "ppt",
    "pps",
    "pp",
)

# --- qualifiers, leads and signs -----------------------------------------------------

QUALIFIERS: dict[str, str] = {
    # word(s) right before a figure (any case) -> qualifier
    "approximately": "approx",
    "approx.": "approx",
    "approx": "approx",
    "about": "approx",
    "around": "approx",
    "roughly": "approx",
    "nearly": "approx",
    "almost": "approx",
    "c.": "approx",
    "ca.": "approx",
    "circa": "approx",
    "some": "approx",
    "close to": "approx",
    "an estimated": "approx",
    "estimated": "approx",
    "est.": "approx",
    "~": "approx",
    "≈": "approx",
    "over": "over",
    "more than": "over",
    "exceeded": "over",
    "exceeding": "over",
    "exceeds": "over",
    "exceed": "over",
    "topped": "over",
    "topping": "over",
    "tops": "over",
    "above": "over",
    "in excess of": "over",
    "upwards of": "over",
    "upward of": "over",
    "surpassed": "over",
    "surpassing": "over",
    "surpasses": "over",
    "at least": "over",
    "greater than": "over",
    "north of": "over",
    "no less than": "over",
    "not less than": "over",
    "a minimum of": "over",
    "less than": "under",
    "below": "under",
    "under": "under",
    "fewer than": "under",
    "up to": "under",
    "at most": "under",
    "no more than": "under",
    "not more than": "under",
    "not exceeding": "under",
    "lower than": "under",
    "a maximum of": "under",
}

POST_QUALIFIERS: dict[str, str] = {
    # after the figure ("10,000+ stores"); kept out of the quantity's text
    "+": "over",
    "-plus": "over",
    " or more": "over",
    " and above": "over",
    " or above": "over",
    " or less": "under",
    " and below": "under",
}

LEADS: dict[str, str] = {
    # words before a figure that change how it is read (any case)
    "between": "range",  # "between 5 and 6 billion"
    "from": "change",  # "from 5 to 6 million" is a change, not a range
    "top": "top",  # "top 3" -> ordinal 3, qualifier under
    "ranked": "rank",  # "ranked 3" -> ordinal
    "ranking": "rank",
    "ranks": "rank",
    "rank": "rank",
    "placed": "rank",
}

CONVERSION_LEADS: tuple[str, ...] = ("equivalent to", "equal to", "or", "i.e.", "i.e.,")

SIGN_WORDS: tuple[str, ...] = ("minus", "negative")

LOSS_PHRASES: tuple[str, ...] = (
    # "a (net) loss of RMB1.2 billion" -> negative; matched on the word "loss" onwards
    "loss of",
    "losses of",
    "loss was",
    "losses were",
    "loss were",
    "loss amounted to",
    "losses amounted to",
    "loss totaled",
    "loss totalled",
    "loss reached",
    "loss stood at",
    "loss narrowed to",
    "loss widened to",
    "loss came in at",
    "loss came to",
    "loss is",
)

# --- numbers and ordinals in words ---------------------------------------------------

UNIT_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}

TEEN_WORDS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}

TENS_WORDS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

HUNDRED_WORD = "hundred"

NUMBER_SCALE_WORDS: dict[str, int] = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}

ORDINAL_WORDS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
}

ORDINAL_SUFFIXES: tuple[str, ...] = ("st", "nd", "rd", "th")

ORDINAL_MARKS: tuple[str, ...] = ("No.", "no.", "NO.", "Nos.", "#", "number", "Number")

WORD_CONFIDENCE: dict[str, float] = {
    # number words that are often not numbers: "one of the largest", "a second"
    "one": 0.6,
    "One": 0.6,
    "second": 0.8,
    "Second": 0.8,
}

NOT_NUMBER_PHRASES: tuple[str, ...] = ("no one", "No one", "one another", "one-off", "one-stop")

# --- what makes digits a name, a date, a time or a label -------------------------------

MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Jun.",
    "Jul.",
    "Aug.",
    "Sep.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)

CODE_PREFIXES: tuple[str, ...] = (
    # a figure right after these is a name: product, standard, version, section, index
    "Mi",
    "Xiaomi",
    "Redmi",
    "Redmi Note",
    "POCO",
    "Poco",
    "Mix",
    "MIX",
    "Civi",
    "Pad",
    "Band",
    "Watch",
    "Note",
    "Model",
    "iPhone",
    "iPad",
    "iOS",
    "Galaxy",
    "Pixel",
    "Mate",
    "Nova",
    "Reno",
    "Find",
    "Series",
    "Gen",
    "Android",
    "Windows",
    "MIUI",
    "HyperOS",
    "HarmonyOS",
    "EMUI",
    "Wi-Fi",
    "WiFi",
    "Wifi",
    "Bluetooth",
    "USB",
    "PCIe",
    "HDMI",
    "LPDDR",
    "UFS",
    "Snapdragon",
    "Dimensity",
    "Kirin",
    "Helio",
    "Exynos",
    "Version",
    "version",
    "Ver.",
    "Release",
    "Phase",
    "Stage",
    "Level",
    "Tier",
    "IFRS",
    "HKFRS",
    "IAS",
    "ASC",
    "GAAP",
    "Rule",
    "Rules",
    "Section",
    "section",
    "Sections",
    "Chapter",
    "chapter",
    "Article",
    "article",
    "Clause",
    "clause",
    "Paragraph",
    "paragraph",
    "Item",
    "Appendix",
    "Schedule",
    "Annex",
    "Exhibit",
    "Figure",
    "Table",
    "Page",
    "page",
    "p.",
    "pp.",
    "Vol.",
    "Fortune",
    "Fortune Global",
    "Fortune China",
    "S&P",
    "FTSE",
    "Russell",
    "Nikkei",
    "Hang Seng",
    "COVID",
    "Covid",
)

CODE_LABELS: tuple[str, ...] = (
    # label + optional colon + figure: a code or a phone number, never a quantity
    "Stock Code",
    "Stock code",
    "stock code",
    "Stock Codes",
    "stock codes",
    "Ticker",
    "ticker",
    "HKEX",
    "SEHK",
    "HKSE",
    "NYSE",
    "NASDAQ",
    "Nasdaq",
    "SSE",
    "SZSE",
    "KRX",
    "KOSDAQ",
    "TSE",
    "TYO",
    "SGX",
    "LSE",
    "Tel",
    "Tel.",
    "TEL",
    "Telephone",
    "Phone",
    "Fax",
    "Hotline",
    "passcode",
    "Passcode",
    "Conference ID",
    "conference ID",
    "PIN",
)

CODE_SUFFIXES: tuple[str, ...] = (
    # a figure right before these (spaced) is a model name: "14 Ultra", "15 Pro"
    "Ultra",
    "Pro",
    "Pro+",
    "Max",
    "Plus",
    "Lite",
    "mini",
    "Mini",
    "SE",
    "Fold",
    "Flip",
    "Edge",
    "Neo",
    "Turbo",
    "Prime",
    "GT",
)

STOCK_SUFFIXES: tuple[str, ...] = (
    ".HK",
    ".SS",
    ".SH",
    ".SZ",
    ".KS",
    ".KQ",
    ".TW",
    ".SI",
    ".AX",
    ".US",
    ".T",
    ".L",
)

TIME_SUFFIXES: tuple[str, ...] = ("a.m.", "p.m.", "A.M.", "P.M.", "am", "pm", "AM", "PM", "o'clock")

PERIOD_NOUNS: tuple[str, ...] = (
    # an ordinal before these is a period label ("fourth quarter"), not a quantity
    "quarter",
    "quarters",
    "Quarter",
    "half",
    "Half",
    "half-year",
    "fiscal quarter",
    "fiscal half",
)
