"""Sentence spans of release text, in one regex pass.

The extractor needs the sentence around a figure twice: to find the metric and period words that belong to
it, and to show the analyst the evidence. Getting the boundary wrong costs more than speed, but the splitter
runs on every byte ingested, so it is one compiled regex (``_TOKEN``) that finds only the places where a
decision is needed; Python code runs once per candidate (a sentence end, a line break or a bracket), never per
character.

Rules, in the order they are applied:

* A blank line always ends a sentence; so does the end of the text.
* ``.``, ``!`` and ``?`` (with any closing quotes or brackets right after them) end a sentence when followed by
  whitespace and then not by a lowercase letter (``etc. and`` goes on), or by CJK text (after normalisation
  ``！`` is ``!``). A period never ends a sentence inside a decimal (``70,462.9``), in an ellipsis (``...``),
  after a single letter (initials ``J. Smith``, ``U.S.``, ``a.m.``, ``e.g.``, ``i.e.``) or after a word of
  ``ABBREVIATIONS`` (``Inc.``, ``Ltd.``, ``Co.``, ``No. 3``, ``approx.``, ``Jan.``). ``Inc. The`` is therefore not
  split: company names are far more common before a capital than at the end of a sentence.
* ``。！？`` end a sentence whatever follows.
* Text inside brackets ``()[]`` or double quotes ``“”``/``"``/``「」`` that close in the same paragraph is
  never split, so a quotation or parenthesis stays with the sentence that introduces it. A bracket left open
  at the end of the paragraph protects nothing.
* A single line break ends a sentence when the next line starts a list item (``-``, ``•``, ``1.``, ``(a)``),
  or the line that ends is a list item, a table row (its last two cells are numbers), a heading (Title Case,
  or ends with ``:``) or is short (under ``WRAP_WIDTH`` columns, CJK counting double). It does not end a
  sentence when the next line starts with a lowercase letter, or the line is long prose without final
  punctuation: that is a paragraph wrapped by a PDF or a text editor.
"""

from __future__ import annotations

import bisect
import re

# Words that end with a period without ending the sentence; matched case-sensitively as whole words.
# Not here on purpose: "Jun" (Lei Jun is Xiaomi's CEO: "said Lei Jun. He ..."), days of the week and
# "Sun", "Hon", "Sen" (surnames), "etc" (usually does end the sentence when a capital follows).
ABBREVIATIONS = (
    # company forms
    "Inc", "Ltd", "Co", "Corp", "Cos", "Bros", "Plc", "Pty", "Pte", "Bhd", "Intl", "Mfg", "Dept",
    # titles
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "Messrs", "Mme",
    # numbering and references
    "No", "Nos", "no", "nos", "Fig", "fig", "Vol", "vol", "pp", "cf", "al", "ca", "Ref",
    # hedges and comparisons
    "approx", "Approx", "vs", "est", "incl", "excl", "avg",
    # months ("Jun" and "May" left out)
    "Jan", "Feb", "Mar", "Apr", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
)  # fmt: skip

WRAP_WIDTH = 50  # a line at least this wide that ends without punctuation is wrapped prose

_CLOSERS = "\"'”’)\\]」』）"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_INDENTS = {"": 0, r"\ ": 1, r"\ \ ": 2, r"\ \ \ ": 3, r"\ \ \ \ ": 4, r"\t": 1}  # regex -> width


def _not_after(alternatives: dict[str, int]) -> str:
    """Negative lookbehinds for regex alternatives given with their widths.

    ``re`` needs one fixed width per lookbehind, so alternatives are grouped by width: a handful of
    lookbehinds run much faster than one per abbreviation.
    """
    by_width: dict[int, list[str]] = {}
    for pattern, width in alternatives.items():
        by_width.setdefault(width, []).append(pattern)
    return "".join(f"(?<!{'|'.join(group)})" for group in by_width.values())


_NOT_ABBREVIATION = _not_after({rf"\b{word}\.": len(word) + 1 for word in ABBREVIATIONS})
# "1." at the start of a line is a list number, not the end of a sentence ("  1. Smart electric vehicles").
_NOT_LIST_NUMBER = _not_after(
    {
        rf"^{indent}{digits}\.": width + ndigits + 1
        for indent, width in _INDENTS.items()
        for digits, ndigits in ((r"\d", 1), (r"\d\d", 2))
    }
)
_SENTENCE_GOES_ON = r"(?:(?=\s)(?!\s++[a-z,;:.%])|(?=[" + _CJK + r"])|\Z)"

# Every token starts with one character of a small set, so the regex engine skips to the next candidate in C;
# the alternatives then look behind at that character to decide what it is. Each alternative ends with an
# empty named group, read back as ``match.lastindex``. Runs (!!!, 。。, spaces) are matched possessively and
# only from their first character, so no input makes the scan quadratic.
_TOKEN = re.compile(
    rf"""
    [.!?。！？\n()\[\]“”「」『』（）"]
    (?: (?<=[。！？]) (?<![。！？][。！？])                   # Chinese full stop (first of a run):
        [。！？]*+ [{_CLOSERS}]*+ (?P<cjk>)                   #   always an end
      | (?<=[!?]) (?<![!?][!?])                              # ! or ? (first of a run)
        [!?]*+ [{_CLOSERS}]*+ {_SENTENCE_GOES_ON} (?P<bang>)
      | (?<=\.) (?<!\.\.)                                    # a period that is not part of an ellipsis,
        (?=[{_CLOSERS}]*+ {_SENTENCE_GOES_ON})              # is followed by space (checked first: cheap),
        (?<!\b[A-Za-z]\.)                                    # not after an initial, U.S., a.m., e.g.,
        {_NOT_ABBREVIATION}                                  # nor after Inc., No., approx., Jan. ...
        {_NOT_LIST_NUMBER}                                   # nor a list number at the start of a line
        [{_CLOSERS}]*+ (?P<stop>)
      | (?<=\n) [^\S\n]*+\n\s*+ (?P<blank>)                  # a blank line: always an end
      | (?<=\n) (?=[^\S\n]*+                                 # a line break before a list item:
            (?: [-*+•·▪‣◦●○■□–—]                             #   a bullet
              | \(?(?:\d{{1,3}}|[A-Za-z]|[ivxIVX]{{2,5}})[.)、] #   or 1. 2) (a) iv.
            )[^\S\n]) (?P<item>)
      | (?<=\n) (?![^\S\n]*+[a-z]) (?P<line>)                # another line break, unless lowercase follows
      | (?<=[(\[“「『（]) (?P<open>)                          # brackets and quotes protect what they enclose
      | (?<=[)\]”」』）]) (?P<close>)
      | (?<=") (?P<quote>)                                   # a straight double quote opens or closes
    )
    """,
    re.VERBOSE | re.MULTILINE,
)

_GROUP = _TOKEN.groupindex
_ENDS = frozenset([_GROUP["cjk"], _GROUP["bang"], _GROUP["stop"]])
_BREAKS = frozenset([_GROUP["blank"], _GROUP["item"], _GROUP["line"]])
_LINE, _OPEN, _CLOSE = _GROUP["line"], _GROUP["open"], _GROUP["close"]
_TABLE_ROW_ENDS = frozenset("0123456789%)-–—aA")  # last characters of a numeric cell (n/a, N/A)
_CLOSER_OF = {"(": ")", "[": "]", "“": "”", "「": "」", "『": "』", "（": "）", '"': '"'}
_LIST_ITEM = re.compile(r"[^\S\n]*(?:[-*+•·▪‣◦●○■□–—]|\(?(?:\d{1,3}|[A-Za-z]|[ivxIVX]{2,5})[.)、])\s")
_NUMERIC_CELL = re.compile(r"\(?[-+]?[$€£¥]?\d[\d,.]*+%?\)?|[-–—]|n/?a|N/?A")
_WIDE = re.compile(f"[{_CJK}\u3000-\u303f\uff00-\uffef]")
_MINOR_WORDS = ("a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "over", "per",
                "the", "to")  # fmt: skip
_CAPITAL_WORD = re.compile(r"(?<![\w'’-])[A-ZÀ-Þ]")  # a word starting with a capital letter
_LOWERCASE_WORD = re.compile(rf"(?<![\w'’-])(?!(?:{'|'.join(_MINOR_WORDS)})\b)[a-z]")  # minor words aside


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences in text, in order, trimmed of whitespace, covering every non-blank character.

    Offsets index ``text`` itself, so they stay valid for the normalised document text they came from.
    The rules are in the module docstring.

    >>> text = "Revenue was RMB 70.5 billion. Xiaomi Inc. ranked No. 3 globally!"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Revenue was RMB 70.5 billion.', 'Xiaomi Inc. ranked No. 3 globally!']
    >>> split_sentences("  \\n ")
    []
    """
    return _spans_between(text, _find_cuts(text))


def sentence_at(text: str, offset: int, spans: list[tuple[int, int]] | None = None) -> tuple[int, int]:
    """The span of the sentence holding ``offset``; between sentences, the next one; after the last, the last.

    Pass ``spans`` from ``split_sentences(text)`` when asking many times about the same text.
    A text with no sentence (blank) gives the empty span ``(offset, offset)``.

    >>> text = "Revenue grew. Profit fell."
    >>> sentence_at(text, 15)
    (14, 26)
    >>> sentence_at("   ", 1)
    (1, 1)
    """
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} is outside the text (length {len(text)})")
    if spans is None:
        spans = split_sentences(text)
    if not spans:
        return (offset, offset)
    index = bisect.bisect_right(spans, offset, key=lambda span: span[1])
    return spans[min(index, len(spans) - 1)]


def _find_cuts(text: str) -> list[int]:
    """Positions where a sentence ends, in order (some may repeat or fall in whitespace)."""
    cuts: list[int] = []
    brackets = _OpenBrackets()
    for match in _TOKEN.finditer(text):
        kind = match.lastindex  # an int: cheaper than lastgroup on the hot path
        if kind in _ENDS:
            end = match.end()
            if brackets.stack and end - match.start() > 1:
                for char in match.group()[1:]:  # closing quotes and brackets after the stop (grew.”)
                    brackets.close(char, cuts)
            cuts.append(end)
        elif kind in _BREAKS:
            start = match.start()
            if kind != _LINE or _ends_line_block(text, start):
                cuts.append(start)
                brackets.clear()  # brackets never span a paragraph, list item, table row or heading
        elif kind == _OPEN:
            brackets.open(_CLOSER_OF[match.group()], len(cuts))
        elif kind == _CLOSE:
            brackets.close(match.group(), cuts)
        elif not brackets.close('"', cuts):  # a straight quote closes an open one, else opens
            brackets.open('"', len(cuts))
    return cuts


class _OpenBrackets:
    """Brackets and quotes open in the current paragraph, innermost last.

    A cut made inside an open bracket is provisional: closing the bracket withdraws every cut made since it
    opened. Counting the open closers keeps a stray ``)`` or ``"`` from searching the whole stack, so the work
    stays linear in the number of brackets whatever the text.
    """

    __slots__ = ("stack", "counts")

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []  # (closer expected, number of cuts when it opened)
        self.counts: dict[str, int] = dict.fromkeys(_CLOSER_OF.values(), 0)

    def __bool__(self) -> bool:
        return bool(self.stack)

    def open(self, closer: str, cut_count: int) -> None:
        self.stack.append((closer, cut_count))
        self.counts[closer] += 1

    def close(self, closer: str, cuts: list[int]) -> bool:
        """Close the innermost bracket this closer matches (and any left open inside it)."""
        if not self.counts.get(closer):
            return False
        while True:
            expected, cut_count = self.stack.pop()
            self.counts[expected] -= 1
            if expected == closer:
                del cuts[cut_count:]
                return True

    def clear(self) -> None:
        if self.stack:
            self.stack.clear()
            self.counts = dict.fromkeys(self.counts, 0)


def _ends_line_block(text: str, newline: int) -> bool:
    """Whether the line ending at ``newline`` is a unit of its own rather than wrapped prose.

    Cheapest tests first, on offsets rather than a copy of the line: this runs for every line of a PDF.
    """
    start = text.rfind("\n", 0, newline) + 1
    if _measure_width(text, start, newline) < WRAP_WIDTH or _LIST_ITEM.match(text, start, newline):
        return True
    line = text[start:newline].strip()
    if not line or line[-1] == ":" or (line[-1] in _TABLE_ROW_ENDS and _is_table_row(line)):
        return True
    return not line[0].islower() and _is_title_case(line)


def _is_table_row(line: str) -> bool:
    """A flattened table row ends with two numeric cells: ``Revenue 70,462.9 56,469.7 24.8%``."""
    cells = line.rsplit(None, 2)
    return len(cells) >= 2 and all(_NUMERIC_CELL.fullmatch(cell) for cell in cells[-2:])


def _measure_width(text: str, start: int, end: int) -> int:
    """Columns text[start:end] takes on screen: CJK and full-width characters count double."""
    width = end - start
    if WRAP_WIDTH // 2 <= width < WRAP_WIDTH and not text.isascii():  # could be wide enough if CJK
        width += len(_WIDE.findall(text, start, end))
    return width


def _is_title_case(line: str) -> bool:
    """A headline: at least 80% of its words, minor words aside, start with a capital letter."""
    if len(line) > 150:
        return False
    capitals = len(_CAPITAL_WORD.findall(line))
    return capitals >= 2 and len(_LOWERCASE_WORD.findall(line)) * 4 <= capitals


def _spans_between(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Turn cut positions into whitespace-trimmed, non-empty spans."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(text)]:
        if cut <= start:
            continue
        piece = text[start:cut]
        stripped = piece.lstrip()
        if stripped:
            begin = start + len(piece) - len(stripped)
            spans.append((begin, begin + len(stripped.rstrip())))
        start = cut
    return spans
