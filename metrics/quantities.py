"""The quantity grammar: money, numbers, percentages and ordinals in text, with spans.

Speed matters (design §9: a release is read many times), so no big regex runs at every
position of the text:

1. Two cheap scans find *anchors*: digit tokens (the engine jumps from digit to digit)
   and number or ordinal words (it jumps from word start to word start).
2. Around each anchor, one anchored regex reads what follows (scale, currency, percent,
   ordinal suffix; a second one the upper end of a range) and one anchored regex reads
   what precedes (qualifier, loss, sign, bracket, currency, "No."). It reads the text
   backwards, on the reversed text, so it is one match, not a search through a window.
3. Small rules kept as a table (``_REJECT_RULES``) drop the bare numbers that are not
   quantities: years, list markers, markers in brackets, display resolutions. Dates,
   times, codes, model names and phone numbers never get that far: the regexes refuse
   them.

Every regex is built once, at import, from the tables in ``metrics.vocabulary``, and
every repetition in them is bounded, so no input makes the time grow faster than its
length. A repetition is possessive (``?+``, ``*+``) where what follows it can
never start with what it repeats: giving characters back could not help, so the engine
is told not to try.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from metrics import vocabulary as V

__all__ = ["Quantity", "alternation", "document_currency", "find_quantities", "parse_quantity"]


@dataclass(frozen=True, slots=True)
class Quantity:
    """One figure as written: what it is, its value in base units, and where it stands."""

    kind: str  # "money" | "number" | "percent" | "ordinal"
    value: float  # scale applied; negative for "(1,234.5)", "-3.4%", "a loss of ..."
    currency: str | None  # ISO 4217 for money, else None
    qualifier: str | None  # "approx" | "over" | "under" | "range" | None
    span: tuple[int, int]  # text[span[0]:span[1]] == self.text
    text: str  # as written, with currency and scale, without the qualifier word
    high: float | None = None  # upper bound of a range
    conversion_of: int | None = None  # index of the figure a bracketed one converts
    points: bool = False  # percentage points
    scale: float = 1.0  # the multiplier applied
    confidence: float = 1.0  # lower for ambiguous readings

    def to_dict(self) -> dict:
        """The JSON shape of ``python -m metrics quantities`` (design §3)."""
        out = {
            "kind": self.kind,
            "value": self.value,
            "currency": self.currency,
            "qualifier": self.qualifier,
            "span": list(self.span),
            "text": self.text,
        }
        if self.high is not None:
            out["high"] = self.high
        if self.conversion_of is not None:
            out["conversion_of"] = self.conversion_of
        if self.points:
            out["points"] = True
        return out


# --- building regexes from the tables -------------------------------------------------


def alternation(forms: Iterable[str], ignore_case: bool = False, reverse: bool = False) -> str:
    """A regex matching any of ``forms``, escaped and factored into a trie.

    The trie makes the longest form win ("US$" over "$") and lets the engine test each
    character once instead of trying every form in turn. A space in a form matches a
    short run of whitespace. ``ignore_case`` adds the lower, Title and UPPER writings
    (kept case-sensitive, which the engine rejects faster); ``reverse`` spells every
    form backwards, for reading the text before a figure on the reversed text.

    >>> alternation(["$", "US$", "HK$"])
    '(?:\\\\$|HK\\\\$|US\\\\$)'
    >>> alternation(["per cent", "percent", "pct"])
    'p(?:ct|er(?:\\\\s{1,3}cent|cent))'
    >>> alternation(["US$"], reverse=True)
    '\\\\$SU'
    >>> re.fullmatch(alternation(["Korean won"], ignore_case=True), "KOREAN  WON") is not None
    True
    >>> alternation([])
    '(?!)'
    """
    trie: dict = {}
    for form in _writings(forms, ignore_case):
        node = trie
        for char in form[::-1] if reverse else form:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit_trie(trie) if trie else "(?!)"


def _writings(forms: Iterable[str], ignore_case: bool) -> set[str]:
    """The forms, and with ignore_case also their lower, Title and UPPER writings."""
    forms = set(forms)
    if not ignore_case:
        return forms
    return {w for f in forms for w in (f, f.lower(), f[:1].upper() + f[1:].lower(), f.upper())}


def _emit_trie(node: dict) -> str:
    """The regex of one trie node; its tail is optional when a form may end here."""
    branches = [_escape_char(c) + _emit_trie(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"


def _escape_char(char: str) -> str:
    return r"\s{1,3}" if char == " " else re.escape(char)


def _first_letters(forms: Iterable[str]) -> str:
    """A lookahead on the first letters of forms: one cheap test before a trie.

    >>> _first_letters(["one", "two"])
    '(?=[OTot])'
    """
    letters = {w[0] for w in _writings(forms, ignore_case=True)}
    return "(?=[" + "".join(re.escape(c) for c in sorted(letters)) + "])"


_CURRENCIES_BEFORE = [*V.CURRENCY_SYMBOLS, *V.CURRENCY_CODES, *V.AMBIGUOUS_SIGNS]
_CUR_BEFORE = alternation(_CURRENCIES_BEFORE)
_CUR_AFTER = alternation(  # one trie: codes as written, names in any case, the euro sign
    {*V.CURRENCY_CODES, *_writings([*V.CURRENCY_NAMES, *V.AMBIGUOUS_NAMES], ignore_case=True), "€"}
)
_MONTH = alternation(V.MONTHS)
_UNIT_WORDS = {**V.UNIT_WORDS, **V.TEEN_WORDS, **V.TENS_WORDS}
_START_WORDS = [*_UNIT_WORDS, *V.ORDINAL_WORDS]
_NEXT_WORDS = [*_START_WORDS, V.HUNDRED_WORD, *V.NUMBER_SCALE_WORDS]
_SCALE_AFTER_A = alternation([V.HUNDRED_WORD, *V.NUMBER_SCALE_WORDS])

_WORD_BODY = rf"""
    {_first_letters([*_START_WORDS, "a"])}  # one cheap test on the first letter
    (?P<w>
        (?:{alternation(_START_WORDS, True)}                         # two, thirty, first
          | [aA](?=\s{{1,3}}{_SCALE_AFTER_A}(?![A-Za-z]))            # a hundred, a million
        )
        (?:[\s-]{{1,3}}(?:(?:and|And)\s{{1,3}})?{alternation(_NEXT_WORDS, True)}(?![A-Za-z])){{0,8}}
                                                                     # -five, hundred and twenty
    )
    (?![A-Za-z])                            # whole words only
"""
_WORDS_RE = re.compile("[ ]" + _WORD_BODY, re.X)  # after a space: a literal, the cheapest scan there is
_WORD_AT_START_RE = re.compile(_WORD_BODY, re.X)

_KILL_AFTER = rf"""
        \s?+{alternation(V.TIME_SUFFIXES)}(?![A-Za-z])  #   8 pm, 10 a.m.
      | {alternation(V.STOCK_SUFFIXES)}(?![A-Za-z])     #   1810.HK
      | [ ]{alternation(V.CODE_SUFFIXES)}(?![\w+])      #   14 Ultra, 15 Pro
      | (?:st|nd|rd|th|)\s(?:of\s|){_MONTH}(?![a-z])    #   30 March, 30th of March
"""  # what after a figure makes it a name, time or date
_PERIOD_AFTER = rf"[\s-]{{1,3}}{alternation(V.PERIOD_NOUNS)}(?![a-z])"  # after an ordinal: "fourth quarter"

_TAIL = rf"""
  (?![,;:)\]|"*`])              # no form below starts with these: a comma after a figure skips them all
  (?:
    (?P<rkill>{_KILL_AFTER})
  | (?P<ord>st|nd|rd|th)(?![A-Za-z])                    # 3rd, 422nd
  | (?:\s?+(?P<scale>{alternation(V.SCALE_WORDS, True)})(?![A-Za-z])  # 10 million, 10bn
      | (?P<letter>[kKmMbB])(?![A-Za-z])                # 10m, 7B, 10K: glued only
      |
    )
    (?:(?P<plus>\+|-plus)(?![A-Za-z])|)                 # 10,000+ stores
    (?:\s?+(?P<cur>{_CUR_AFTER})(?![A-Za-z])|)           # 100 billion yuan, 10 million USD
    (?:\s?+(?P<pct>{alternation([*V.PERCENT_SIGNS, *V.POINT_SIGNS], True)})(?![A-Za-z])|)
                                                        # 12.1%, 2.1 percentage points
    (?:(?P<post>{alternation(V.POST_QUALIFIERS.keys() - {"+", "-plus"}, True)})(?![A-Za-z])|)
                                                        # or more, and above
  )
  |
"""  # what may follow a figure. The group that closes last names the branch that matched;
# optional parts are written (?:...|) rather than (...)? because the engine allocates a
# repeat context for each "?" on a group, and this runs at every digit.
_RIGHT_RE = re.compile(_TAIL, re.X)

_DIGITS_RE = re.compile(
    r"""
    [0-9\t\n\r\f\v\u00a0(\[“"'‘/—–-]      # a digit, or a mark a number word may follow: the engine skips to these
    (?:
        (?<=[0-9])
        (?:
            (?P<joined>[0-9]*+(?:[/:][0-9]++)+)   # dates 3/30/2021, years 2019/20, times 10:00, ratios 16:9
          | [0-9]{3}(?P<iso>-[0-9]{2}-[0-9]{2}) # ISO dates 2021-03-30
          | (?P<digits>(?:[0-9,.]*[0-9])?)      # a number token (parse_number checks its grouping),
    """
    + f"(?:{_TAIL})"  # and what follows it, read in the same pass
    + r"""
        )
      | """
    + _WORD_BODY  # or a number word after a mark (words after a space have a scan of their own)
    + r"""
    )
    """,
    re.X,
)
_DIGITS = _DIGITS_RE.groupindex["digits"]

_RANGE_RE = re.compile(
    rf"""
    (?P<sep>\s?[-–—~]\s?|\s{{1,3}}to\s{{1,3}}|\s{{1,3}}and\s{{1,3}})  # 10-12, 10 to 12, 10 and 12
    (?:(?P<cur>{_CUR_BEFORE})\s?)?                  # RMB5 billion to RMB6 billion
    (?P<num>[0-9](?:[0-9,.]*[0-9])?)                # the upper end
    """,
    re.X,
)

_KILL_WORDS = [*V.CODE_PREFIXES, *V.MONTHS, *V.CODE_LABELS]  # as written: "Mi 11", not "mi"
_LEFT_WORDS = _writings([*V.QUALIFIERS, *V.LEADS], ignore_case=True) | set(_KILL_WORDS)
_WORD_START = r"""[\s(\[{|/;:,"'“‘«*>—–~…]"""  # what may stand before a word or a figure
_LEFT_RE = re.compile(
    rf"""
    # The text before a figure, read BACKWARDS: matched on the reversed text at the
    # anchor, so the parts come in reverse order (the figure's neighbour first) and every
    # form is spelled backwards. One anchored match instead of a search.
    (?:\s?+(?P<mark>{alternation(V.ORDINAL_MARKS, reverse=True)})|)          # No. 3, #3, number three
    (?:(?:(?P<sign2>[-−+])|)\s?+(?P<cur>{alternation(_CURRENCIES_BEFORE, reverse=True)})|)
                                                                             # US$, RMB 5, RMB-5
    (?:(?P<sign>[-−–+](?!(?!{_WORD_START}).)|\s{{1,3}}+{alternation(V.SIGN_WORDS, True, True)})|)
                                                        # -3.4%, minus 5; not the hyphen of top-5
    (?:[\s:.-]{{0,3}}(?P<word>{alternation(_LEFT_WORDS, reverse=True)})|)   # about, top, Model, March
    (?:(?P<open>\s{{0,3}}+\(|\s{{1,3}}+(?P<conv>{alternation(V.CONVERSION_LEADS, True, True)})\s{{0,3}}+\()|)
                                                                             # (, (equivalent to
    (?:\s{{1,3}}+(?P<loss>{alternation(V.LOSS_PHRASES, True, True)})|)        # a net loss of
    (?!(?!{_WORD_START}).)                          # and what precedes all that starts a word
    """,
    re.X | re.S,
)

_LEFT_PARTS = tuple(
    _LEFT_RE.groupindex[name] for name in ("word", "sign", "sign2", "cur", "mark", "loss", "open", "conv")
)
_SIGN, _CUR, _SIGN2, _MARK, _OPEN = (_LEFT_RE.groupindex[name] for name in ("sign", "cur", "sign2", "mark", "open"))

_NUMBER_RE = re.compile(
    r"""
    (?:[1-9][0-9]{0,2}(?:,[0-9]{3})+        # 1,234,567
      | [1-9][0-9]?(?:,[0-9]{2})+,[0-9]{3}  # 12,34,567 (lakh grouping)
      | [1-9][0-9]{0,17}                    # 1234567
      | 0                                   # 0.5 (but not 007: a code)
    )
    (?:\.[0-9]{1,12})?                      # decimals
    """,
    re.X,
)
_PHONE_RE = re.compile(r"[0-9]{1,5}\)?(?:[ -]\(?[0-9]{1,5}\)?){1,6}")
_PAREN_PHONE_RE = re.compile(r"\([0-9]{2,5}\)[ -]?[0-9]{3,4}[ -]?[0-9]{3,5}(?![0-9])")
_PERIOD_AFTER_RE = re.compile(_PERIOD_AFTER)
_NOT_AN_ORDINAL_RE = re.compile(f"(?:{_KILL_AFTER})|{_PERIOD_AFTER}", re.X)  # what refuses an ordinal word
_CLOSE_RE = re.compile(r"\s?\)(?P<pct>%)?")
_NOT_NUMBER_RE = re.compile(alternation(V.NOT_NUMBER_PHRASES))
_NOT_NUMBER_FIRST = frozenset(phrase[0] for phrase in V.NOT_NUMBER_PHRASES)  # letters, never a space
_MENTION_FORMS = ({*V.CURRENCY_SYMBOLS, *V.CURRENCY_CODES, "€"} | _writings(V.CURRENCY_NAMES, ignore_case=True)) - (
    _writings(V.CURRENCY_CONFIDENCE, ignore_case=True)  # "won" and "pounds" are too often not money
)
_MENTION = alternation(_MENTION_FORMS) + "(?![A-Za-z])"  # a currency named in a text
_MENTION_RE = re.compile(_MENTION)
_MENTION_AFTER_RE = re.compile(f"[^A-Za-z](?=({_MENTION}))")  # the engine skips ASCII letters to reach these
_HIDING_RE = re.compile(  # read backwards from a mention: the start of a longer one glued to a letter
    alternation(
        {form[: i + 1] for form in _MENTION_FORMS for i in range(len(form) - 1) if form[i] not in string.ascii_letters},
        reverse=True,
    )
    + "[A-Za-z]"
)

# --- lookups derived from the tables ----------------------------------------------------

_CURRENCY_OF = {
    **V.CURRENCY_SYMBOLS,
    **V.CURRENCY_CODES,
    **{name.lower(): iso for name, iso in V.CURRENCY_NAMES.items()},
    "€": "EUR",
}
_ROLE_OF = {
    **{" ".join(k.lower().split()): v for k, v in {**V.QUALIFIERS, **V.LEADS}.items()},
    **dict.fromkeys(_KILL_WORDS, "kill"),  # exact case: looked up before the lower-case form
}


@lru_cache(maxsize=256)
def _role_of(reversed_word: str) -> str:
    """The role of a word before a figure, as the left regex read it (backwards)."""
    form = " ".join(reversed_word[::-1].split())
    return _ROLE_OF.get(form) or _ROLE_OF[form.lower()]


_POINTS = frozenset(" ".join(p.lower().split()) for p in V.POINT_SIGNS)
_POST_OF = {" ".join(k.lower().split()): v for k, v in V.POST_QUALIFIERS.items()}


@lru_cache(maxsize=1024)
def _normal(written: str) -> str:
    """A currency or sign as the tables key it: single spaces; lower case for words."""
    form = " ".join(written.split())
    if form in _CURRENCY_OF or form in V.AMBIGUOUS_CURRENCIES:
        return form
    return form.lower()


# --- small parsers ------------------------------------------------------------------------


def parse_number(token: str) -> str | None:
    """The digits of an English-style number token without separators, or None.

    >>> parse_number("70,462.9"), parse_number("1.234"), parse_number("12,34,567")
    ('70462.9', '1.234', '1234567')
    >>> parse_number("1,2,3"), parse_number("1.2.3"), parse_number("0700"), parse_number("9" * 40)
    (None, None, None, None)
    """
    if token.isdigit():  # the common case: no separators
        return token if len(token) <= 18 and (token[0] != "0" or token == "0") else None
    whole, dot, decimals = token.partition(".")
    if whole.isdigit() and (not dot or decimals.isdigit()) and len(whole) <= 18 >= len(decimals):
        return token if whole[0] != "0" or whole == "0" else None  # the common case, no regex
    return token.replace(",", "") if _NUMBER_RE.fullmatch(token) else None


_LETTERS_RE = re.compile("[A-Za-z]+")


def words_to_number(words: str) -> tuple[int, int, bool] | None:
    """The value of a number in words, the characters it uses, and whether it is ordinal.

    Stops at the first word that cannot follow the ones before ("one two" is one).

    >>> words_to_number("thirty-five"), words_to_number("twenty-first")
    ((35, 11, False), (21, 12, True))
    >>> words_to_number("a hundred and twenty thousand")
    (120000, 29, False)
    >>> words_to_number("one two"), words_to_number("and")
    ((1, 3, False), None)
    """
    total, current, used, previous = 0, 0, 0, None
    for match in _LETTERS_RE.finditer(words):
        word = match.group().lower()
        if word == "and" and previous in ("hundred", "scale"):
            continue
        kind = _word_kind(word, previous)
        if kind is None:
            break
        total, current = _add_word(word, kind, total, current)
        used, previous = match.end(), kind
    return (total + current, used, previous == "ordinal") if used else None


@lru_cache(maxsize=1024)
def _words_value(words: str) -> tuple[int, int, bool] | None:
    """words_to_number, remembered: a release repeats "first", "second", "three"."""
    return words_to_number(words)


_FOLLOWS = {
    # which kind of number word may follow which ("twenty" then "one", not "one" "two")
    None: {"unit", "teen", "tens", "ordinal", "a"},
    "a": {"hundred", "scale"},
    "unit": {"hundred", "scale"},
    "teen": {"hundred", "scale"},
    "tens": {"unit", "hundred", "scale", "ordinal"},
    "hundred": {"unit", "teen", "tens", "scale", "ordinal"},
    "scale": {"unit", "teen", "tens"},
    "ordinal": set(),
}
_KIND_OF_WORD = {
    **dict.fromkeys(V.UNIT_WORDS, "unit"),
    **dict.fromkeys(V.TEEN_WORDS, "teen"),
    **dict.fromkeys(V.TENS_WORDS, "tens"),
    **dict.fromkeys(V.ORDINAL_WORDS, "ordinal"),
    **dict.fromkeys(V.NUMBER_SCALE_WORDS, "scale"),
    V.HUNDRED_WORD: "hundred",
    "a": "a",
}


def _word_kind(word: str, previous: str | None) -> str | None:
    """What a number word is, if it may follow ``previous``; else None."""
    kind = _KIND_OF_WORD.get(word)
    return kind if kind in _FOLLOWS[previous] else None


def _add_word(word: str, kind: str, total: int, current: int) -> tuple[int, int]:
    """Fold one word into the running (total, current) of a number in words."""
    if kind == "hundred":
        return total, max(current, 1) * 100
    if kind == "scale":
        return total + max(current, 1) * 10 ** V.NUMBER_SCALE_WORDS[word], 0
    if kind == "a":
        return total, 1
    return total, current + (V.ORDINAL_WORDS.get(word) or _UNIT_WORDS[word])


@lru_cache(maxsize=256)
def scale_of(written: str) -> tuple[int, float]:
    """Power of ten of a scale word or letter, and its confidence without a currency.

    >>> scale_of("Million"), scale_of("bn"), scale_of("m")
    ((6, 1.0), (9, 1.0), (6, 0.5))
    """
    if written in V.SCALE_LETTERS:
        return V.SCALE_LETTERS[written]
    return V.SCALE_WORDS[written.lower()], 1.0


def document_currency(text: str) -> str | None:
    """The currency a text names most (ISO 4217), or None; the first named wins a tie.

    Ambiguous signs ("$", "¥") do not count: they are what this decides.

    >>> document_currency("Revenue was RMB 10 billion, up from RMB 9 billion (¥ ...)")
    'CNY'
    >>> document_currency("Sales of US$5 million"), document_currency("no money here")
    ('USD', None)
    """
    counts = Counter(_CURRENCY_OF[_normal(written)] for written in _named_currencies(text))
    return counts.most_common(1)[0][0] if counts else None


def _named_currencies(text: str) -> list[str]:
    """The currencies text names, as written and in order, but not those glued to a letter
    before them ("RMB", not the end of "XRMB").

    ``_MENTION_RE.finditer`` would try the trie at nearly every letter. This scan tries only
    after characters other than ASCII letters and skips, as finditer does, what starts
    inside the mention before. What it misses, a mention right after a letter, is never
    counted, and changes what finditer finds only if it hides another mention ("xChinese
    yuan" hides "yuan"): then the text is read the slow way.
    """
    first = _MENTION_RE.match(text)
    found = [] if first is None else [first.group()]
    end = 0 if first is None else first.end()
    reversed_text = ""
    for match in _MENTION_AFTER_RE.finditer(text):
        start = match.start(1)
        if start < end:
            continue
        reversed_text = reversed_text or text[::-1]
        if _HIDING_RE.match(reversed_text, len(text) - start):
            return _named_currencies_slowly(text)
        if not text[start - 1].isalpha():
            found.append(match.group(1))
        end = match.end(1)
    return found


def _named_currencies_slowly(text: str) -> list[str]:
    """What _named_currencies finds, read by trying the trie everywhere."""
    return [m.group() for m in _MENTION_RE.finditer(text) if not text[m.start() - 1 : m.start()].isalpha()]


def _to_float(number: str, power: int) -> float:
    """Digits times ten to a power, rounded once ("70462.9", 6 -> 70462900000.0).

    >>> _to_float("70462.9", 6), _to_float("34.6", 6), _to_float("12", 0)
    (70462900000.0, 34600000.0, 12.0)
    """
    return float(f"{number}e{power}") if power else float(number)


# --- one figure being read ------------------------------------------------------------------


class _Draft:
    """A figure being read: mutable while the rules run, frozen into a Quantity at the end.

    Slots, all set at once: reading a slot is the fastest attribute access there is, and
    the rules read a dozen fields of each of twenty thousand drafts per megabyte.
    """

    __slots__ = (
        "start",
        "anchor",
        "end",
        "number",
        "kind",
        "power",
        "currency",
        "written_currency",
        "qualifier",
        "lead",
        "upper",
        "separator",
        "high",
        "high_power",
        "negative",
        "points",
        "confidence",
        "letter_confidence",
        "opened",
        "aside",
        "conversion_of",
        "words",
    )

    def __init__(self, anchor: int, end: int, number: str) -> None:
        self.start = anchor  # where its text starts: sign, currency or "No." if any
        self.anchor = anchor  # where its first digit or word starts
        self.end = end
        self.number = number  # digits without separators (or the value of words)
        self.kind = "number"
        self.power = 0  # the scale, as a power of ten
        self.currency = None
        self.written_currency = ""  # as the tables key it: "US$", "yuan", "$"
        self.qualifier = None
        self.lead = None  # the role of a word before it: approx, range, change, top, rank
        self.upper = None  # the other end of "10-12", joined once the left is read
        self.separator = ""  # "-", "to" or "and" before upper
        self.high = None
        self.high_power = 0
        self.negative = False
        self.points = False
        self.confidence = 1.0
        self.letter_confidence = 1.0  # "10m" may be metres: forgiven when it is money
        self.opened = -1  # position of "(" before the figure; -1 when none
        self.aside = False  # "(approximately ...", "(equivalent to ...": never a negative
        self.conversion_of = None
        self.words = False  # written in words


def _is_year(d: _Draft, text: str) -> bool:
    """2019, FY 2021, "in 1998": a bare four-digit figure from 1800 to 2099 is a year."""
    return (
        len(d.number) == 4
        and d.number[:2] in ("18", "19", "20")
        and not d.power
        and d.high is None
        and text.startswith(d.number, d.anchor)  # "2,019" is not a year
    )


def _is_list_marker(d: _Draft, text: str) -> bool:
    """ "1." or "1)" or "1.1 Overview" opening a line: numbering, not a figure."""
    end = d.end
    if not (end < len(text) and text[end] in ".)" or "." in d.number and text[end + 1 : end + 2].isupper()):
        return False
    if d.power or d.words or d.high is not None or len(d.number) > 4:
        return False
    line_start = text.rfind("\n", 0, d.start) + 1
    return not text[line_start : d.start].strip(" \t#*-•(>")


def _is_bracket_marker(d: _Draft, text: str) -> bool:
    """ "(1)", "(12)" in prose: footnote or list markers, not negative numbers."""
    return (
        d.opened >= 0
        and len(d.number) <= 2
        and d.number.isdigit()
        and not d.power
        and _CLOSE_RE.match(text, d.end) is not None
        and not _in_table(text, d.start)
    )


def _is_resolution(d: _Draft, text: str) -> bool:
    """ "4K", "8K" with no currency: a display resolution."""
    return len(d.number) == 1 and text[d.end - 1 : d.end] == "K"


_REJECT_RULES = (
    # (name, test) for bare numbers (no currency, percent or ordinal): a number that any
    # test accepts is not a quantity. A new rule is a new row.
    ("year", _is_year),
    ("list marker", _is_list_marker),
    ("bracket marker", _is_bracket_marker),
    ("display resolution", _is_resolution),
)


def _in_table(text: str, pos: int) -> bool:
    """Whether pos stands on a table row (pipes or tabs), where brackets mean negative."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return "|" in line or "\t" in line


def _compatible(low: _Draft, high: _Draft) -> bool:
    """Whether two figures joined by "-", "to" or "and" are one range, not two figures."""
    if low.kind == "percent" and high.kind != "percent":
        return False  # "up 10% to RMB 5 billion"
    if (low.power and not high.power) or "ordinal" in (low.kind, high.kind):
        return False  # "5 million to 6", "3rd-5th"
    if low.currency and high.currency and low.currency != high.currency:
        return False
    return not _is_year_range(low, high)


def _is_year_range(low: _Draft, high: _Draft) -> bool:
    """2019-2020, 2019-20: a period, not a range of figures."""
    return (
        len(low.number) == 4
        and low.number[:2] in ("19", "20")
        and not (low.power or high.power or low.currency or high.kind == "percent")
        and len(high.number) in (2, 4)
    )


_GLUE = frozenset("-–—/.,:~+(")  # a digit right after these may belong to something refused
_SPACES = frozenset(" \n\t")
_CURRENCY_ENDS = frozenset("".join(form[-1] for form in _CURRENCIES_BEFORE) + ".#")  # the year rule decides these
_DASHES = frozenset("-–—~")
_RANGES = (" to ", " and ", " - ", " – ", " — ", " ~ ")  # what may follow the low end of a range
_RANGE_STARTS = frozenset(word[1] for word in _RANGES)  # a cheap test before startswith


class _UnfrozenQuantity:
    """Quantity's slots without its frozen guard: filled by plain assignment, then made a
    Quantity by giving it that class (same slots, so the same layout).

    The frozen dataclass __init__ sets each of eleven fields through object.__setattr__,
    several times slower, at ten thousand figures per megabyte. Tests compare both ways of
    making one.
    """

    __slots__ = Quantity.__slots__


def _new_quantity(kind, value, currency, qualifier, span, text, high, conversion_of, points, scale, confidence):
    """Quantity(...), made through _UnfrozenQuantity."""
    quantity = _UnfrozenQuantity()
    quantity.kind = kind
    quantity.value = value
    quantity.currency = currency
    quantity.qualifier = qualifier
    quantity.span = span
    quantity.text = text
    quantity.high = high
    quantity.conversion_of = conversion_of
    quantity.points = points
    quantity.scale = scale
    quantity.confidence = confidence
    quantity.__class__ = Quantity
    return quantity


class _Reader:
    """Reads every anchor of one text, in order of position, into Quantities."""

    def __init__(self, text: str, default_currency: str | None) -> None:
        self.text = text
        self.size = len(text)
        self.reversed = text[::-1]  # the text before a figure is read backwards
        self.default_currency = default_currency
        self.context_known = default_currency is not None
        self.found: list[Quantity] = []
        self.skip_until = 0  # anchors before this are inside a figure already read
        self.last_money = -1  # index in found of the latest money figure

    def run(self) -> list[Quantity]:
        words = self._word_anchors()  # few: taken in turn as the digit anchors pass them
        next_word = words[-1].start() if words else self.size
        for match in _DIGITS_RE.finditer(self.text):
            start = match.start()
            if next_word < start:
                next_word = self._take_words_before(words, start)
            last = match.lastgroup
            if last == "w":
                self._take_words(match)
            elif start >= self.skip_until and last != "joined" and last != "iso":  # dates, times, ratios
                draft = self._read_digits(match, start, last)
                if draft is not None and self._read_left(draft):
                    self._finish(draft)
        self._take_words_before(words, self.size + 1)
        return self.found

    def _word_anchors(self) -> list[re.Match]:
        """Number and ordinal words, last first (the list is used as a stack)."""
        words = list(_WORDS_RE.finditer(self.text))
        first = _WORD_AT_START_RE.match(self.text)  # the scans need a character before a word
        if first is not None:
            words.insert(0, first)
        words.reverse()
        return words

    def _take_words_before(self, words: list[re.Match], position: int) -> int:
        """Take the word anchors that start before position; the start of the next one, if any."""
        while words:
            if words[-1].start() >= position:
                return words[-1].start()
            self._take_words(words.pop())
        return self.size

    def _take_words(self, match: re.Match) -> None:
        """Read a number-word anchor, unless an earlier figure already holds it."""
        if match.start() >= self.skip_until:
            draft = self._read_words(match)
            if draft is not None and self._read_left(draft):
                self._finish(draft)

    def _finish(self, d: _Draft) -> None:
        """Join a pending range, drop what the rules refuse, read brackets, keep the rest."""
        if d.upper is not None:
            self._join_range(d)
        if d.kind == "number":
            text = self.text
            for _, test in _REJECT_RULES:
                if test(d, text):
                    return
        if d.opened >= 0:
            self._read_brackets(d)
        self.skip_until = d.end
        self._keep(d)

    # -- the anchor and what follows it

    def _read_digits(self, match: re.Match, start: int, last: str) -> _Draft | None:
        """The number token an anchor starts with, and what follows it; ``last`` is its lastgroup."""
        text = self.text
        end = match.end(_DIGITS)
        token = text[start:end]
        if last == "digits" and (
            end < self.size and text[end].isalnum() or len(token) == 4 and self._is_bare_year(token, start)
        ):
            return None  # 5G, 4Q20, 1990s, 14nm; "in 2019"
        number = parse_number(token)
        if number is None or start and text[start - 1] in _GLUE and self._refused_before(start):
            return None
        draft = _Draft(start, end, number)
        if last != "digits" and not self._read_right(draft, match):
            return None
        end = draft.end
        after = text[end] if end < self.size else ""
        if after in _DASHES or (
            after == " " and end + 1 < self.size and text[end + 1] in _RANGE_STARTS and text.startswith(_RANGES, end)
        ):
            self._read_upper(draft)  # a dash, " to " or " and ": it may be the low end of a range
        return draft

    def _is_bare_year(self, token: str, start: int) -> bool:
        """A four-character token that is a year after a space, refused before anything else
        because a quarter of all anchors are years."""
        text = self.text
        return (
            "18" <= token < "21"  # from 1800 to 2099 once it is all digits
            and token.isdigit()  # the token holds only ASCII digits, commas and dots
            and start > 0
            and text[start - 1] in _SPACES
            and (start < 2 or text[start - 2] not in _CURRENCY_ENDS)
        )

    def _refused_before(self, start: int) -> bool:
        """Digits glued to refused digits (2020 in "2019-2020", 3 in "1.2.3") or a phone."""
        text = self.text
        if start >= 2 and text[start - 1] in "-–—/.,:~" and text[start - 2].isdigit():
            return True
        return self._is_phone(start)

    def _read_words(self, match: re.Match) -> _Draft | None:
        start = match.start("w")
        if self._in_not_number_phrase(start):
            return None
        value, used, ordinal = _words_value(match.group("w"))
        draft = _Draft(start, start + used, str(value))
        draft.words = True
        draft.kind = "ordinal" if ordinal else "number"
        draft.confidence = V.WORD_CONFIDENCE.get(self.text[start : start + used], 1.0)
        if ordinal:  # only a kill or a period noun after it matters: one regex instead of two
            return None if _NOT_AN_ORDINAL_RE.match(self.text, draft.end) else draft
        return draft if self._read_right(draft, _RIGHT_RE.match(self.text, draft.end)) else None

    def _in_not_number_phrase(self, start: int) -> bool:
        """ "no one", "one-off": a phrase starting three characters before the word or at it.

        The first letter is tested before the regex: the word rarely starts such a phrase.
        """
        text = self.text
        for at in (max(0, start - 3), start):
            if text[at] in _NOT_NUMBER_FIRST and _NOT_NUMBER_RE.match(text, at) is not None:
                return True
        return False

    def _read_right(self, d: _Draft, right: re.Match) -> bool:
        """Scale, currency, percent or ordinal suffix after the figure; False refuses it.

        ``right`` is a match of ``_TAIL`` at d.end: the anchor's own or a separate one.
        """
        last = right.lastgroup  # the group that closed last says which branch matched
        if last == "rkill":
            return False
        if last == "ord" or d.kind == "ordinal":
            d.kind, d.end = "ordinal", right.end() if last == "ord" else d.end
            return _PERIOD_AFTER_RE.match(self.text, d.end) is None  # "4th quarter"
        if last is None or last == "digits":
            return not self.text[d.end : d.end + 1].isalnum()  # 5G, 4Q20, 1990s, 14nm
        if last == "scale" or last == "letter":  # "10 million": the scale closed last, so nothing follows it
            d.power, d.letter_confidence = scale_of(right.group(last))
            d.end = right.end(last)
            return True
        scale, letter, plus, cur, pct, post = right.group("scale", "letter", "plus", "cur", "pct", "post")
        if scale or letter:
            d.power, d.letter_confidence = scale_of(scale or letter)
            d.end = right.end("letter" if letter else "scale")
        if cur and not self._set_currency(d, cur):
            return True  # "3 won awards": the verb, so nothing after it belongs here
        d.end = right.end("cur") if cur else d.end
        if pct:
            d.kind, d.points, d.end = "percent", _normal(pct) in _POINTS, right.end("pct")
        if plus or post:
            d.qualifier = _POST_OF[plus or _normal(post)]
        return True

    def _read_upper(self, d: _Draft) -> None:
        """The upper end of "10-12 million", kept until the left side says if it is a range."""
        match = _RANGE_RE.match(self.text, d.end)
        number = match and parse_number(match.group("num"))
        if not number:
            return
        upper = _Draft(match.start("num"), match.end("num"), number)
        if not self._read_right(upper, _RIGHT_RE.match(self.text, upper.end)):
            return
        if match.group("cur"):
            self._set_currency(upper, match.group("cur"))
        d.upper, d.separator = upper, match.group("sep").strip()

    def _join_range(self, d: _Draft) -> None:
        """Make d the range d..upper when the words allow it; both ends share scale and currency."""
        upper = d.upper
        if (d.separator == "and") != (d.lead == "range") and d.separator != "to":
            return  # "5 and 6" is two figures; "between 5-6" is not English
        if d.separator == "to" and d.lead == "change" or not _compatible(d, upper):
            return  # "from 5 to 6" is a change
        d.high, d.high_power, d.end = upper.number, upper.power, upper.end
        d.power = d.power or upper.power
        if upper.kind == "percent":
            d.kind, d.points = "percent", upper.points
        elif upper.kind == "money" and d.currency is None:
            d.kind, d.currency, d.written_currency = "money", upper.currency, upper.written_currency
        d.confidence = min(d.confidence, upper.confidence)
        d.qualifier = "range"

    # -- what precedes it

    def _read_left(self, d: _Draft) -> bool:
        """Qualifier, loss, sign, bracket, currency and ordinal mark; False refuses the figure."""
        size = self.size
        left = _LEFT_RE.match(self.reversed, size - d.anchor)
        if left is None:
            return False  # glued to letters or digits: FY2021, Q4, P40, COVID-19
        if left.lastgroup is None:
            return True  # nothing before it: the common case
        word, sign, sign2, cur, mark, loss, opened, conv = left.group(*_LEFT_PARTS)
        if word:
            role = _role_of(word)
            if role == "kill" and not (cur or mark):
                return False  # a name or date: Model 3, Mi 11, March 30, Stock Code: 1810
            self._apply_word(d, role)
        if cur and d.currency is None:
            self._set_currency(d, cur[::-1])
        if mark and d.kind == "number":
            d.kind = "ordinal"
        if sign or sign2:
            d.negative = "+" not in (sign or "") + (sign2 or "")
        if loss and d.kind in ("money", "number"):
            d.negative = True
        if opened:
            d.opened, d.aside = size - left.end(_OPEN), bool(conv or word)
        furthest = _SIGN if sign else _CUR if cur else _SIGN2 if sign2 else _MARK if mark else 0
        if furthest:  # the figure's text starts at the part furthest from its digits
            d.start = size - left.end(furthest)
        return True

    def _apply_word(self, d: _Draft, role: str) -> None:
        """What a qualifier or lead word before the figure does to it."""
        if role in ("approx", "over", "under"):
            d.qualifier = role
        elif role == "top" and d.kind in ("number", "ordinal"):
            d.kind, d.qualifier = "ordinal", "under"
        elif role == "rank" and d.kind == "number":
            d.kind = "ordinal"
        d.lead = role

    def _read_brackets(self, d: _Draft) -> None:
        """ "(US$50.9 billion)" after a figure converts it; a bare "(1,234.5)" is negative."""
        close = _CLOSE_RE.match(self.text, d.end)
        if close is None:
            return
        if d.kind == "money" and self._converts(d):
            d.conversion_of = self.last_money
        elif not d.aside and (close.group("pct") or d.kind == "number" or _in_table(self.text, d.start)):
            d.negative = True
            d.start, d.end = d.opened, close.end()
            d.kind = "percent" if close.group("pct") else d.kind

    def _converts(self, d: _Draft) -> bool:
        """Whether d, in brackets, follows a money figure with nothing but space between."""
        if self.last_money < 0:
            return False
        previous = self.found[self.last_money]
        return not self.text[previous.span[1] : d.opened].strip()

    # -- helpers on the text

    def _is_phone(self, start: int) -> bool:
        """ "+86 10 6060 6666", "(852) 2522 1234": consumed whole, never a figure."""
        text = self.text
        before = text[start - 1 : start]
        if before == "+":
            match = _PHONE_RE.match(text, start)
            match = match if match is not None and match.end() - start >= 7 else None
        elif before == "(":
            match = _PAREN_PHONE_RE.match(text, start - 1)
        else:
            return False
        if match is None:
            return False
        self.skip_until = match.end()
        return True

    def _set_currency(self, d: _Draft, written: str) -> bool:
        """Record a currency as written; False when it is not one here ("won 3 awards")."""
        form = _normal(written)
        if form == "won" and not d.power and float(d.number) < V.WON_MINIMUM:
            return False
        if d.kind != "percent":
            d.kind = "money"
        d.written_currency = form
        d.currency = _CURRENCY_OF.get(form)
        d.confidence = min(d.confidence, V.CURRENCY_CONFIDENCE.get(form, 1.0))
        return True

    # -- into a Quantity

    def _keep(self, d: _Draft) -> None:
        """Settle the currency and confidence, and append the Quantity."""
        if d.kind == "money":
            if d.currency is None:
                self._resolve_currency(d)
            self.last_money = len(self.found)
        else:
            d.currency = None
            if d.letter_confidence < d.confidence:
                d.confidence = d.letter_confidence
        power = d.power
        value = _to_float(d.number, power)
        high = None if d.high is None else _to_float(d.high, d.high_power or power)
        if d.negative:
            value, high = -value, None if high is None else -high
        self.found.append(
            _new_quantity(
                d.kind,
                value,
                d.currency,
                d.qualifier,
                (d.start, d.end),
                self.text[d.start : d.end],
                high,
                d.conversion_of,
                d.points,
                10.0**power,
                d.confidence,
            )
        )

    def _resolve_currency(self, d: _Draft) -> None:
        """ "$", "dollars", "¥": the document's currency when it is one they may mean."""
        family, fallback, confidence = V.AMBIGUOUS_CURRENCIES[d.written_currency]
        if not self.context_known:
            self.default_currency = document_currency(self.text)
            self.context_known = True
        if self.default_currency in family:
            d.currency, d.confidence = self.default_currency, min(d.confidence, 0.9)
        else:
            d.currency, d.confidence = fallback, min(d.confidence, confidence)


# --- public API ----------------------------------------------------------------------------


def find_quantities(text: str, default_currency: str | None = None) -> list[Quantity]:
    """Every quantity in text, in order of position.

    default_currency decides "¥" (CNY vs JPY) and a bare "$" when the document's currency
    is known; without it, ``document_currency(text)`` decides, computed only when needed.
    """
    return _Reader(text, default_currency).run()


def parse_quantity(phrase: str, default_currency: str | None = None) -> Quantity | None:
    """The single quantity a short phrase holds ("RMB 108 billion"), or None.

    A bracketed conversion does not count as a second quantity.

    >>> parse_quantity("RMB 108 billion").value
    108000000000.0
    >>> parse_quantity("in 2019") is None, parse_quantity("5 and 6") is None
    (True, True)
    """
    primary = [q for q in find_quantities(phrase, default_currency) if q.conversion_of is None]
    return primary[0] if len(primary) == 1 else None
