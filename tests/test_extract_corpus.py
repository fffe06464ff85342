"""Extraction scored on the labelled corpus of sample releases, and provenance of every fact."""

from __future__ import annotations

import pytest

from metrics.document import load_document
from metrics.extract import extract_facts
from metrics.score import overall, read_expected, release_files, score_corpus

RELEASES = release_files()


@pytest.fixture(scope="module")
def scores():
    return score_corpus()


def test_corpus_is_big_and_labelled():
    assert len(RELEASES) >= 40
    assert all(read_expected(path) is not None for path in RELEASES)
    assert sum(len(read_expected(path)) for path in RELEASES) >= 250


def test_corpus_f1_overall(scores):
    total = overall(scores)
    assert total.f1 >= 0.95, f"overall F1 {total.f1:.3f} (P {total.precision:.3f}, R {total.recall:.3f})"


def test_every_file_f1(scores):
    weak = {s.name: round(s.f1, 3) for s in scores if s.f1 < 0.85}
    assert not weak, f"files under F1 0.85: {weak}"


@pytest.mark.parametrize("path", RELEASES, ids=lambda p: p.name)
def test_spans_point_at_the_figure_and_evidence_holds_it(path):
    doc = load_document(path)
    for fact in extract_facts(doc):
        start, end = fact.span
        raw = doc.text[start:end]
        assert raw.strip() and any(ch.isdigit() or ch.isalpha() for ch in raw)
        assert " ".join(raw.split()) in fact.evidence
        assert fact.period_start <= fact.period_end
        assert 0 < fact.confidence <= 1
