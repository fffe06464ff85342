"""Load a release (text, Markdown, HTML or PDF bytes) into one normalised text with its title and date.

Every span the system stores points into ``Document.text``, and the document id is the sha256 of that text,
so everything that could make two copies of one release differ (CRLF, UTF-16, full-width digits, non-breaking
spaces, Markdown markup) is settled here, once. Bad input raises ``InputError`` with a one-line reason the
command line prints as is; nothing here prints, logs or touches the network.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from metrics.errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # press releases are kilobytes; anything this big is the wrong file

TEXT, MARKDOWN, HTML, PDF = "text/plain", "text/markdown", "text/html", "application/pdf"
MEDIA_TYPES_BY_EXTENSION = {
    ".txt": TEXT, ".text": TEXT, ".md": MARKDOWN, ".markdown": MARKDOWN,
    ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".pdf": PDF,
}  # fmt: skip
MEDIA_TYPE_ALIASES = {"text/x-markdown": MARKDOWN, "application/xhtml+xml": HTML, "application/x-pdf": PDF}

# File signatures of formats that are not releases, to refuse them by name rather than as "binary".
BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.pptx)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)

# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What charset-normalizer may choose from once strict UTF-8 failed. Kept short on purpose: left to itself it
# calls cp1252 text with curly quotes "cp775" and Latin text "cp1250", which decode to the wrong characters.
LEGACY_ENCODINGS = ("gb18030", "big5", "cp1252", "cp932", "euc_kr", "utf_16_le", "utf_16_be")
# What browsers decode a declared charset as (WHATWG): pages saying latin-1 are cp1252, gb2312 is GBK.
WEB_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
                       "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5-hkscs": "big5hkscs"}  # fmt: skip
TITLE_MAX = 200
PLACEHOLDER_TITLES = frozenset(["untitled", "untitled document", "title", "(anonymous)", "anonymous", "document"])
_FILE_NAME_TITLE = re.compile(r"\.(?:docx?|pdf|indd|pptx?|xlsx?|rtf)$|^Microsoft Word - ", re.IGNORECASE)
_SAMPLE = 65536  # bytes or characters looked at to tell text from binary
_TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\v\f\r\x1b"  # bytes that do not count as control characters

# -- normalisation tables ----------------------------------------------------------------------------------
# Explicit rather than NFKC, which would also rewrite ™, ½, ², ℃ and CJK compatibility characters.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！..～ -> !..~ (digits, ％ ， ．)
_FULL_WIDTH_SIGNS = {0xFFE0: "¢", 0xFFE1: "£", 0xFFE5: "¥", 0xFFE6: "₩"}
_SPACES = dict.fromkeys([0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " ")
_INVISIBLE = dict.fromkeys([0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])  # soft hyphen, zero-width
_HYPHENS = dict.fromkeys([0x2010, 0x2011, 0x2212, 0xFE63], "-")  # hyphens and the minus sign U+2212
_LINE_BREAKS = {0x0D: "\n", 0x0B: "\n", 0x0C: "\n\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n\n"}
_NORMALISE = str.maketrans(_FULL_WIDTH | _FULL_WIDTH_SIGNS | _SPACES | _INVISIBLE | _HYPHENS | _LINE_BREAKS)
# Runs of characters that _NORMALISE changes: translating only those is ~10x faster than str.translate on
# the whole text, which looks every character up in a dict.
_NORMALISED_CHARS = "[" + "".join(re.escape(chr(code)) for code in sorted(_NORMALISE)) + "]"
_TO_NORMALISE = re.compile(_NORMALISED_CHARS + _NORMALISED_CHARS + "*")  # not "+": re scans fast for a leading set
_DASH_AS_MINUS = re.compile(r"[\u2012-\u2015\ufe58](?<![^\s(\[].)(?=\.?\d)")  # "(–3.2%)" -> "(-3.2%)"
_BLANK_LINES = re.compile(r"\n{3,}")

# -- Markdown: remove what would confuse the figure grammar, never joining or moving lines --------------------
_MD_TABLE = re.compile(
    r"""^(?P<head>[^\n]*\|[^\n]*)\n                               # header row
        [ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*  # |---|:--:| delimiter row
        (?:\n|\Z)(?P<body>(?:[^\n]*\|[^\n]*(?:\n|\Z))*)                # body rows, until a line without a pipe
    """,
    re.MULTILINE | re.VERBOSE,
)
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<fields>(?:[^\n]*\n){0,60}?)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")
# Every unanchored pattern keeps its opening character out of the text it scans (``[^\[\]\n]``, ``[^*\n]``), so
# a scan stops at the next opener and no input makes the cleaning quadratic.
_MD_RULES = (  # (pattern, replacement), applied in order
    (re.compile(r"^[ \t]*(?:```|~~~).*$", re.MULTILINE), ""),  # code fences (the code stays)
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE), ""),  # [ref]: url definitions
    (re.compile(r"^[ \t]*(?:=+|-{3,}|\*{3,}|_{3,})[ \t]*$", re.MULTILINE), ""),  # setext underlines, rules
    (re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)", re.MULTILINE), ""),  # "## " heading marks
    (re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE), ""),  # closing "##" of a heading
    (re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE), ""),  # "> " quote marks
    (re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE), r"\1- "),  # "* item" -> "- item", before emphasis
    (re.compile(r"!?\[([^\[\]\n]*+)\]\((?:[^()\[\]\n]|\([^()\n]*+\))*+\)"), r"\1"),  # [text](url), ![alt](src)
    (re.compile(r"!?\[([^\[\]\n]++)\]\[[^\[\]\n]*+\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|mailto):[^<>\s]++)>"), r"\1"),  # <https://...> autolinks
    (re.compile(r"(?<!\\)\*\*(?=[^\s*])([^*\n]*+)(?<=\S)\*\*"), r"\1"),  # **strong**
    (re.compile(r"(?<![\w\\])__(?=[^\s_])([^_\n]*+)(?<=\S)__(?!\w)"), r"\1"),  # __strong__
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]*+)(?<=[^\s\\])\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"(?<![\w\\])_(?=[^\s_])([^_\n]*+)(?<=[^\s\\])_(?!\w)"), r"\1"),  # _emphasis_ (not snake_case)
    (re.compile(r"~~(?=[^\s~])([^~\n]*+)(?<=\S)~~"), r"\1"),  # ~~strike~~
    (re.compile(r"`([^`\n]++)`"), r"\1"),  # `code`
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),  # backslash escapes, last
)

# Parsers of untrusted files log their complaints; the command line promises one line on stderr, so keep
# their records away from logging's last-resort stderr handler (an application that configures logging
# still receives them through propagation).
for _name in ("pypdf", "trafilatura", "htmldate", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


@dataclass(frozen=True, slots=True)
class Document:
    """One release, as every later step sees it."""

    text: str  # normalised text; every span in the system indexes this string
    title: str  # headline: metadata title, else the first non-empty line (at most TITLE_MAX characters)
    published: date | None  # HTML metadata or Markdown front matter; never a PDF's file date or a text dateline
    source: str  # file path or the name given ("stdin", an upload's file name)
    media_type: str  # text/plain | text/markdown | text/html | application/pdf
    encoding: str | None  # detected encoding of text, Markdown and HTML input; None for PDF and empty input
    sha256: str  # hex sha256 of ``text`` in UTF-8: the document id


def load_document(path: str | os.PathLike) -> Document:
    """Read a release file. The size is checked before reading, so a huge file is refused at once."""
    path = Path(path)
    try:
        size = path.stat().st_size
        _check_size(size, str(path))
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # a pipe or device reports size 0: still read no more than this
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return load_document_bytes(data, name=str(path))


def load_document_bytes(data: bytes, name: str = "input", media_type: str | None = None) -> Document:
    """Turn the bytes of a release into a ``Document``.

    The type comes from ``media_type``, else from the extension of ``name``, else from the bytes themselves.
    Empty or whitespace-only input is not an error: it gives a Document whose text is "" (the command line then
    prints nothing and exits 0), because an empty paste or file is a normal thing for a user to do.
    """
    _check_size(len(data), name)
    kind = detect_media_type(data, name, media_type)
    if not data.strip():
        return _build_document("", "", None, name, kind, None)
    if kind == PDF:
        text, title = read_pdf(data, name)
        return _build_document(text, title, None, name, kind, None)
    raw, encoding = decode_text(data, name, declared=declared_charset(data) if kind == HTML else None)
    if not raw.strip():  # a BOM, or UTF-16 spaces
        return _build_document("", "", None, name, kind, None)
    if kind == HTML:
        text, title, published = read_html(raw)
        return _build_document(text, title, published, name, kind, encoding)
    if kind == MARKDOWN:
        body, title, published = split_front_matter(raw)
        return _build_document(normalise_text(clean_markdown(body)), title, published, name, kind, encoding)
    return _build_document(normalise_text(raw), "", None, name, kind, encoding)


def detect_media_type(data: bytes, name: str = "", media_type: str | None = None) -> str:
    """The media type to read ``data`` as; a PDF signature wins over any name, and binaries are refused.

    >>> detect_media_type(b"%PDF-1.7 ...", "report.txt")
    'application/pdf'
    >>> detect_media_type(b"<!DOCTYPE html><p>Hi</p>")
    'text/html'
    >>> detect_media_type(b"Revenue rose.", "notes", "text/markdown; charset=utf-8")
    'text/markdown'
    """
    if data.startswith(b"%PDF-"):
        return PDF
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise InputError(f"{name or 'input'} is {what}, not a release: save it as PDF, HTML or text")
    if media_type:
        declared = media_type.split(";")[0].strip().lower()
        declared = MEDIA_TYPE_ALIASES.get(declared, declared)
        if declared in (TEXT, MARKDOWN, HTML, PDF):
            return declared
    extension = os.path.splitext(name)[1].lower()
    if extension in MEDIA_TYPES_BY_EXTENSION:
        return MEDIA_TYPES_BY_EXTENSION[extension]
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return HTML if head.startswith((b"<!doctype html", b"<html")) else TEXT


def decode_text(data: bytes, name: str = "input", declared: str | None = None) -> tuple[str, str]:
    """Decode text bytes; returns (text, encoding name).

    Order: byte order mark; UTF-16 without a mark (told by its NUL bytes); strict UTF-8; the ``declared``
    charset (an HTML page's own claim), if the bytes decode with it; charset-normalizer among
    ``LEGACY_ENCODINGS``. NUL bytes in anything but UTF-16/32, or many control characters, mean a binary file.

    >>> decode_text("Umsatz: 5 €".encode("utf-8"))
    ('Umsatz: 5 €', 'utf-8')
    >>> decode_text("小米".encode("utf-16"))
    ('小米', 'utf-16-le')
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom) :], encoding, name), encoding
    if b"\x00" in data:
        encoding = _sniff_utf16(data)
        if encoding is None:
            raise InputError(f"{name} looks like a binary file, not a release")
        return _decode_strict(data, encoding, name), encoding
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_declared(data, declared) or _decode_legacy(data, name)
    if _count_controls(text[:_SAMPLE]) > 0.01 * min(len(text), _SAMPLE):
        raise InputError(f"{name} looks like a binary file, not a release")
    return text, encoding


def normalise_text(text: str) -> str:
    """The canonical form of release text; idempotent, and the same for CRLF, UTF-16 or UTF-8 copies.

    Line breaks become LF; full-width ASCII (``２０２０年``, ``％``, ``，``) becomes ASCII; every Unicode space
    becomes a plain space, including a thin or no-break space between digit groups (``1 234`` keeps its space:
    whether that is one number or two table cells is for the number grammar to decide); zero-width characters
    and soft hyphens go; the minus sign U+2212, and a dash that stands before a number as its sign, become
    ``-`` (a dash between numbers, ``2020–2021``, stays a range dash). Curly quotes, CJK text, ™ and ½ are
    kept. Trailing spaces go, blank lines collapse to one, and the text is stripped.

    >>> normalise_text("Revenue\\u00a0rose\\u200b ２４．８％ to (\\u22123.5)\\r\\n\\r\\n\\r\\n\\r\\nNext ")
    'Revenue rose 24.8% to (-3.5)\\n\\nNext'
    """
    text = _TO_NORMALISE.sub(_translate_match, text.replace("\r\n", "\n"))
    text = _DASH_AS_MINUS.sub("-", text)
    if " \n" in text or "\t\n" in text:  # a regex for trailing spaces tries every space in the text: slow
        text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _translate_match(match: re.Match) -> str:
    return match.group().translate(_NORMALISE)


def clean_markdown(text: str) -> str:
    """Markdown as plain text: no heading marks, emphasis, link syntax or table pipes; lines stay lines.

    A table becomes one line per row, cells joined by a space, the delimiter row dropped.

    >>> clean_markdown("## Results\\n\\n| Item | 2020 |\\n|---|---:|\\n| **Revenue** | 70,462.9 |\\n")
    'Results\\n\\nItem 2020\\nRevenue 70,462.9\\n'
    >>> clean_markdown("See [the filing](https://x.hk/a_(1).pdf), snake_case and 2 * 3 * 4.")
    'See the filing, snake_case and 2 * 3 * 4.'
    """
    text = _MD_TABLE.sub(_flatten_markdown_table, text.replace("\r\n", "\n"))
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


def split_front_matter(markdown: str) -> tuple[str, str, date | None]:
    """Split a leading ``---`` YAML block off Markdown; returns (body, its title, its date).

    Only flat ``key: value`` lines are read (title; date, published or pubDate), which is all a release's
    front matter carries; the block is metadata, not release text, so it is left out of the text.

    >>> split_front_matter('---\\ntitle: "Q4 results"\\ndate: 2022-03-22\\n---\\n# Q4 results\\n')
    ('# Q4 results\\n', 'Q4 results', datetime.date(2022, 3, 22))
    >>> split_front_matter("No front matter")
    ('No front matter', '', None)
    """
    match = _FRONT_MATTER.match(markdown)
    if match is None:
        return markdown, "", None
    fields = {}
    for line in match["fields"].splitlines():
        key, colon, value = line.partition(":")
        if colon:
            fields[key.strip().lower()] = value.strip().strip("'\"")
    published = next((_parse_iso_date(fields[k]) for k in ("date", "published", "pubdate") if k in fields), None)
    return markdown[match.end() :], fields.get("title", ""), published


def read_html(html: str) -> tuple[str, str, date | None]:
    """Main text, title and publication date of an HTML page.

    trafilatura finds the article (nav, footer and related links left out) with tables kept; when it finds
    nothing, every visible text of the page is taken instead. Markup that lxml cannot make sense of at all, or a
    page with no text, raises ``InputError("no readable text in HTML")``.
    """
    tree = _parse_html(html)
    title, published = _read_html_metadata(tree)
    text = normalise_text(_extract_main_text(tree) or _extract_all_text(tree))
    if not text:
        raise InputError("no readable text in HTML")
    return text, title, published


def read_pdf(data: bytes, name: str = "input") -> tuple[str, str]:
    """Text (pages joined by blank lines) and metadata title of a PDF.

    A page that pypdf cannot read is skipped rather than losing the whole release; when nothing is left the
    reason is given. The metadata date is when the file was made, not when the release was published, so it
    is not used.
    """
    import pypdf
    from pypdf.errors import DependencyError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{name}: the PDF is encrypted and needs a password")
        pages, error = _extract_pdf_pages(reader)
        title = _usable_pdf_title(reader.metadata.title if reader.metadata else None)
    except DependencyError as exc:
        raise InputError(f"{name}: the PDF is encrypted with AES, which needs the 'cryptography' package") from exc
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many types on corrupt files; every one means "not a readable PDF"
        raise InputError(f"{name}: not a readable PDF ({_describe(exc)})") from exc
    text = normalise_text("\n\n".join(pages))
    if text:
        return text, title
    if error is not None:
        raise InputError(f"{name}: not a readable PDF ({_describe(error)})")
    raise InputError(f"{name}: PDF has no extractable text (scanned?)")


# -- helpers: size, decoding --------------------------------------------------------------------------------


def _check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise InputError(f"{name} is {size / 2**20:.1f} MB, over the {MAX_BYTES // 2**20} MB limit for a release")


def _decode_strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot decode {name} as text: it is not valid {encoding} (byte {exc.start})") from exc


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte order mark: ASCII text in it has a NUL in every other byte, always the same side."""
    sample = data[:_SAMPLE]
    half = max(len(sample) // 2, 1)
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.2 * half and even < 0.02 * half:
        return "utf-16-le"
    if even > 0.2 * half and odd < 0.02 * half:
        return "utf-16-be"
    return None


def _decode_declared(data: bytes, declared: str | None) -> tuple[str, str] | None:
    try:
        encoding = codecs.lookup(WEB_CHARSET_ALIASES.get(declared.lower(), declared)).name if declared else None
        return (data.decode(encoding), encoding) if encoding else None
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_legacy(data: bytes, name: str) -> tuple[str, str]:
    """GB18030, Big5, cp1252, Shift-JIS...: charset-normalizer picks the encoding that reads most like text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    try:
        text = str(best) if best is not None else None
    except UnicodeDecodeError:  # only part of a very large input was tried; the rest does not decode
        text = None
    if text is None:
        sample = data[:_SAMPLE]
        if len(sample.translate(None, _TEXT_BYTES)) > 0.01 * len(sample):
            raise InputError(f"{name} looks like a binary file, not a release")
        raise InputError(f"cannot decode {name} as text (tried UTF-8, GB18030, Big5, cp1252); save it as UTF-8")
    return text, codecs.lookup(best.encoding).name


_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F, *range(0x80, 0xA0)])


def _count_controls(text: str) -> int:
    return len(text) - len(text.translate(_CONTROLS))


# -- helpers: HTML ------------------------------------------------------------------------------------------

_SKIPPED_TAGS = frozenset(
    ["script", "style", "noscript", "template", "head", "svg", "iframe", "object", "select", "button"]
)
_BLOCK_TAGS = frozenset([
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "thead", "tfoot", "ul",
])  # fmt: skip
_LINE_TAGS = {"br": "\n", "li": "\n", "tr": "\n", "td": " ", "th": " "}  # separator put before the element
_WHITESPACE_RUN = re.compile(r"\s+")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in <meta charset> or <meta http-equiv="Content-Type">, if any.

    >>> declared_charset(b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    'GBK'
    """
    from lxml import etree
    from lxml import html as lxml_html

    try:  # read as latin-1: every byte is a character, and the <meta> tags are ASCII in any such page
        tree = lxml_html.document_fromstring(data[:_SAMPLE], parser=lxml_html.HTMLParser(encoding="iso-8859-1"))
    except (etree.ParserError, ValueError):
        return None
    for meta in tree.iter("meta"):
        charset = meta.get("charset") or _charset_of_content_type(meta.get("content", ""))
        if charset and (meta.get("charset") or meta.get("http-equiv", "").lower() == "content-type"):
            return charset.strip().strip("'\"")
    return None


def _charset_of_content_type(content: str) -> str | None:
    index = content.lower().find("charset=")
    return content[index + len("charset=") :].split(";")[0] if index >= 0 else None


def _parse_html(html: str):
    """An lxml tree of the page; the text is already decoded, so the page's own charset claim is ignored."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml_html.document_fromstring(html.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError("no readable text in HTML") from exc


def _read_html_metadata(tree) -> tuple[str, date | None]:
    """Title and date from the page's metadata (meta tags, JSON-LD, <time>), never from its body text."""
    import trafilatura

    params = {"original_date": True, "extensive_search": False, "max_date": date.today().isoformat()}
    try:
        meta = trafilatura.extract_metadata(tree, date_config=params, extensive=False)
    except Exception:  # metadata is optional; a heuristic tripping on odd markup must not lose the text
        return "", None
    return meta.title or "", _parse_iso_date(meta.date)


def _parse_iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _extract_main_text(tree) -> str:
    """The article as text: blocks separated by blank lines, list items as "- " lines, table rows as lines."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(
            tree, include_tables=True, favor_recall=True, include_comments=False, with_metadata=False
        )
    except Exception:  # same reason as above: fall back to the plain text of the page
        return ""
    if result is None or result.body is None:
        return ""
    blocks: list[str] = []
    _render_block(result.body, blocks)
    return "\n\n".join(blocks)


def _render_block(element, blocks: list[str]) -> None:
    """Append the text blocks of one element of trafilatura's XML (p, head, list, table, quote...)."""
    if element.tag == "list":
        blocks.append("\n".join(f"- {_inline_text(item)}" for item in element.iterchildren("item")))
    elif element.tag == "table":
        blocks.append("\n".join(filter(None, map(_table_row_text, element.iter("row")))))
    elif any(child.tag in ("p", "head", "list", "table", "quote", "div", "code") for child in element):
        _append_text(element.text, blocks)
        for child in element:
            _render_block(child, blocks)
            _append_text(child.tail, blocks)
    else:
        _append_text(_inline_text(element), blocks)


def _table_row_text(row) -> str:
    """One line per row, whatever line breaks the cells hold, so a row stays one unit for the table reader."""
    return " ".join(filter(None, (_inline_text(cell).replace("\n", " ") for cell in row.iterchildren("cell"))))


def _append_text(text: str | None, blocks: list[str]) -> None:
    if text and text.strip():
        blocks.append(text.strip())


def _inline_text(element) -> str:
    """Text of an element with whitespace collapsed; <lb/> (a <br>) stays a line break."""
    from lxml import etree

    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            parts.append("\n" if node.tag == "lb" else _WHITESPACE_RUN.sub(" ", node.text or ""))
        elif node is not element and node.tail:
            parts.append(_WHITESPACE_RUN.sub(" ", node.tail))
    return "\n".join(line.strip() for line in "".join(parts).split("\n") if line.strip())


def _extract_all_text(tree) -> str:
    """Every visible text of the page, for when trafilatura finds no article (a fragment, broken markup)."""
    from lxml import etree

    parts: list[str] = []
    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, node in walker:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _SKIPPED_TAGS:
                walker.skip_subtree()
                continue
            parts.append("\n\n" if tag in _BLOCK_TAGS else _LINE_TAGS.get(tag, ""))
            parts.append(_WHITESPACE_RUN.sub(" ", node.text or ""))
        else:
            parts.append("\n\n" if tag in _BLOCK_TAGS else "")
            if node is not tree:
                parts.append(_WHITESPACE_RUN.sub(" ", node.tail or ""))
    return re.sub(r" *\n *", "\n", "".join(parts))


# -- helpers: PDF, title, Markdown ---------------------------------------------------------------------------


def _extract_pdf_pages(reader) -> tuple[list[str], Exception | None]:
    """Text of every page that can be read, and the first error met."""
    pages: list[str] = []
    error: Exception | None = None
    for page in reader.pages:
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:  # one bad page (broken font, stream) should not lose the others
            error = error or exc
    return pages, error


def _usable_pdf_title(title: object) -> str:
    """The metadata title unless it is a placeholder or a file name, as authoring tools often leave."""
    text = _clean_title(str(title)) if title else ""
    if text.lower() in PLACEHOLDER_TITLES or _FILE_NAME_TITLE.search(text):
        return ""
    return text


def _describe(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}"[:200] if message else type(exc).__name__


def _clean_title(title: str) -> str:
    line = " ".join(title.translate(_NORMALISE).split())
    return line[:TITLE_MAX].rstrip()


def _build_document(text, title, published, source, media_type, encoding) -> Document:
    first_line = text[: text.find("\n")] if "\n" in text else text
    return Document(
        text=text,
        title=_clean_title(title) or _clean_title(first_line),
        published=published,
        source=source,
        media_type=media_type,
        encoding=encoding,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _flatten_markdown_table(match: re.Match) -> str:
    """``| Revenue | 70,462.9 |`` -> ``Revenue 70,462.9``; the delimiter row is dropped."""
    rows = [match["head"], *match["body"].split("\n")]
    flat = [" ".join(c.strip() for c in _MD_CELL_SPLIT.split(row.strip().strip("|")) if c.strip()) for row in rows]
    ending = "\n" if match.group().endswith("\n") else ""
    return "\n".join(row for row in flat if row) + ending
