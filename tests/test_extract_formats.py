"""The same release as text, HTML and PDF yields the same facts; stdin works; the CLI contract holds."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.document import load_document, load_document_bytes
from metrics.extract import extract_facts
from metrics.facts import FACT_FIELDS

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "data" / "releases" / "012_xiaomi_fy2021_results.md"
PROSE = ROOT / "data" / "releases" / "002_xiaomi_q3_2019_news.txt"


def _key(fact) -> tuple:
    return (
        fact.company,
        fact.metric,
        fact.segment,
        fact.period_start,
        fact.period_end,
        round(fact.value, 3),
        fact.currency,
    )


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _as_html(text: str, published: str) -> bytes:
    paras = _paragraphs(text)
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras[1:])
    page = (
        f"<html><head><title>{html.escape(paras[0])}</title><meta name='date' content='{published}'></head>"
        f"<body><nav><a href='/'>Home</a> | <a href='/ir'>Investors</a></nav><article><h1>{html.escape(paras[0])}</h1>"
        f"{body}</article><footer>Copyright notice. All rights reserved.</footer></body></html>"
    )
    return page.encode("utf-8")


def _as_pdf(text: str, tmp_path: Path) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    path = tmp_path / "release.pdf"
    styles = getSampleStyleSheet()
    story = [Paragraph(html.escape(p), styles["BodyText"]) for p in _paragraphs(text)]
    SimpleDocTemplate(str(path), pagesize=A4, title="release").build(story)
    return path.read_bytes()


@pytest.fixture(scope="module")
def text_facts():
    return {_key(f) for f in extract_facts(load_document(PROSE))}


def test_html_gives_the_same_facts(text_facts):
    raw = PROSE.read_text(encoding="utf-8")
    doc = load_document_bytes(_as_html(raw, "2019-11-27"), name="release.html")
    assert {_key(f) for f in extract_facts(doc)} == text_facts


def test_pdf_gives_the_same_facts(text_facts, tmp_path):
    raw = PROSE.read_text(encoding="utf-8")
    doc = load_document_bytes(_as_pdf(raw, tmp_path), name="release.pdf")
    assert {_key(f) for f in extract_facts(doc)} == text_facts


def test_stdin_and_the_jsonl_contract():
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "extract", "-", "--company", "Xiaomi", "--published", "2022-03-22"],
        input=RELEASE.read_bytes(),
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    facts = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(facts) >= 10
    for fact in facts:
        assert list(fact) == list(FACT_FIELDS)
        assert fact["company"] == "Xiaomi"
        assert fact["period_kind"] in ("duration", "instant")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Total revenue amounted to RMB70.5 billion, representing an increase of 24.8% year-on-year.",
            ("revenue", 70.5e9, "CNY"),
        ),
        (
            "The Company posted quarterly revenue of $111.4 billion, up 21 percent year over year.",
            ("revenue", 111.4e9, "USD"),
        ),
        ("Our smartphone shipments reached 42.3 million units in the quarter.", ("smartphone_shipments", 42.3e6, None)),
        ("We delivered over 405,000 vehicles in the quarter.", ("ev_deliveries", 405000, None)),
        (
            "The monthly active users of MIUI reached 396.5 million in December 2020.",
            ("monthly_active_users", 396.5e6, None),
        ),
        ("Adjusted net profit was RMB3.2 billion, up 36.7% year-on-year.", ("adjusted_net_profit", 3.2e9, "CNY")),
    ],
    ids=["revenue-amounted", "apple-revenue", "shipments-reached", "tesla-delivered", "miui-mau", "adjusted"],
)
def test_common_release_sentences(sentence, expected):
    doc = load_document_bytes(
        f"Xiaomi Corporation results\n\nBEIJING, March 24, 2021 -- {sentence}".encode(), name="x.txt"
    )
    facts = extract_facts(doc, company="Tesla" if "vehicles" in sentence else None)
    metric, value, currency = expected
    assert [(f.metric, f.value, f.currency) for f in facts if f.metric == metric] == [(metric, value, currency)]
