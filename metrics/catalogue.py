"""The metric and segment vocabulary, read once from ``catalogue.toml``.

The catalogue is data: a new way of saying a metric is a new synonym in the TOML file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")
UNITS = ("currency", "units", "devices", "users", "vehicles", "percent", "rank", "countries")
STOCK_KINDS = ("stock", "instant")


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    label: str
    unit: str
    kind: str  # flow | stock | instant
    synonyms: tuple[str, ...]
    verbs: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()

    @property
    def is_stock(self) -> bool:
        """Stocks are levels at an instant (devices, cash); flows are a period's total."""
        return self.kind in STOCK_KINDS


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    words: tuple[str, ...]
    metrics: tuple[str, ...]  # empty: applies to any metric

    def applies_to(self, metric_id: str) -> bool:
        return not self.metrics or metric_id in self.metrics


@dataclass(frozen=True, slots=True)
class Catalogue:
    metrics: dict[str, Metric]
    segments: dict[str, Segment]
    segment_aliases: dict[str, str]
    trackers: tuple[str, ...]

    def canonical_segment(self, metric_id: str, segment: str) -> str:
        """Map a segment as written in curated data to ours ("global" -> "").

        >>> load_catalogue().canonical_segment("smartphone_shipments", "global")
        ''
        >>> load_catalogue().canonical_segment("market_share_pct", "mainland China")
        'mainland China'
        """
        segment = (segment or "").strip()
        for key in (f"{metric_id}/{segment}", f"*/{segment}"):
            if key in self.segment_aliases:
                return self.segment_aliases[key]
        return segment

    def tracker_named_in(self, text: str) -> str | None:
        """The research firm a note or sentence names first, if any.

        >>> load_catalogue().tracker_named_in("IDC preliminary (Jan 2024)")
        'IDC'
        >>> load_catalogue().tracker_named_in("Xiaomi results announcement") is None
        True
        """
        lowered = text.lower()
        best: tuple[int, str] | None = None
        for name in self.trackers:
            pos = _find_word(lowered, name.lower())
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, name)
        return _canonical_tracker(best[1]) if best else None


def _find_word(haystack: str, needle: str) -> int:
    start = 0
    while (pos := haystack.find(needle, start)) >= 0:
        before = haystack[pos - 1] if pos else " "
        end = pos + len(needle)
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and not after.isalnum():
            return pos
        start = pos + 1
    return -1


def _canonical_tracker(name: str) -> str:
    return {"China Passenger Car Association": "CPCA", "Omdia (Canalys)": "Canalys"}.get(name, name)


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    metrics = {
        key: Metric(
            id=key,
            label=m["label"],
            unit=m["unit"],
            kind=m["kind"],
            synonyms=tuple(m.get("synonyms", ())),
            verbs=tuple(m.get("verbs", ())),
            objects=tuple(m.get("objects", ())),
        )
        for key, m in raw["metrics"].items()
    }
    segments = {
        name: Segment(name=name, words=tuple(s["words"]), metrics=tuple(s.get("metrics", ())))
        for name, s in raw["segments"].items()
    }
    return Catalogue(
        metrics=metrics,
        segments=segments,
        segment_aliases=dict(raw.get("segment_aliases", {})),
        trackers=tuple(raw["trackers"]["names"]),
    )
