"""Loading releases: every format and encoding from real bytes built here, and the ways input goes wrong."""

from __future__ import annotations

import doctest
import hashlib
import io
import random
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

import metrics.document
from metrics.document import MAX_BYTES, Document, load_document, load_document_bytes, normalise_text
from metrics.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
RELEASE = "Xiaomi’s revenue was RMB 70.5 billion, up 24.8% year-over-year.\nShipments reached 43.0 million units.\n"
CHINESE = "小米集团2020年第四季度总收入为人民币704.6亿元,同比增长24.8%。"

# -- fixtures: real files made with the real tools ----------------------------------------------------------


def make_pdf(paragraphs: list[str], title: str | None = None, encrypt: str | None = None) -> bytes:
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, title=title, encrypt=encrypt)
    style = getSampleStyleSheet()["Normal"]
    template.build([Paragraph(text, style) for text in paragraphs])
    return buffer.getvalue()


def make_pdf_without_text() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.rect(100, 100, 200, 300, fill=1)  # what a scanned page looks like to a text extractor: no text at all
    page.showPage()
    page.save()
    return buffer.getvalue()


PDF_PARAGRAPHS = [
    "Xiaomi Corporation announced that total revenue reached RMB 70.5 billion in the fourth quarter of 2020, up "
    "24.8% year-over-year, driven by smartphones and IoT products sold in more than 100 countries and regions.",
    "Smartphone shipments reached 43.0 million units. Gross profit was RMB 9.0 billion.",
]

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Xiaomi reports Q4 2020 results | Example Newsroom</title>
<meta property="og:title" content="Xiaomi reports Q4 2020 results">
<meta property="article:published_time" content="2021-03-24T08:00:00+08:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/gadgets">Gadget Reviews Menu</a></li>
<li><a href="/subscribe">Subscribe Newsletter Today</a></li></ul></nav></header>
<main><article>
<h1>Xiaomi reports Q4 2020 results</h1>
<p>Beijing, March 24, 2021 — Xiaomi Corporation said total revenue reached RMB&nbsp;70.5 billion in the
fourth quarter, up 24.8% year-over-year.</p>
<p>Smartphone shipments reached 43.0 million units, and the company ranked No. 3 globally according to Canalys.</p>
<table><tr><th>Item</th><th>4Q2020</th><th>4Q2019</th><th>Change</th></tr>
<tr><td>Revenue</td><td>70,462.9</td><td>56,469.7</td><td>24.8%</td></tr></table>
<p>Cash on hand stood at RMB 108 billion<br>as of December 31, 2020.</p>
</article></main>
<footer><p>Copyright 2021 Example Media Holdings. All rights reserved. Privacy Policy</p></footer>
</body></html>"""


def load(data: bytes, name: str = "release.txt", media_type: str | None = None) -> Document:
    return load_document_bytes(data, name=name, media_type=media_type)


# -- text and encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (RELEASE.encode("utf-8"), "utf-8"),
        (RELEASE.encode("utf-8-sig"), "utf-8"),
        (RELEASE.encode("utf-16"), "utf-16-le"),  # Python writes a little-endian BOM
        (b"\xfe\xff" + RELEASE.encode("utf-16-be"), "utf-16-be"),
        (RELEASE.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by its NUL bytes
        (RELEASE.encode("utf-32"), "utf-32-le"),
        (RELEASE.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le-no-bom", "utf-32", "crlf"],
)
def test_unicode_encodings_decode_to_the_same_text(data, encoding):
    doc = load(data)
    assert doc.text == RELEASE.strip()
    assert doc.encoding == encoding
    assert doc.media_type == "text/plain"
    assert doc.title == "Xiaomi’s revenue was RMB 70.5 billion, up 24.8% year-over-year."
    assert doc.published is None


def test_same_release_in_utf8_utf16_and_crlf_has_one_id():
    ids = {
        load(RELEASE.encode("utf-8")).sha256,
        load(RELEASE.encode("utf-16")).sha256,
        load(RELEASE.replace("\n", "\r\n").encode("utf-8-sig")).sha256,
        load(RELEASE.replace("\n", "\r\n").encode("utf-16-be")).sha256,
    }
    assert ids == {hashlib.sha256(RELEASE.strip().encode("utf-8")).hexdigest()}


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (CHINESE, "gbk"),
        ("小米集團2020年第四季度總收入為人民幣704.6億元,同比增長24.8%。", "big5"),
        ("The company said “revenue grew 5%” to €70.5 million — a record.", "cp1252"),
        ("Café revenue rose to 5 million in Zürich.", "latin-1"),
        ("シャオミの売上高は704億元でした。", "shift_jis"),
    ],
    ids=["gbk", "big5", "cp1252-curly-quotes-euro", "latin-1", "shift-jis"],
)
def test_legacy_encodings_are_detected(text, codec):
    doc = load(text.encode(codec))
    assert doc.text == text
    assert doc.encoding  # names differ by detector (gb18030 for GBK, cp932 for Shift-JIS): not asserted


def test_full_width_figures_in_chinese_become_ascii():
    doc = load("小米集团２０２０年第四季度总收入为人民币７０４．６亿元，同比增长２４．８％。".encode("gb18030"))
    assert doc.text == CHINESE


def test_empty_and_whitespace_only_input_give_empty_text():
    for data in (b"", b" \r\n\t\n", "\u3000 \n".encode("utf-16")):
        doc = load(data)
        assert doc.text == "" and doc.title == ""
        assert doc.sha256 == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        bytes(b for b in random.Random(8).randbytes(4096) if b),
        b"ab\x01\x02\x03c" * 50,
    ],
    ids=["random", "random-without-nul", "control-characters"],
)
def test_binary_input_is_refused(data):
    with pytest.raises(InputError, match="looks like a binary file"):
        load(data)


@pytest.mark.parametrize(
    ("data", "what"),
    [(b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"), (b"PK\x03\x04" + bytes(64), "ZIP archive")],
)
def test_known_binary_formats_are_named(data, what):
    with pytest.raises(InputError, match=what):
        load(data, name="release.docx")


def test_bytes_that_decode_in_no_encoding_are_refused():
    soup = b"Revenue \x81\x8d\x8f\x90\x9d was \xff\xfe\xfa \xc3\x28 RMB \xe4\xb8 70.5 \xa1\xa1\xa1 billion \x80"
    with pytest.raises(InputError, match=r"cannot decode .* as text \(tried UTF-8, GB18030, Big5, cp1252\)"):
        load(soup)


def test_a_50_mb_file_is_refused_at_once_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: nothing is written
    started = time.perf_counter()
    with pytest.raises(InputError, match="over the 20 MB limit"):
        load_document(path)
    assert time.perf_counter() - started < 1.0


def test_bytes_over_the_limit_are_refused():
    with pytest.raises(InputError, match="20 MB"):
        load(b"a" * (MAX_BYTES + 1))


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_document(tmp_path / "missing.txt")


def test_load_document_reads_the_file_and_keeps_its_path(tmp_path):
    path = tmp_path / "q4.md"
    path.write_bytes(b"# Q4 results\r\n\r\nRevenue grew.\r\n")
    doc = load_document(path)
    assert (doc.text, doc.title, doc.source, doc.media_type) == (
        "Q4 results\n\nRevenue grew.",
        "Q4 results",
        str(path),
        "text/markdown",
    )


# -- media types ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type", "data", "expected"),
    [
        ("a.txt", None, b"<html><p>x</p>", "text/plain"),  # the extension wins over sniffing
        ("a.HTM", None, b"Revenue grew.", "text/html"),
        ("a.markdown", None, b"Revenue grew.", "text/markdown"),
        ("stdin", None, b"  <!DOCTYPE html><p>Revenue grew.</p>", "text/html"),
        ("stdin", None, b"Revenue grew.", "text/plain"),
        ("upload", "text/markdown; charset=utf-8", b"Revenue grew.", "text/markdown"),
        ("upload.txt", "application/xhtml+xml", b"<p>Revenue grew.</p>", "text/html"),
        ("upload.md", "application/octet-stream", b"Revenue grew.", "text/markdown"),
    ],
)
def test_media_type_comes_from_the_declared_type_the_extension_or_the_bytes(name, media_type, data, expected):
    assert load(data, name=name, media_type=media_type).media_type == expected


def test_pdf_signature_wins_over_a_text_name():
    assert load(make_pdf(PDF_PARAGRAPHS), name="release.txt").media_type == "application/pdf"


# -- HTML -----------------------------------------------------------------------------------------------------


def test_html_article_keeps_figures_and_drops_navigation():
    doc = load(NEWS_PAGE.encode("utf-8"), name="q4.html")
    assert "total revenue reached RMB 70.5 billion in the fourth quarter, up 24.8% year-over-year." in doc.text
    assert "ranked No. 3 globally" in doc.text
    assert "Revenue 70,462.9 56,469.7 24.8%" in doc.text  # table row flattened to one line
    assert "stood at RMB 108 billion\nas of December 31, 2020." in doc.text  # <br> is a line break
    for boilerplate in ("Gadget Reviews Menu", "Subscribe Newsletter", "Copyright 2021", "Privacy Policy"):
        assert boilerplate not in doc.text
    assert doc.title == "Xiaomi reports Q4 2020 results"
    assert doc.published == date(2021, 3, 24)
    assert (doc.media_type, doc.encoding) == ("text/html", "utf-8")


def test_html_paragraphs_are_separated_by_blank_lines():
    doc = load(NEWS_PAGE.encode("utf-8"), name="q4.html")
    assert "year-over-year.\n\nSmartphone shipments" in doc.text


def test_html_loads_the_same_every_time():
    assert load(NEWS_PAGE.encode(), name="a.html") == load(NEWS_PAGE.encode(), name="a.html")


def test_truncated_html_gives_its_text():
    doc = load(b"<html><body><p>Revenue was RMB 70.5 billion<div", name="broken.html")
    assert doc.text == "Revenue was RMB 70.5 billion"


@pytest.mark.parametrize(
    "data", [b"<html><body></body></html>", b"<html><head><script>var x = 1;</script></head><body><div></div>"]
)
def test_html_without_text_is_refused(data):
    with pytest.raises(InputError, match="no readable text in HTML"):
        load(data, name="empty.html")


def test_html_fragment_gives_its_text_with_list_items_as_lines():
    doc = load(b"<div><span>Revenue</span> <b>grew</b> 5%<ul><li>one</li><li>two</li></ul></div>", name="a.html")
    assert doc.text == "Revenue grew 5%\n\n- one\n- two"


def test_fallback_takes_every_visible_text_with_block_breaks():
    # trafilatura (favour recall) returns text for every page we could build; the fallback is for when it
    # returns nothing or fails, so it is checked directly.
    tree = metrics.document._parse_html(
        "<html><head><title>T</title><style>p {}</style></head><body><nav>Home</nav><p>Revenue <b>grew</b>"
        "\n 5%<br>in 2020</p><table><tr><td>Revenue</td><td>70.5</td></tr><tr><td>Profit</td><td>9</td></tr>"
        "</table><script>var x;</script>tail</body></html>"
    )
    text = normalise_text(metrics.document._extract_all_text(tree))
    assert text == "Home\n\nRevenue grew 5%\nin 2020\n\nRevenue 70.5\nProfit 9\n\ntail"


def test_html_in_gbk_uses_the_declared_charset():
    page = f"<html><head><meta charset='gb2312'><title>小米业绩</title></head><body><p>{CHINESE}</p></body></html>"
    doc = load(page.encode("gbk"), name="cn.html")
    assert (doc.text, doc.title, doc.encoding) == (CHINESE, "小米业绩", "gb18030")


def test_html_in_cp1252_declared_as_latin_1():
    page = (
        "<html><head><meta charset='iso-8859-1'></head><body><p>It said “sales rose” to €5 million.</p></body></html>"
    )
    assert load(page.encode("cp1252"), name="a.html").text == "It said “sales rose” to €5 million."


# -- PDF ------------------------------------------------------------------------------------------------------


def test_pdf_text_and_title():
    doc = load(make_pdf(PDF_PARAGRAPHS, title="Xiaomi Q4 2020 Results"), name="q4.pdf")
    assert "total revenue reached RMB 70.5 billion" in doc.text
    assert "Smartphone shipments reached 43.0 million units. Gross profit was RMB 9.0 billion." in doc.text
    assert doc.title == "Xiaomi Q4 2020 Results"
    assert (doc.media_type, doc.encoding, doc.published) == ("application/pdf", None, None)


def test_pdf_placeholder_title_gives_way_to_the_first_line():
    doc = load(make_pdf(["Xiaomi Announces Results", "Revenue grew."]), name="q4.pdf")  # reportlab: "untitled"
    assert doc.title == "Xiaomi Announces Results"


def test_pdf_without_text_is_refused():
    with pytest.raises(InputError, match=r"PDF has no extractable text \(scanned\?\)"):
        load(make_pdf_without_text(), name="scan.pdf")


@pytest.mark.parametrize(
    "data",
    [make_pdf(PDF_PARAGRAPHS)[:400], b"%PDF-1.4\n" + bytes(range(256)) * 8, b"not a pdf at all"],
    ids=["truncated", "garbage-after-header", "no-header"],
)
def test_corrupt_pdf_is_refused_with_a_reason(data):
    with pytest.raises(InputError, match="not a readable PDF"):
        load(data, name="bad.pdf")


def test_password_protected_pdf_is_refused():
    with pytest.raises(InputError, match="encrypted"):
        load(make_pdf(PDF_PARAGRAPHS, encrypt="secret"), name="locked.pdf")


# -- Markdown -------------------------------------------------------------------------------------------------

MARKDOWN = """---
title: "Xiaomi Q4 2020: revenue up 24.8%"
date: 2021-03-24
---

# Xiaomi Q4 2020 results

**Beijing, 24 March 2021** — Xiaomi [announced](https://ir.mi.com/q4_(2020).pdf) its _results_.

| Item | 4Q2020 | 4Q2019 | Change |
|:-----|-------:|-------:|-------:|
| **Revenue** | 70,462.9 | 56,469.7 | 24.8% |
| Gross profit | 9,012.3 | 7,000.1 | 28.7% |

* Smartphone shipments: 43.0 million
* MIUI MAU in `December`: 396.5 million
"""


def test_markdown_table_becomes_flattened_rows():
    doc = load(MARKDOWN.encode(), name="q4.md")
    assert "Item 4Q2020 4Q2019 Change\nRevenue 70,462.9 56,469.7 24.8%\nGross profit 9,012.3 7,000.1 28.7%" in doc.text


def test_markdown_markup_is_removed_and_front_matter_is_metadata():
    doc = load(MARKDOWN.encode(), name="q4.md")
    assert doc.text.startswith("Xiaomi Q4 2020 results\n\nBeijing, 24 March 2021 — Xiaomi announced its results.")
    assert "- Smartphone shipments: 43.0 million\n- MIUI MAU in December: 396.5 million" in doc.text
    assert (doc.title, doc.published) == ("Xiaomi Q4 2020: revenue up 24.8%", date(2021, 3, 24))
    for markup in ("**", "](", "|", "#", "`", "---"):
        assert markup not in doc.text


def test_markdown_cleaning_leaves_arithmetic_and_identifiers_alone():
    doc = load(b"Margin was 2 * 3 * 4 in snake_case_name and 5*3*2.", name="a.md")
    assert doc.text == "Margin was 2 * 3 * 4 in snake_case_name and 5*3*2."


@pytest.mark.parametrize(
    "text",
    ["**a " * 50_000, "[a](" * 50_000, "[" * 200_000, "<http:" * 50_000, "__a " * 50_000, "*a " * 50_000,
     "a|b\n" * 50_000],
    ids=["stars", "open-links", "brackets", "autolinks", "underscores", "emphasis", "pipes"],
)  # fmt: skip
def test_hostile_markdown_loads_in_linear_time(text):
    started = time.perf_counter()
    load(text.encode(), name="hostile.md")
    assert time.perf_counter() - started < 2.0


# -- normalisation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("２０２０年 Ｑ４ ７０．５％", "2020年 Q4 70.5%"),
        ("RMB\u00a070.5\u202fbillion\u2009here", "RMB 70.5 billion here"),
        ("1\u2009234 units", "1 234 units"),  # a thin space between digit groups stays a space
        ("70\u200b,462.9\u00ad", "70,462.9"),
        ("down \u22125.2% (–3.1%) and —4", "down -5.2% (-3.1%) and -4"),
        ("2020–2021 and 10–15%", "2020–2021 and 10–15%"),  # a range dash stays
        ("“Quoted” ™ ½ ² 小米", "“Quoted” ™ ½ ² 小米"),
        ("line  \nnext\t\n", "line\nnext"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("a\u2029b\u2028c\x0cd", "a\n\nb\nc\n\nd"),
        ("  \n indented first line", "indented first line"),
    ],
    ids=["newlines", "full-width", "spaces", "thin-space-in-number", "invisible", "minus", "range-dash", "kept",
         "trailing-space", "blank-lines", "unicode-line-breaks", "strip"],
)  # fmt: skip
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_normalise_text_is_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once


SPECIAL = "\r\n\t \u00a0\u2009\u200b\u00ad\u2212\u2013\u2014\uff10\uff05\u3000\u2028\u2029\x0c(-.5"
weird_text = st.lists(st.sampled_from([*SPECIAL, "a", "1", "\n\n\n", "  "]), max_size=60).map("".join)


@settings(max_examples=500, deadline=None)
@given(weird_text)
def test_normalise_text_is_idempotent_on_the_characters_it_changes(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once and once == once.strip()


def test_doctests():
    result = doctest.testmod(metrics.document, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# -- the bundled sample releases -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((ROOT / "data" / "releases").glob("*.*")), ids=lambda path: path.name)
def test_bundled_releases_load(path):
    doc = load_document(path)
    assert doc.text and doc.title and len(doc.title) <= 200
    assert doc.text == normalise_text(doc.text)
