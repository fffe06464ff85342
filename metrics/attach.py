"""Attaching figures to metrics inside one sentence: the grammar of "metric … figure".

A figure belongs to a metric when
- a metric noun follows it directly ("86.7 million monthly active users", "12.1% market share"), or
- a metric verb governs it and the object noun follows ("shipped 146.4 million smartphones"), or
- the nearest compatible metric noun before it, in the same clause, names it ("revenue of RMB70.5 billion
  and adjusted net profit of RMB3.2 billion": each figure takes the noun just before it).
Compatible means the metric's unit fits the figure: money for currency metrics, a percent for share,
an ordinal for rank, a plain count for units, devices, users, vehicles and countries.
Percent changes ("up 24.8%") and bracketed conversions are not figures of their own: a change is kept on
the figure it follows, a comparative ("up from 292 million") becomes a figure of the same metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metrics.catalogue import Metric
from metrics.mentions import NOUN, OBJECT, VERB, Mention, Vocabulary
from metrics.quantities import Quantity

COUNT_UNITS = ("units", "devices", "users", "vehicles", "countries")
MAX_LEFT_DISTANCE = 160  # characters from a metric noun to its figure
RIGHT_GAP = re.compile(r"\s*(?:-|in\s+|of\s+)?")  # "12.1% market share", "RMB 5bn in revenue", "third-largest"
RANK_VERBS = re.compile(r"^(?:ranked|ranking|ranks?|rated)$", re.IGNORECASE)
NOT_A_RANK_AFTER = re.compile(
    r"^\s*(?:time|half|quarter|day|week|month|year|phase|batch|generation|edition|consecutive|straight|anniversary|"
    r"of|to|full|foldables?|models?|products?|ever|step|stage|round|deliver|car|vehicle|phones?\s+to)\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r";|\s[-–—]\s|\bwhile\b|\bwhereas\b|\bbut\b")

CHANGE_BEFORE = re.compile(
    r"(?:\b(?:up|down|increase[ds]?|decrease[ds]?|rise|rising|rose|grew|grow(?:th|ing)?|fell|fall(?:ing)?|"
    r"declined?|dropped|drop|jump(?:ed)?|climb(?:ed)?|gain(?:ed)?|improve(?:d|ment)?|slipped|slid|surged?|"
    r"plunged?|soared?|lower|higher|by|decline|increase of|growth of|change of)\s*(?:of\s+|by\s+)?"
    r"(?:approximately\s+|about\s+|around\s+|nearly\s+|some\s+|over\s+|more\s+than\s+)?)$",
    re.IGNORECASE,
)
CHANGE_AFTER = re.compile(
    r"^\s*(?:year[- ]on[- ]year|year[- ]over[- ]year|yoy|y/y|q/q|qoq|quarter[- ]on[- ]quarter|"
    r"sequentially|increase|decrease|growth|rise|jump|drop|decline|higher|lower|more|less|"
    r"from a year (?:earlier|ago)|compared|over the same period|on the year|annually)\b",
    re.IGNORECASE,
)
NEGATIVE_CHANGE = re.compile(
    r"\b(?:down|decrease[ds]?|fell|fall(?:ing)?|declined?|dropped|drop|lower|slipped|slid|plunged?|decline)\b",
    re.IGNORECASE,
)
COMPARATIVE_BEFORE = re.compile(
    r"(?:(?:\bfrom|compared?\s+(?:with|to)|versus|vs\.?|against|relative\s+to)\s+"
    r"(?:the\s+)?(?:approximately\s+|about\s+|around\s+|nearly\s+|some\s+)?|"
    r"\(\s*(?:FY\s?)?(?:19|20)\d\d\s*:\s*)$",  # "(2022: RMB280.04 billion)"
    re.IGNORECASE,
)
COMPARATIVE_AFTER = re.compile(
    r"^\s*(?:a\s+year\s+(?:earlier|ago|before)|in\s+(?:the\s+)?(?:same|prior|previous|year-ago)\s+(?:period|quarter|year)|"
    r"(?:in|for)\s+the\s+(?:prior|previous)\s+year|the\s+year\s+before|last\s+year|one\s+year\s+earlier)",
    re.IGNORECASE,
)
RANK_CONTEXT = re.compile(
    r"smartphone|handset|phone|shipment|market|vendor|brand|maker|player|manufacturer|globally|worldwide|"
    r"in the world|ev\b|electric vehicle|carmaker|automaker|seller|shipped|units|volume",
    re.IGNORECASE,
)
OTHER_HEAD = re.compile(
    r"^[\s-]*(?:stores?|showrooms?|dealers?|dealerships?|outlets?|factor(?:y|ies)|plants?|models?|chargers?|"
    r"charging|stations?|cities|countries|employees|patents|engineers|parks?|lines?|makers?|brands?)\b",
    re.IGNORECASE,
)
RATE_AFTER = re.compile(r"^\s*(?:a|per|each|every)\s+(?:year|month|day|week|annum)\b", re.IGNORECASE)
OTHER_MEASURE = re.compile(
    r"\b(?:production|produced|output|orders|order backlog|backlog|capacity|designed|space\s+for|room\s+for|inventory|registrations|insurance|"
    r"reservations|pre-orders|bookings|test drives|stores|employees|staff|patents|downloads|visits|views)\b",
    re.IGNORECASE,
)
COORDINATION = re.compile(
    r"(?:,\s*)?\b(?:and|as well as|of which|including|among them|among which)\s+(?:a\s+further\s+|another\s+)?$"
)
VERB_AFTER = re.compile(
    r"^\s+(?:(?P<object>[a-z-]+(?:\s[a-z-]+)?)\s+)?(?:that\s+|which\s+)?(?:it|we|they|[A-Z][\w-]*(?:\s[A-Z][\w-]*)?)\s+"
    r"(?P<verb>delivered|shipped|sold)\b"
)
RANK_VERB_BEFORE = re.compile(
    r"\b(?:was|were|is|came|comes|finished|placed|ranked|ranks|stayed|remained|held|took|holds|still|"
    r"(?:climbed|slipped|fell|rose|moved|dropped|jumped|returned|advanced)\s+to|came\s+in|[A-Z]\w+\s+in)\s+(?:in\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
ADVERBIAL_ORDINAL = re.compile(r"\s+(?!placed\b|ranked\b)[a-z]+ed\b")
PRESENCE = re.compile(
    r"\b(?:present|presence|available|sold in|sells in|operat\w*|footprint|serv(?:es|ing)|reach(?:es)?|cover\w*|across)\b",
    re.IGNORECASE,
)
NUMBER_OF = re.compile(r"\bnumber\s+of\s+(\w+)", re.IGNORECASE)
MARKET_TOPICS = frozenset({"smartphone_shipments", "market_share_pct", "market_rank", "ev_deliveries"})
NOT_A_MARKET_RANK = re.compile(
    r"fortune|global 500|forbes|brand finance|interbrand|kantar brandz|most valuable|best employers?|list of|"
    r"ranking of companies|university|universities|in\s+\d+\s+(?:countries|markets)|top\s+\w+\s+in\s+\d+",
    re.IGNORECASE,
)
CUMULATIVE = re.compile(
    r"\b(?:cumulative|cumulatively|accumulated|in total since|to date|since (?:its|the) (?:launch|founding|inception))\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Attachment:
    quantity: Quantity
    metric: str
    mention: Mention | None  # the metric word that named it
    comparative: bool = False
    change_pct: float | None = None
    rule: str = ""


def compatible(metric: Metric, q: Quantity) -> bool:
    """Whether a figure of this kind can be a value of this metric."""
    if metric.unit == "currency":
        return q.kind == "money"
    if metric.unit == "percent":
        return q.kind == "percent" and not q.points
    if metric.unit == "rank":
        return q.kind == "ordinal"
    if metric.unit in COUNT_UNITS:
        return q.kind == "number"
    return False


def is_change(text: str, q: Quantity) -> bool:
    """A percent that states a change ("up 24.8%", "24.8% year-on-year") rather than a level."""
    if q.kind != "percent":
        return False
    if q.points:
        return True
    before = text[max(0, q.span[0] - 40) : q.span[0]]
    after = text[q.span[1] : q.span[1] + 40]
    return bool(CHANGE_BEFORE.search(before) or CHANGE_AFTER.match(after))


def is_comparative(text: str, q: Quantity) -> bool:
    before = text[max(0, q.span[0] - 30) : q.span[0]]
    after = text[q.span[1] : q.span[1] + 50]
    return bool(COMPARATIVE_BEFORE.search(before) or COMPARATIVE_AFTER.match(_skip_object(after)))


def _skip_object(after: str) -> str:
    """Text after a figure with a short noun phrase skipped ("292 million users a year earlier")."""
    m = re.match(
        r"^\s*(?:[A-Za-z][\w-]*\s+){0,3}?(?=a\s+year|in\s+the|last\s+year|the\s+year|one\s+year|for\s+the)", after
    )
    return after[m.end() :] if m else after


def clause_start(text: str, limit: int) -> int:
    """Where the clause holding position `limit` begins."""
    start = 0
    for m in CLAUSE_BREAK.finditer(text, 0, limit):
        start = m.end()
    return start


class SentenceGrammar:
    """Attaches the figures of one sentence to metrics."""

    def __init__(self, vocab: Vocabulary, prefer_vehicles: bool = False, topics: frozenset[str] = frozenset()):
        self.vocab = vocab
        self.metrics = vocab.catalogue.metrics
        self.prefer_vehicles = prefer_vehicles
        self.topics = topics  # metrics the document is about: a bare "47.1 million units" belongs to them

    def attach(self, text: str, quantities: list[Quantity], bounded: bool = False) -> list[Attachment]:
        """Figures attached to metrics. ``bounded``: the sentence states a period, so "cumulative deliveries
        for the first half" is a period total rather than a running total since launch."""
        self.bounded = bounded
        nouns = self.vocab.metrics.find(text, NOUN)
        verbs = self.vocab.metrics.find(text, VERB)
        objects = self.vocab.metrics.find(text, OBJECT)
        figures = [q for q in quantities if q.conversion_of is None]
        out: list[Attachment] = []
        for index, q in enumerate(figures):
            if is_change(text, q):
                self._keep_change(text, q, figures[index - 1] if index else None, out)
                continue
            att = self._attach_one(text, q, figures, index, nouns, verbs, objects)
            if att is None and is_comparative(text, q):
                att = self._comparative_of_previous(q, out)
            if att is None:
                att = (
                    self._rank_after_verb(text, q)
                    or self._bracketed_share(text, q, nouns)
                    or self._coordinated(text, q, out)
                )
            if att is not None:
                out.append(att)
        return [a for a in out if self._plausible(text, a)]

    def _attach_one(self, text, q, figures, index, nouns, verbs, objects) -> Attachment | None:
        comparative = is_comparative(text, q)
        for finder in (self._noun_after, self._verb_object, self._verb_after, self._noun_before, self._topic_object):
            att = finder(text, q, figures, index, nouns, verbs, objects)
            if att is not None:
                att.comparative = comparative
                return att
        return None

    def _noun_after(self, text, q, figures, index, nouns, verbs, objects) -> Attachment | None:
        """A metric noun right after the figure: "86.7 million monthly active users", "12.1% share"."""
        reach = RIGHT_GAP.match(text, q.span[1]).end()
        for m in nouns:
            if m.start == reach and compatible(self.metrics[m.name], q) and self._free(figures, q.span[1], m.start):
                if m.name == "revenue" and not re.match(r"^\s*(?:in|of)\s", text[q.span[1] : m.start + 1]):
                    continue  # "RMB 5 billion revenue" is rare; "RMB 5bn sales target" is not revenue
                return Attachment(q, self._refine(text, m), m, rule="noun-after")
        return None

    def _verb_object(self, text, q, figures, index, nouns, verbs, objects) -> Attachment | None:
        """A verb before and its object after: "shipped 146.4 million smartphones"."""
        found = self._object_after(text, q, figures, objects)
        if found is None:
            return None
        obj, candidates = found
        clause = clause_start(text, q.span[0])
        verb_metrics = {v.name for v in verbs if clause <= v.start < q.span[0] and q.span[0] - v.end <= 60}
        noun_metrics = {n.name for n in nouns if clause <= n.start < q.span[0]}
        chosen = [c for c in candidates if c in verb_metrics or c in noun_metrics]
        return Attachment(q, self._prefer(chosen), obj, rule="verb-object") if chosen else None

    def _verb_after(self, text, q, figures, index, nouns, verbs, objects) -> Attachment | None:
        """The figure is the object of a clause that follows: "the 495,570 (vehicles) that Tesla delivered"."""
        m = VERB_AFTER.match(text[q.span[1] :]) if q.kind == "number" else None
        if m is None:
            return None
        candidates = self.vocab.metrics.metrics_for(m.group("verb"), VERB)
        if m.group("object"):
            named = set(self.vocab.metrics.metrics_for(m.group("object"), OBJECT))
            candidates = [c for c in candidates if c in named] or candidates
        return Attachment(q, self._prefer(candidates), None, rule="verb-after") if candidates else None

    def _topic_object(self, text, q, figures, index, nouns, verbs, objects) -> Attachment | None:
        """No verb: a bare "47.1 million units" belongs to a metric the sentence or the document is about,
        unless the clause measures something else ("production came to 104,891 vehicles")."""
        found = self._object_after(text, q, figures, objects)
        if found is None or OTHER_MEASURE.search(text, clause_start(text, q.span[0]), q.span[0]):
            return None
        obj, candidates = found
        named = {n.name for n in nouns}
        chosen = [c for c in candidates if c in named or c in self.topics]
        return Attachment(q, self._prefer(chosen), obj, rule="topic-object") if chosen else None

    def _object_after(self, text, q, figures, objects) -> tuple[Mention, list[str]] | None:
        """The object noun right after a count ("… million smartphones"), unless it heads a compound
        that counts something else ("400 car stores")."""
        if q.kind != "number":
            return None
        after = [
            m for m in objects if q.span[1] <= m.start <= q.span[1] + 40 and self._free(figures, q.span[1], m.start)
        ]
        if not after:
            return None
        obj = min(after, key=lambda m: (m.start, -(m.end - m.start)))
        if OTHER_HEAD.match(text[obj.end :]) or RATE_AFTER.match(text[obj.end :]):
            return None
        return obj, [m.name for m in objects if (m.start, m.end) == (obj.start, obj.end)]

    def _noun_before(self, text, q, figures, index, nouns, verbs, objects) -> Attachment | None:
        """The nearest compatible metric noun before the figure in the same clause."""
        clause = clause_start(text, q.span[0])
        best = None
        for m in nouns:
            if not (clause <= m.start and m.end <= q.span[0] and q.span[0] - m.end <= MAX_LEFT_DISTANCE):
                continue
            if not compatible(self.metrics[m.name], q):
                continue
            if m.name == "market_rank" and not RANK_VERBS.match(text[m.start : m.end]):
                continue  # "third place for the first time": place names the rank before it, not after
            if not self._free(figures, m.end, q.span[0], kind=q.kind):
                continue
            if best is None or m.end > best.end or (m.end == best.end and m.start < best.start):
                best = m
        if best is None:
            return None
        return Attachment(q, self._refine(text, best), best, rule="noun-before")

    def _free(self, figures: list[Quantity], start: int, end: int, kind: str | None = None) -> bool:
        """No other figure (of the same kind, when given) stands between two positions."""
        for other in figures:
            if start <= other.span[0] and other.span[1] <= end and (kind is None or other.kind == kind):
                return False
        return True

    def _prefer(self, metric_ids: list[str]) -> str:
        if self.prefer_vehicles and "ev_deliveries" in metric_ids:
            return "ev_deliveries"
        ordered = [m for m in metric_ids if m != "ev_deliveries"] or metric_ids
        return ordered[0]

    def _refine(self, text: str, mention: Mention) -> str:
        """Adjust a noun by its modifiers: "adjusted"/"non-IFRS" before net profit, a segment before revenue."""
        if mention.name == "net_profit" and self._adjusted_before(text, mention):
            return "adjusted_net_profit"
        if mention.name == "net_profit" and re.search(
            r"adjusted|non-ifrs|non-gaap", text[mention.end : mention.end + 30].lower()
        ):
            return "adjusted_net_profit"
        if mention.name == "revenue" and re.search(
            r"\boverseas|\binternational\b", text[max(0, mention.start - 30) : mention.end + 40].lower()
        ):
            return "overseas_revenue"
        return mention.name

    def _adjusted_before(self, text: str, mention: Mention) -> bool:
        """ "On an adjusted basis, …, net profit reached": a modifier earlier in the sentence, unless it
        belonged to an adjusted-profit phrase of its own."""
        before = text[: mention.start]
        for other in self.vocab.metrics.find(before, NOUN):
            if other.name == "adjusted_net_profit":
                before = before[: other.start] + " " * (other.end - other.start) + before[other.end :]
        return bool(re.search(r"\badjusted\b|non-ifrs|non-gaap", before, re.IGNORECASE))

    def _keep_change(self, text: str, q: Quantity, previous: Quantity | None, out: list[Attachment]) -> None:
        """Keep a percent change on the figure just before it ("RMB11.5 billion, up 34.8%")."""
        for att in out:
            if (
                att.quantity is previous
                and q.span[0] - previous.span[1] <= 80
                and att.change_pct is None
                and not att.comparative
            ):
                sign = -1.0 if NEGATIVE_CHANGE.search(text[max(0, q.span[0] - 40) : q.span[0]]) else 1.0
                att.change_pct = sign * abs(q.value)
                return

    def _top_n(self, text: str, q: Quantity) -> Attachment | None:
        """ "stays in the global top three", "completed the top five": a bound on the rank."""
        if (
            q.kind == "ordinal"
            and q.qualifier == "under"
            and re.search(r"\btop[\s-]*$", text[max(0, q.span[0] - 6) : q.span[0]], re.IGNORECASE)
        ):
            return Attachment(q, "market_rank", None, rule="top-n")
        return None

    def _rank_after_verb(self, text: str, q: Quantity) -> Attachment | None:
        """ "Xiaomi was fourth with 10.6 million units", "came second": an ordinal after a verb of placing."""
        if q.kind == "ordinal" and RANK_VERB_BEFORE.search(text, max(0, q.span[0] - 30), q.span[0]):
            return Attachment(q, "market_rank", None, rule="rank-verb")
        return None

    def _bracketed_share(self, text: str, q: Quantity, nouns: list[Mention]) -> Attachment | None:
        """ "with 33.9 million units (9%)": a bracketed percent after a count, where shares are the topic."""
        if q.kind != "percent" or not re.search(
            r"(?:units?|million|billion|[\d,])\s*\($", text[max(0, q.span[0] - 12) : q.span[0]]
        ):
            return None
        if "market_share_pct" in self.topics or any(n.name == "market_share_pct" for n in nouns):
            return Attachment(q, "market_share_pct", None, rule="bracketed-share")
        return None

    def _coordinated(self, text: str, q: Quantity, out: list[Attachment]) -> Attachment | None:
        """ "shipped 40.5 million smartphones in 4Q23 and 145.6 million over the full year": a figure joined
        by "and" to the one before, of a like size, takes its metric."""
        if not out or q.kind not in ("number", "money"):
            return None
        att = out[-1]
        gap = text[att.quantity.span[1] : q.span[0]]
        like = att.quantity.kind == q.kind and 0.01 <= abs(q.value) / max(abs(att.quantity.value), 1e-9) <= 100
        joined = like and not att.comparative and len(gap) <= 60 and COORDINATION.search(gap)
        if joined and not self.vocab.metrics.find(gap, NOUN) and not re.match(r"\s*per\b", text[q.span[1] :]):
            return Attachment(q, att.metric, att.mention, rule="coordinated")
        return None

    def _comparative_of_previous(self, q: Quantity, out: list[Attachment]) -> Attachment | None:
        for att in reversed(out):
            if att.quantity.kind == q.kind and not att.comparative:
                return Attachment(q, att.metric, att.mention, comparative=True, rule="comparative")
        return None

    def _plausible(self, text: str, att: Attachment) -> bool:
        """Drop attachments that read as something else: cumulative totals, list rankings, silly values."""
        q = att.quantity
        if att.metric == "market_rank":
            if NOT_A_RANK_AFTER.match(text[q.span[1] :]) or ADVERBIAL_ORDINAL.match(text, q.span[1]):
                return False  # "for the first time", "the position it first reached"
            about_market = RANK_CONTEXT.search(text) or self.topics & MARKET_TOPICS
            if q.value < 1 or q.value > 30 or not about_market or NOT_A_MARKET_RANK.search(text):
                return False
        if att.metric == "market_share_pct" and not 0 < q.value <= 100:
            return False
        if att.metric in ("smartphone_shipments", "ev_deliveries", "premium_smartphone_shipments"):
            if att.mention is not None and CUMULATIVE.search(
                text[max(0, att.mention.start - 40) : att.mention.end + 40]
            ):
                return False
            if q.value < 100:
                return False
        if self.metrics[att.metric].unit in COUNT_UNITS and att.metric != "countries_presence" and q.value < 100:
            return False
        if att.metric == "countries_presence":
            return 2 <= q.value <= 250 and bool(PRESENCE.search(text))
        return not self._counts_something_else(text, att)

    def _counts_something_else(self, text: str, att: Attachment) -> bool:
        """ "The number of users with five or more devices connected grew to 8.2 million" counts users."""
        if att.mention is None or self.metrics[att.metric].unit not in COUNT_UNITS:
            return False
        clause = text[clause_start(text, att.quantity.span[0]) : att.quantity.span[0]]
        counted = NUMBER_OF.search(clause)
        if counted is None or counted.group(1)[0].isupper():
            return False  # "the number of Xiaomi AIoT devices" names an owner, not what is counted
        return counted.group(1).lower() not in text[att.mention.start : att.mention.end].lower()
