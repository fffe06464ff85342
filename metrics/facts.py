"""The fact: one reported figure with its metric, period, unit, currency and provenance (design §3)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

# The JSONL / CSV contract of `python -m metrics extract`: exactly these keys, in this order.
FACT_FIELDS = (
    "company", "metric", "segment", "period_start", "period_end", "period_kind", "value", "unit",
    "currency", "qualifier", "attributed_to", "comparative", "confidence", "span", "evidence",
)  # fmt: skip


@dataclass(slots=True)
class Fact:
    company: str
    metric: str
    segment: str
    period_start: date
    period_end: date
    period_kind: str  # duration | instant
    value: float
    unit: str
    currency: str | None
    qualifier: str | None
    attributed_to: str | None
    comparative: bool
    confidence: float
    span: tuple[int, int]
    evidence: str
    # Kept on the fact for the store, not part of the JSONL contract:
    change_pct: float | None = None
    rule: str = ""  # which mechanism produced it (sentence, table, comparative …), for review
    spans: list[tuple[int, int]] = field(default_factory=list)  # every place the same fact is stated

    def key(self) -> tuple:
        """One fact per company × metric × segment × period × source per document."""
        return (self.company, self.metric, self.segment, self.period_start, self.period_end, self.attributed_to)

    def to_dict(self) -> dict:
        """The contract's fields only, JSON-ready (ISO dates, span as a list)."""
        data = asdict(self)
        out = {name: data[name] for name in FACT_FIELDS}
        out["period_start"] = self.period_start.isoformat()
        out["period_end"] = self.period_end.isoformat()
        out["span"] = list(self.span)
        return out

    def to_record(self) -> dict:
        """Every field, for storing: the contract's plus change_pct, rule and span bounds."""
        out = self.to_dict()
        out.update(change_pct=self.change_pct, rule=self.rule, span_start=self.span[0], span_end=self.span[1])
        out["period_start"], out["period_end"] = self.period_start, self.period_end
        del out["span"]
        return out
