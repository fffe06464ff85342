"""Vocabulary matchers: where a sentence names a metric, a segment, a company or a tracker.

Every matcher is one compiled alternation built from data (the catalogue and the company registry),
longest phrase first, so "smartphone shipments" wins over "shipments" and "adjusted net profit" over
"net profit".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from metrics.catalogue import Catalogue, load_catalogue
from metrics.companies import Company, load_companies

# The issuer, when a release speaks of itself.
SELF_REFERENCES = ("the Group", "the Company", "the company", "the group", "the firm", "we", "We", "our", "Our")
NOUN, VERB, OBJECT = "noun", "verb", "object"
# The same sentence is searched many times (once per figure it holds); results are kept for a while.
# Mentions are frozen and the lists are never mutated by callers.
CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    name: str  # metric id, segment name, company name or tracker name
    form: str = NOUN  # for metrics: noun | verb | object


def alternation(phrases) -> str:
    """A regex alternation of escaped phrases, longest first, flexible about inner spaces.

    >>> alternation(["net profit", "adjusted net profit"])
    'adjusted\\\\s+net\\\\s+profit|net\\\\s+profit'
    """
    unique = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in unique)


def _word_pattern(phrases, flags=re.IGNORECASE) -> re.Pattern:
    return re.compile(rf"(?<![\w&])(?:{alternation(phrases)})(?![\w&])", flags)


class _WordFinder:
    """The matches of ``_word_pattern(phrases, flags)``, found fast: the same (start, end, text).

    The plain alternation starts with a look-behind, so ``re`` tries every alternative at every
    position. Here the phrases form a trie whose branches start with a literal: ``re`` skips to
    positions holding a possible first character and follows one branch from there, the
    look-behind moved behind the first character. Longest first still holds: branches at a node
    begin with distinct characters, and a longer phrase is tried before the end of a shorter one.

    A case-insensitive finder matches the lower-cased text when that is the same thing (ASCII
    phrases, no character that ``re`` folds onto an ASCII letter but ``lower()`` does not; else
    the plain pattern runs). When every phrase starts with a word character, it looks for the
    character before a phrase instead (neither a word character nor "&", then the trie): fewer than the
    letters a phrase may start with; a match ends before a character that cannot start a phrase,
    so that character is free to be consumed by the search for the next one.
    """

    def __init__(self, phrases, ignore_case: bool):
        phrases = {p for p in phrases if p}
        self.plain = _word_pattern(phrases, re.IGNORECASE if ignore_case else 0)
        self.ignore_case = ignore_case
        tokens = [p.split() for p in (p.lower() if ignore_case else p for p in phrases)]
        usable = all(tokens) and (not ignore_case or all(p.isascii() for p in phrases))
        self.fast = re.compile(_trie_pattern(tokens)) if usable else None
        self.head = self.after = None
        if usable and ignore_case and all(re.match(r"\w", words[0]) for words in tokens):
            body = _trie_pattern(tokens, behind=False)
            self.head = re.compile(f"({body})")  # at the start of the text
            self.after = re.compile(f"[^\\w&]({body})")  # after a character no phrase continues

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, matched text) of every match, in order; the text is lower-cased when
        the finder ignores case."""
        if self.fast is None or self.ignore_case and _CASE_TRAPS.search(text):
            return [(m.start(), m.end(), m.group()) for m in self.plain.finditer(text)]
        if self.ignore_case:
            text = text.lower()
        if self.after is None:
            return [(m.start(), m.end(), m.group()) for m in self.fast.finditer(text)]
        found = []
        first = self.head.match(text)
        if first is not None:
            found.append((0, first.end(), first.group()))
        for m in self.after.finditer(text, first.end() if first is not None else 0):
            found.append((m.start() + 1, m.end(), m.group(1)))
        return found


# Characters that IGNORECASE matches to an ASCII letter although lower() does not turn them into it
# (or changes the text's length): dotted and dotless i, long s, the Kelvin sign.
_CASE_TRAPS = re.compile("[\u0130\u0131\u017f\u212a]")


def _trie_pattern(phrases: list[list[str]], behind: bool = True) -> str:
    """A trie regex of phrases (each a list of words; any whitespace between words), bounded
    like ``_word_pattern``: no word character or "&" after it, nor (``behind``) before it."""
    trie: dict = {}
    for words in phrases:
        node = trie
        for token in " ".join(words):
            node = node.setdefault(token, {})
        node[""] = {}
    look = r"(?<![\w&].)" if behind else ""
    branches = [re.escape(t) + look + _trie_regex(child) for t, child in sorted(trie.items())]
    return f"(?:{'|'.join(branches)})(?![\\w&])" if branches else "(?!)"


def _trie_regex(node: dict) -> str:
    branches = [(r"\s+" if t == " " else re.escape(t)) + _trie_regex(child) for t, child in sorted(node.items()) if t]
    if not branches:
        return ""
    body = "|".join(branches)
    if "" in node:  # a phrase may end here: the longer ones first
        return f"(?:{body})?"
    return body if len(branches) == 1 else f"(?:{body})"


class MetricMatcher:
    """Finds metric nouns, verbs and objects; several metrics may share a word (\"sold\")."""

    def __init__(self, catalogue: Catalogue):
        self.by_phrase: dict[tuple[str, str], list[str]] = {}
        for metric in catalogue.metrics.values():
            for form, words in ((NOUN, metric.synonyms), (VERB, metric.verbs), (OBJECT, metric.objects)):
                for word in words:
                    self.by_phrase.setdefault((form, _key(word)), []).append(metric.id)
        self.patterns = {
            form: _WordFinder({phrase for (f, phrase) in self.by_phrase if f == form}, ignore_case=True)
            for form in (NOUN, VERB, OBJECT)
        }
        self._cache: dict[tuple[str, str], list[Mention]] = {}

    def find(self, text: str, form: str = NOUN) -> list[Mention]:
        key = (form, text)
        if key not in self._cache:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = self._find(text, form)
        return self._cache[key]

    def _find(self, text: str, form: str) -> list[Mention]:
        found = []
        for start, end, words in self.patterns[form].spans(text):
            for metric_id in self.by_phrase.get((form, _key(words)), ()):
                found.append(Mention(start, end, metric_id, form))
        return found

    def metrics_for(self, phrase: str, form: str) -> list[str]:
        return self.by_phrase.get((form, _key(phrase)), [])


def _key(phrase: str) -> str:
    return " ".join(phrase.lower().split())


class NameMatcher:
    """Finds names from a table of canonical name -> spellings (case-sensitive as written)."""

    def __init__(self, spellings: dict[str, tuple[str, ...]], ignore_case: bool = False):
        self.canonical: dict[str, str] = {}
        for name, words in spellings.items():
            for word in words:
                self.canonical.setdefault(word if not ignore_case else word.lower(), name)
        self.ignore_case = ignore_case
        self.pattern = _WordFinder(self.canonical, ignore_case)
        self._cache: dict[str, list[Mention]] = {}

    def find(self, text: str) -> list[Mention]:
        if text not in self._cache:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = self._find(text)
        return self._cache[text]

    def _find(self, text: str) -> list[Mention]:
        out = []
        for start, end, words in self.pattern.spans(text):
            word = " ".join(words.split())
            name = self.canonical.get(word.lower() if self.ignore_case else word)
            if name:
                out.append(Mention(start, end, name))
        return out


def _company_spellings(company: Company) -> tuple[str, ...]:
    """Names as written plus their upper-case form; very short aliases stay case-exact."""
    names = {n for n in company.names if n}
    names |= {n.upper() for n in names if len(n) > 3 and n.isascii()}
    return tuple(sorted(names))


@dataclass(frozen=True)
class Vocabulary:
    catalogue: Catalogue
    metrics: MetricMatcher
    segments: NameMatcher
    companies: NameMatcher
    trackers: NameMatcher
    registry: dict[str, Company]


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    catalogue = load_catalogue()
    registry = load_companies()
    tracker_names = {c.name for c in registry.values() if c.is_tracker} | set(catalogue.trackers)
    trackers = {name: (name,) for name in catalogue.trackers}
    for company in registry.values():
        if company.is_tracker:
            trackers[company.name] = _company_spellings(company)
    companies = {c.name: _company_spellings(c) for c in registry.values() if c.name not in tracker_names}
    segments = {s.name: s.words for s in catalogue.segments.values()}
    return Vocabulary(
        catalogue=catalogue,
        metrics=MetricMatcher(catalogue),
        segments=NameMatcher(segments, ignore_case=True),
        companies=NameMatcher(companies),
        trackers=NameMatcher(trackers),
        registry=registry,
    )
