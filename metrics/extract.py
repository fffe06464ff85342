"""Facts from a release: which company, metric, segment, period and value, with the sentence behind it.

The pipeline, each step a module of its own:
1. the document's context: issuer, publication date, fiscal calendar, currency, main period (here);
2. flattened results tables, read row by row (``tables``);
3. prose: sentences holding a digit or a number word, their figures (``quantities``), periods
   (``periods``) and the metric each figure belongs to (``attach``);
4. company, tracker, segment and period resolved per figure, then one fact per key (here).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import date

from metrics.attach import Attachment, SentenceGrammar, clause_start
from metrics.companies import Company
from metrics.document import Document
from metrics.facts import Fact
from metrics.fiscal import FiscalCalendar, Period, month_period
from metrics.mentions import NOUN, VERB, Mention, Vocabulary, load_vocabulary
from metrics.periods import PeriodMention, find_periods, find_publication_date, iter_periods
from metrics.quantities import Quantity, document_currency, find_quantities
from metrics.sentences import split_sentences
from metrics.tables import table_facts

HAS_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|first|second|third|fourth|fifth|top)\b",
    re.IGNORECASE,
)
# Guidance and targets: the sentence's main verb, before the figure ("NIO expects deliveries of 41,000").
GUIDANCE = re.compile(
    r"\b(?:aims?\s+to|aiming|target(?:s|ed|ing)?|goal|guidance|guided|forecasts?|forecasted|projects?\s+(?:that|to)|"
    r"projected|plans?\s+to|planned\s+to|expects?|expected\s+to|is\s+expected|are\s+expected|would|could|might|"
    r"may\s+reach|outlook|anticipates?|(?:FY)?\d{2,4}E|hopes?\s+to|intends?\s+to|ambition|"
    r"we\s+(?:now\s+)?(?:model|estimate|forecast|expect|project|think)|our\s+(?:estimates?|forecasts?|model))\b",
    re.IGNORECASE,
)
# Someone else's estimate, next to the figure ("the RMB4.6 billion that analysts had pencilled in").
ESTIMATE = re.compile(
    r"\b(?:analysts?(?!\s+firm)(?:\s+\w+){0,6}?\s+(?:expected|estimated|forecast|predicted|anticipated|had\s+\w+ed)|"
    r"analysts?\s+(?:\w+\s+){0,3}?(?:told|said|says|believes?|thinks?)|would|could|might|"
    r"consensus|estimates?\s+(?:of|that|to)|average\s+estimate|forecasts?\s+of|expectations?|pencil+ed\s+in|"
    r"polled|surveyed)\b",
    re.IGNORECASE,
)
ESTIMATE_REACH = 60
# The issuer speaks of itself with these (defined terms in releases); "it" and "its" stand for the company
# named last.
ISSUER_REFERENCE = re.compile(r"(?<!\w)(?:the Group|the Company|[Ww]e|[Oo]ur|[Uu]s)(?!\w)")
PRONOUN_REFERENCE = re.compile(
    r"(?<!\w)(?:it|its|the\s+(?:company|group|firm|brand|carmaker|automaker|maker|vendor))(?!\w)", re.IGNORECASE
)
REGION_BEFORE = re.compile(r"\b(?:in|across|within|throughout|for|from)\s+(?:the\s+)?$", re.IGNORECASE)
REGION_AFTER = re.compile(
    r"^['’]?s?\s*(?:smartphone\s+)?(?:market|shipments|revenue|sales|deliveries|share|mau|users|monthly|active)\b",
    re.IGNORECASE,
)
PREPOSITION_BEFORE = re.compile(
    r"\b(?:from|of|(?<!followed\s)(?<!trailed\s)(?<!joined\s)by|with|to|against|over|for|including|like|than)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
SUBJECT_AFTER = re.compile(
    r"^\s+(?:[a-z]+\s+){0,2}?(?:that\s+|which\s+)?(?P<name>[A-Z][\w-]*(?:\s[A-Z][\w-]*)?)\s+"
    r"(?:delivered|shipped|sold|reported|posted|recorded|had)\b"
)
OVERTAKEN = re.compile(
    r"(?:overtak\w*|ahead\s+of|behind|than|beat(?:s|ing)?|surpass\w*|passed|passing|outs(?:old|hipped)|"
    r"trail\w*|displac\w*|unseat\w*|dethron\w*|edg(?:ed|ing)\s+out)\s+$",
    re.IGNORECASE,
)
EV_SECTORS = ("electric vehicles", "automotive")
ANOTHER_FIGURE = re.compile(
    r"\d[\d,.]*\s*(?:million|billion|thousand|bn|mn|m\b|k\b|%|per\s*cent)|\d{1,3}(?:,\d{3})+", re.IGNORECASE
)
FOLLOWING_PERIOD_REACH = 70  # characters after a figure within which a period phrase still governs it
STATED_GRAINS = ("quarter", "year", "half", "nine_months")


@dataclass(frozen=True)
class DocumentContext:
    text: str
    issuer: Company | None
    issuer_is_tracker: bool
    tracker: str | None  # the research firm that publishes the document, if any
    published: date | None
    published_explicit: bool
    calendar: FiscalCalendar
    currency: str | None
    main_period: Period | None
    vocab: Vocabulary
    topics: frozenset[str]  # metrics named in the headline and opening: what the release is about
    region: str  # the region a tracker's report covers when its headline names one, else ""


def extract_facts(doc: Document, company: str | None = None, published: date | None = None) -> list[Fact]:
    """Every KPI fact the release states, one per company × metric × segment × period × source."""
    if not doc.text.strip():
        return []
    ctx = build_context(doc, company, published)
    facts = table_facts(ctx, doc.text)
    table_cells = sorted(f.span[0] for f in facts)
    inherited: Period | None = None
    subject: str | None = None
    previous: tuple[int, int] = (0, 0)
    for start, end in split_sentences(doc.text):
        if "\n\n" in doc.text[previous[1] : start] and not _is_heading(doc.text[previous[0] : previous[1]]):
            inherited = None  # a new paragraph starts from the document's own period, unless a heading set one
        previous = (start, end)
        named = ctx.vocab.companies.find(doc.text[start:end])
        if not HAS_FIGURE.search(doc.text, start, end) or _holds_any(table_cells, start, end):
            subject = named[0].name if named else subject
            continue
        found, stated = sentence_facts(ctx, start, end, inherited, subject)
        facts += found
        inherited = stated or inherited
        subject = named[0].name if named else subject
    return merge_duplicates(facts)


def _is_heading(text: str) -> bool:
    """A short line without a full stop ("Full Year 2024 Highlights"): its period carries over the break."""
    return bool(text) and "\n" not in text.strip() and len(text) < 80 and not text.rstrip().endswith((".", "!", "?"))


def _holds_any(sorted_offsets: list[int], start: int, end: int) -> bool:
    i = bisect_left(sorted_offsets, start)
    return i < len(sorted_offsets) and sorted_offsets[i] < end


# ---------------------------------------------------------------------------- document context


def build_context(doc: Document, company: str | None, published: date | None) -> DocumentContext:
    vocab = load_vocabulary()
    text = doc.text
    pub = published or doc.published or _dateline(text)
    explicit = pub is not None
    if pub is None:
        pub = estimate_publication(text)
    issuer, tracker = find_issuer(vocab, doc.title, text, company)
    calendar = FiscalCalendar(issuer.fiscal_year_end if issuer and not issuer.is_tracker else "12-31")
    head = text[:1500]
    main = main_period(head, pub, calendar)
    return DocumentContext(
        text=text,
        issuer=None if issuer is not None and issuer.is_tracker else issuer,
        issuer_is_tracker=tracker is not None,
        tracker=tracker,
        published=pub,
        published_explicit=explicit,
        calendar=calendar,
        currency=document_currency(text) or (issuer.currency if issuer else None),
        main_period=main,
        vocab=vocab,
        topics=frozenset(
            m.name for form in (NOUN, VERB) for m in vocab.metrics.find(f"{doc.title}\n{text[:700]}", form)
        ),
        region=headline_region(vocab, doc.title or text[:200]) if tracker else "",
    )


def find_issuer(vocab: Vocabulary, title: str, text: str, given: str | None) -> tuple[Company | None, str | None]:
    """The company the release is from (or about), and the tracker when a research firm publishes it.

    The headline decides first, then the opening paragraph: the earliest company named there, with ties
    broken by how often it is named.
    """
    if given:
        registry = vocab.registry
        match = registry.get(given) or next(
            (c for c in registry.values() if given.lower() in (n.lower() for n in c.names)), None
        )
        return (match or Company(given, given, (), (), None, "12-31", "", "", ""), None)
    head = text[:800]
    companies = vocab.companies.find(title) or vocab.companies.find(head)
    counts: dict[str, int] = {}
    for m in vocab.companies.find(text[:3000]):
        counts[m.name] = counts.get(m.name, 0) + 1
    issuer = None
    if companies:
        first = min(companies, key=lambda m: m.start)
        leaders = {m.name for m in companies if m.start - first.start < 40}
        issuer = vocab.registry.get(max(leaders, key=lambda n: counts.get(n, 0)))
    tracker = publishing_tracker(vocab, title, text)
    if tracker is not None:
        issuer = None
    return issuer, tracker


def publishing_tracker(vocab: Vocabulary, title: str, text: str) -> str | None:
    """The research firm behind a tracker report: named in the headline, or early on with an "About" section
    or with several vendors in the opening."""
    in_title = vocab.trackers.find(title)
    if in_title:
        return in_title[0].name
    early = vocab.trackers.find(text[:400])
    if not early:
        return None
    name = early[0].name
    vendors = {m.name for m in vocab.companies.find(text[:800])}
    if re.search(rf"About\s+(?:the\s+)?{re.escape(name)}\b", text):
        return name
    if len(vendors) >= 3 and not vocab.companies.find(title):
        return name
    return None


def _dateline(text: str) -> date | None:
    """The release's date from its opening or its sign-off ("Hong Kong, August 21, 2024"); the later one wins,
    since a release is dated after the period it reports."""
    opening = find_publication_date(text)
    sign_off = opening if len(text) <= 1500 else find_publication_date(text[-1500:])  # a short text is both
    found = [d for d in (opening, sign_off) if d is not None]
    if not found and (first := _first_full_date(text[:600])):
        found.append(first)
    return max(found) if found else None


FULL_DATE = re.compile(
    r"(?<!ended )(?<!ending )(?<!of )(?<!at )(?<!through )\b(?:"
    r"(?P<m1>January|February|March|April|May|June|July|August|September|October|November|December)\s+(?P<d1>\d{1,2}),?\s+(?P<y1>(?:19|20)\d\d)|"
    r"(?P<d2>\d{1,2})\s+(?P<m2>January|February|March|April|May|June|July|August|September|October|November|December)\s+(?P<y2>(?:19|20)\d\d))\b"
)
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _first_full_date(head: str) -> date | None:
    """The first full date in the opening ("CUPERTINO, Calif. -- January 30, 2025 --"), not one a period ends on."""
    m = FULL_DATE.search(head)
    if m is None:
        return None
    month = MONTH_NAMES.index((m["m1"] or m["m2"]).lower()) + 1
    try:
        return date(int(m["y1"] or m["y2"]), month, int(m["d1"] or m["d2"]))
    except ValueError:
        return None


def headline_region(vocab: Vocabulary, title: str) -> str:
    """ "Canalys: Mainland China smartphone shipments fall 14%" covers mainland China."""
    for m in vocab.segments.find(title):
        if not vocab.catalogue.segments[m.name].metrics:
            return m.name
    return ""


def estimate_publication(text: str) -> date | None:
    """Without a dateline, the latest month or date the text names stands in for the publication date."""
    latest = None
    for m in find_periods(text):
        p = m.period
        if p is None or m.grain not in ("month", "instant"):
            continue
        if latest is None or p.end > latest:
            latest = p.end
    return latest


def main_period(head: str, published: date | None, calendar: FiscalCalendar) -> Period | None:
    """The period the release reports on: the first quarter or year its opening names, else the latest closed one."""
    for m in iter_periods(head, published, calendar):  # lazily: the first one will do
        if m.period is not None and not m.comparative and m.grain in ("quarter", "year", "half", "nine_months"):
            return m.period
    return calendar.latest_closed(published) if published else None


# ------------------------------------------------------------------------------------ sentences


def sentence_facts(
    ctx: DocumentContext, start: int, end: int, inherited: Period | None = None, subject: str | None = None
) -> tuple[list[Fact], Period | None]:
    """The facts of one sentence, and the period it states (which later sentences of the paragraph inherit)."""
    text = ctx.text[start:end]
    periods = find_periods(text, ctx.published, ctx.calendar)
    stated = next(
        (p.period for p in periods if p.period is not None and not p.comparative and p.grain in STATED_GRAINS), None
    )
    quantities = [q for q in find_quantities(text, ctx.currency) if not _inside_period(q, periods)]
    if not quantities:
        return [], stated
    automaker = _is_automaker(ctx)
    topics = ctx.topics | {"ev_deliveries"} if automaker else ctx.topics
    grammar = SentenceGrammar(ctx.vocab, prefer_vehicles=automaker, topics=topics)
    quantities = sorted(quantities + leader_ranks(text, quantities), key=lambda q: q.span)
    bounded = any(
        p.period is not None and p.grain in ("quarter", "half", "nine_months", "year", "ytd") for p in periods
    )
    attachments = grammar.attach(text, quantities, bounded=bounded)
    facts = []
    for att in attachments:
        if att.metric != "investment_commitment" and not_actual(text, att.quantity):
            continue
        fact = build_fact(ctx, text, start, att, periods, inherited, subject)
        if fact is not None:
            facts.append(fact)
    plain = [
        f for f in facts if not f.comparative and f.period_kind == "duration" and f.metric != "monthly_active_users"
    ]
    if plain:
        stated = Period(plain[-1].period_start, plain[-1].period_end, "duration")
    return facts, stated


LEADER = re.compile(
    r"\b(?:was|is|became|remained|stayed|as)\s+the\s+(?:(?:world's|country's|market's|global|largest|biggest)\s+)?"
    r"(?P<word>top|largest|biggest|leading|No\.\s?1|number\s+one)\s+(?:smartphone\s+|phone\s+|EV\s+)?"
    r"(?:vendor|brand|maker|manufacturer|player|seller|company)\b|\b(?P<verb>topped|led)\s+the\s+(?:\w+\s+)?market\b",
    re.IGNORECASE,
)


def leader_ranks(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """ "Apple was the top vendor", "vivo topped the market": rank 1 said without a number."""
    found = []
    for m in LEADER.finditer(text):
        start, end = m.span("word") if m.group("word") else m.span("verb")
        if not any(q.span[0] < end and start < q.span[1] for q in quantities):
            found.append(Quantity("ordinal", 1.0, None, None, (start, end), text[start:end]))
    return found


def not_actual(text: str, q: Quantity) -> bool:
    """Guidance before the figure, or someone's estimate right next to it."""
    if GUIDANCE.search(text, 0, q.span[0]):
        return True
    return bool(ESTIMATE.search(text, max(0, q.span[0] - ESTIMATE_REACH), q.span[1] + 45))


def _is_automaker(ctx: DocumentContext) -> bool:
    return bool(ctx.issuer and ctx.issuer.sector in EV_SECTORS)


def _inside_period(q: Quantity, periods: list[PeriodMention]) -> bool:
    return any(p.span[0] <= q.span[0] and q.span[1] <= p.span[1] for p in periods)


def build_fact(
    ctx, text, offset, att: Attachment, periods, inherited: Period | None, subject: str | None = None
) -> Fact | None:
    metric = ctx.vocab.catalogue.metrics[att.metric]
    q = att.quantity
    company = resolve_company(ctx, text, att, subject)
    if company is None:
        return None
    period, explicit = resolve_period(ctx, att, periods, metric.kind, inherited, text)
    if period is None:
        return None
    segment = resolve_segment(ctx, text, att)
    metric_id = att.metric
    if (
        metric_id == "revenue"
        and segment in ctx.vocab.catalogue.segments
        and ctx.vocab.catalogue.segments[segment].metrics == ("segment_revenue",)
    ):
        metric_id = "segment_revenue"
    tracker = resolve_tracker(ctx, text, att)
    return Fact(
        company=company,
        metric=metric_id,
        segment=segment,
        period_start=period.start,
        period_end=period.end,
        period_kind=period.kind,
        value=-abs(q.value) if _names_a_loss(text, att) else float(q.value),
        unit=metric.unit,
        currency=q.currency if metric.unit == "currency" else None,
        qualifier=q.qualifier if q.qualifier in ("approx", "over", "under") else None,
        attributed_to=tracker,
        comparative=att.comparative,
        confidence=confidence(ctx, att, explicit, q),
        span=(offset + q.span[0], offset + q.span[1]),
        evidence=" ".join(text.split()),
        change_pct=att.change_pct,
        rule=att.rule,
    )


def _names_a_loss(text: str, att: Attachment) -> bool:
    """ "Net loss narrowed to RMB5.79 billion": a loss is a negative profit."""
    if att.mention is None or att.metric not in ("net_profit", "adjusted_net_profit"):
        return False
    return "loss" in text[att.mention.start : att.mention.end].lower()


def confidence(ctx: DocumentContext, att: Attachment, explicit_period: bool, q: Quantity) -> float:
    """Start sure, lose some for every inference the fact rests on."""
    score = 0.95
    if att.rule == "noun-before" and att.mention is not None and q.span[0] - att.mention.end > 60:
        score -= 0.1
    if not explicit_period:
        score -= 0.15
    if not ctx.published_explicit:
        score -= 0.1
    if q.qualifier:
        score -= 0.05
    if att.comparative:
        score -= 0.05
    return round(max(min(score * q.confidence, 1.0), 0.05), 2)


# ---------------------------------------------------------------------------------- resolution


def resolve_company(ctx: DocumentContext, text: str, att: Attachment, subject: str | None = None) -> str | None:
    """Who reported the figure: a company named as the subject just after it ("the 495,570 that Tesla
    delivered"), else the company named nearest before it, else whom a pronoun or the release stands for.

    A company named as the one overtaken ("Xiaomi overtakes Apple for third place") or after a preposition
    ("independent from Huawei") is not the subject, unless a clause of its own follows.
    """
    q = att.quantity
    named = ctx.vocab.companies.find(text)
    after = SUBJECT_AFTER.match(text[q.span[1] :])
    if after:
        found = ctx.vocab.companies.find(after.group("name"))
        if found:
            return found[0].name
    before = [m for m in named if m.end <= q.span[0] and not _overtaken(text, m, q)]
    subjects = [m for m in before if not PREPOSITION_BEFORE.search(text, max(0, m.start - 15), m.start)] or before
    last_issuer_ref = max((m.end() for m in ISSUER_REFERENCE.finditer(text, 0, q.span[0])), default=-1)
    if subjects:
        nearest = max(subjects, key=lambda m: m.end)
        if last_issuer_ref < nearest.end or ctx.issuer is None:
            return nearest.name
    if last_issuer_ref >= 0 and ctx.issuer is not None:
        return ctx.issuer.name
    if ctx.issuer is not None:
        return ctx.issuer.name
    if PRONOUN_REFERENCE.search(text, 0, q.span[0]) and subject:
        return subject  # in a tracker's report "it" is the vendor named last
    later = [m for m in named if m.start >= q.span[1] and m.start - q.span[1] < 60]
    return later[0].name if later else None


def _overtaken(text: str, company: Mention, q: Quantity) -> bool:
    return (
        bool(OVERTAKEN.search(text, max(0, company.start - 25), company.start))
        and "," not in text[company.end : q.span[0]]
    )


def resolve_tracker(ctx: DocumentContext, text: str, att: Attachment) -> str | None:
    named = ctx.vocab.trackers.find(text)
    if named:
        return min(named, key=lambda m: abs(m.start - att.quantity.span[0])).name
    if ctx.tracker:
        return ctx.tracker
    if att.metric in ("market_share_pct", "market_rank"):
        mentioned = ctx.vocab.trackers.find(ctx.text)
        return mentioned[0].name if mentioned else None
    return None


def resolve_segment(ctx: DocumentContext, text: str, att: Attachment) -> str:
    """The segment a figure belongs to; "" for the whole company.

    A product ("XiaoAi", "MIUI") may be named anywhere earlier in the clause; a business segment must sit
    next to its revenue ("smartphone revenue", "revenue from IoT and lifestyle products"); a region must read
    as one ("in Europe", "mainland China's market") close to the figure. The nearest candidate wins.
    """
    q = att.quantity
    mention = att.mention
    anchor = min(q.span[0], mention.start) if mention else q.span[0]
    best: Mention | None = None
    for m in ctx.vocab.segments.find(text):
        segment = ctx.vocab.catalogue.segments[m.name]
        if not _segment_applies(segment, att.metric) or not _segment_in_reach(text, m, segment, q, mention, anchor):
            continue
        if best is None or abs(m.start - q.span[0]) < abs(best.start - q.span[0]):
            best = m
    if best is None and ctx.region and ctx.issuer is None:
        return ctx.region  # a tracker's report on one region ("Mainland China smartphone shipments …")
    return best.name if best else ""


def _segment_in_reach(text: str, m: Mention, segment, q: Quantity, mention: Mention | None, anchor: int) -> bool:
    if (
        mention is not None
        and m.start >= mention.start
        and m.end <= mention.end
        and segment.metrics != ("segment_revenue",)
    ):
        return False  # "smartphone" inside "smartphone shipments" names the metric, not a segment
    if not segment.metrics:  # a region
        opening = m.start <= 25  # "In mainland China, its smartphone market share rose to 16.8%"
        return (opening or anchor - 30 <= m.start) and m.start <= q.span[1] + 25 and _names_region(text, m, q, mention)
    if segment.metrics == ("segment_revenue",):
        target = mention.start if mention else q.span[0]
        return target - 30 <= m.start <= q.span[0]
    if m.end <= q.span[0]:
        previous = [f.end() for f in ANOTHER_FIGURE.finditer(text, clause_start(text, q.span[0]), m.start)]
        if previous and m.start - previous[-1] < q.span[0] - m.end:
            return False  # "sold 595,413 battery-electric vehicles, more than the 495,570": it names the first figure
    between = text[m.end : q.span[0]] if m.end <= q.span[0] else text[q.span[1] : m.start]
    return clause_start(text, q.span[0]) <= m.start <= q.span[1] + 25 and not ANOTHER_FIGURE.search(between)


def resolve_segment_words(ctx: DocumentContext, label: str, metric_id: str) -> str:
    """The segment a table row label names ("XiaoAi monthly active users in March (million)")."""
    for m in ctx.vocab.segments.find(label):
        segment = ctx.vocab.catalogue.segments[m.name]
        if segment.metrics and _segment_applies(segment, metric_id):
            return m.name
    return ""


def _names_region(text: str, region: Mention, q: Quantity, mention: Mention | None) -> bool:
    """A region counts when it reads as one ("in Europe", "China's market", "mainland China monthly active
    users") and no comma parts it from the figure — unless it opens the sentence ("In mainland China, …")."""
    if not (
        REGION_BEFORE.search(text, max(0, region.start - 12), region.start) or REGION_AFTER.match(text[region.end :])
    ):
        return False
    if region.start <= 25:
        return True
    near = q if mention is None or abs(mention.start - region.start) > abs(q.span[0] - region.start) else None
    lo, hi = sorted((region.end, near.span[0] if near else mention.start))
    return "," not in text[lo:hi] or hi - lo < 3


def _segment_applies(segment, metric_id: str) -> bool:
    if metric_id == "revenue":
        return segment.applies_to("segment_revenue") and bool(segment.metrics)
    return segment.applies_to(metric_id)


def resolve_period(
    ctx: DocumentContext,
    att: Attachment,
    periods: list[PeriodMention],
    kind: str,
    inherited: Period | None,
    text: str = "",
) -> tuple[Period | None, bool]:
    """The period a figure belongs to, and whether the sentence states it.

    Stated in the sentence first; else the period an earlier sentence of the paragraph stated; else the
    period the release reports on."""
    q = att.quantity
    if att.metric == "investment_commitment":
        return (Period.instant(ctx.published), True) if ctx.published else (None, False)
    period, explicit = _stated_period(q, periods, att.comparative, text)
    if period is None:
        period = inherited or ctx.main_period
        if att.comparative and period is not None:
            period = _previous_period(ctx.calendar, period, text)
    if period is None:
        return None, False
    return fit_period(period, att.metric, kind, ctx.calendar), explicit


def _previous_period(calendar: FiscalCalendar, period: Period, text: str) -> Period:
    """The period a comparative refers to: the previous quarter when the sentence says so, else a year earlier."""
    if period.days <= 100 and re.search(
        r"previous quarter|prior quarter|last quarter|sequential|quarter-on-quarter|qoq", text, re.IGNORECASE
    ):
        return calendar.previous_quarter(period)
    return calendar.shift_years(period, -1)


def _stated_period(
    q: Quantity, periods: list[PeriodMention], comparative: bool, text: str
) -> tuple[Period | None, bool]:
    """The period phrase that governs a figure: the nearest one before it, or one that follows closely.

    A period far after the figure usually belongs to a clause of its own ("… even after it was added to
    the Entity List in May"), so it is left to the paragraph's period instead.
    """
    usable = [p for p in periods if p.period is not None]
    if comparative:
        after = [p for p in usable if 0 <= p.span[0] - q.span[1] <= 45 and p.grain != "relative"]
        return (after[0].period, True) if after else (None, False)
    plain = [p for p in usable if not p.comparative]
    before = [p for p in plain if p.span[1] <= q.span[0]]
    after = [
        p
        for p in plain
        if p.span[0] >= q.span[1]
        and p.span[0] - q.span[1] <= FOLLOWING_PERIOD_REACH
        and "," not in text[q.span[1] : p.span[0]]
    ]
    if after and (not before or after[0].span[0] - q.span[1] < q.span[0] - before[-1].span[1]):
        return after[0].period, True
    if before:
        return before[-1].period, True
    return None, False


def fit_period(period: Period, metric_id: str, kind: str, calendar: FiscalCalendar) -> Period:
    """Stocks are taken at the period's end; monthly users in the period's last month; a flow stated
    "by the end of" a day covers the fiscal year (or else the quarter) ending that day."""
    if kind in ("stock", "instant"):
        return period if period.kind == "instant" else Period.instant(period.end)
    if metric_id == "monthly_active_users" and period.days > 31:
        return month_period(period.end.year, period.end.month)
    if period.kind == "instant":
        return calendar.period_ending(period.end, 12) or calendar.period_ending(period.end, 3) or period
    return period


# ---------------------------------------------------------------------------------- merging


def merge_duplicates(facts: list[Fact]) -> list[Fact]:
    """One fact per key and value; the same figure stated twice keeps every span, the surest wins."""
    merged: dict[tuple, Fact] = {}
    order: list[tuple] = []
    for fact in facts:
        key = (*fact.key(), round(fact.value, 6), fact.currency)
        found = next(
            (k for k in order if k[:-2] == key[:-2] and _same_value(k[-2], fact.value) and k[-1] == fact.currency), None
        )
        if found is None:
            merged[key] = replace(fact, spans=[fact.span])
            order.append(key)
            continue
        kept = merged[found]
        kept.spans.append(fact.span)
        if fact.confidence > kept.confidence:
            merged[found] = replace(
                fact, spans=kept.spans, change_pct=fact.change_pct if fact.change_pct is not None else kept.change_pct
            )
        elif kept.change_pct is None:
            kept.change_pct = fact.change_pct
    return [merged[k] for k in order]


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)
