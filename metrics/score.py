"""Precision and recall of ``extract`` against the labelled corpus (``data/releases`` + ``expected/``).

A predicted fact matches an expected one when company, metric, segment and currency are equal, the
period ends within 3 days, and the value is within 0.5 %. Each expected fact matches at most once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from metrics.document import load_document
from metrics.extract import extract_facts

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "releases"
RELEASE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
PERIOD_END_TOLERANCE_DAYS = 3
VALUE_TOLERANCE = 0.005


@dataclass
class FileScore:
    name: str
    expected: int
    predicted: int
    matched: int
    missed: list[dict] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def facts_match(expected: dict, predicted: dict) -> bool:
    """
    >>> e = {"company": "Xiaomi", "metric": "revenue", "segment": "", "currency": "CNY", "period_end": "2020-12-31", "value": 100.0}
    >>> facts_match(e, {**e, "value": 100.4, "period_end": "2021-01-02"})
    True
    >>> facts_match(e, {**e, "value": 101.0})
    False
    """
    for key in ("company", "metric", "segment", "currency"):
        if (expected.get(key) or "") != (predicted.get(key) or ""):
            return False
    days = abs((date.fromisoformat(expected["period_end"]) - date.fromisoformat(predicted["period_end"])).days)
    if days > PERIOD_END_TOLERANCE_DAYS:
        return False
    a, b = float(expected["value"]), float(predicted["value"])
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b), 1e-12)


def score_file(expected: list[dict], predicted: list[dict], name: str = "") -> FileScore:
    unmatched = list(expected)
    spurious = []
    for fact in predicted:
        hit = next((e for e in unmatched if facts_match(e, fact)), None)
        if hit is None:
            spurious.append(fact)
        else:
            unmatched.remove(hit)
    matched = len(expected) - len(unmatched)
    return FileScore(name, len(expected), len(predicted), matched, unmatched, spurious)


def release_files(folder: Path = CORPUS_DIR) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix.lower() in RELEASE_SUFFIXES and not p.stem.upper().startswith("README")
    )


def read_expected(release: Path) -> list[dict]:
    path = release.parent / "expected" / f"{release.stem}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_corpus(folder: Path = CORPUS_DIR) -> list[FileScore]:
    scores = []
    for release in release_files(folder):
        predicted = [f.to_dict() for f in extract_facts(load_document(release))]
        scores.append(score_file(read_expected(release), predicted, release.name))
    return scores


def overall(scores: list[FileScore]) -> FileScore:
    total = FileScore("overall", 0, 0, 0)
    for s in scores:
        total.expected += s.expected
        total.predicted += s.predicted
        total.matched += s.matched
    return total


def format_report(scores: list[FileScore], verbose: bool = False) -> str:
    lines = [f"{'file':<52} {'exp':>4} {'pred':>4} {'ok':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for s in [*scores, overall(scores)]:
        lines.append(
            f"{s.name:<52} {s.expected:>4} {s.predicted:>4} {s.matched:>4} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
        )
        if verbose:
            lines += [f"    missed   {_short(f)}" for f in s.missed]
            lines += [f"    spurious {_short(f)}" for f in s.spurious]
    return "\n".join(lines)


def _short(f: dict) -> str:
    return f"{f['company']} {f['metric']} [{f['segment']}] {f['period_start']}..{f['period_end']} {f['value']:g} {f.get('currency') or ''}"
