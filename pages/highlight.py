"""HTML for document text: figures marked in escaped text, and a fact's provenance. Pure functions.

Text that came from a document is always HTML-escaped before any tag of ours is put around it, so a release
holding ``<script>`` shows as text.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd

from pages.formatting import as_date, format_value, grain_of, is_missing, period_label

SAFE_URL_SCHEMES = ("http://", "https://")


def safe_link(url) -> str | None:
    """An http(s) URL, else None (never a javascript: link from the data)."""
    return url if isinstance(url, str) and url.lower().startswith(SAFE_URL_SCHEMES) else None


def mark(text: str, title: str = "", css: str = "fact", href: str | None = None, anchor: str | None = None) -> str:
    """``text`` escaped inside a <mark>, optionally a link; the title is escaped for an attribute."""
    inner = html.escape(text)
    if href:
        inner = f'<a href="{html.escape(href, quote=True)}" target="_self">{inner}</a>'
    ident = f' id="{html.escape(anchor, quote=True)}"' if anchor else ""
    return f'<mark class="{css}"{ident} title="{html.escape(title, quote=True)}">{inner}</mark>'


def highlight(text: str, spans: list[tuple[int, int, str, str, str | None]]) -> str:
    """Escape ``text`` and mark each (start, end, title, css, href) span; overlapping spans keep the first.

    >>> highlight("a <b> 5 m", [(6, 9, "x", "fact", None)])
    'a &lt;b&gt; <mark class="fact" title="x">5 m</mark>'
    """
    out, pos = [], 0
    for start, end, title, css, href in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos or end <= start or end > len(text):
            continue  # overlaps an earlier mark, or a span outside the text
        out.append(html.escape(text[pos:start]))
        out.append(mark(text[start:end], title, css, href))
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def fact_title(row) -> str:
    """What a highlighted figure is, for its tooltip."""
    grain = grain_of(as_date(row.period_start), as_date(row.period_end), getattr(row, "period_kind", "duration"))
    period = period_label(as_date(row.period_start), as_date(row.period_end), grain)
    currency = None if is_missing(row.currency) else row.currency
    parts = [str(row.metric), period, format_value(row.value, row.unit, currency)]
    if isinstance(getattr(row, "segment", None), str) and row.segment:
        parts.insert(1, row.segment)
    if isinstance(getattr(row, "attributed_to", None), str):
        parts.append(f"per {row.attributed_to}")
    parts.append(f"{row.status}, fact {row.fact_id}")
    return " · ".join(parts)


def document_html(text: str, facts: pd.DataFrame, link_for: Callable[[object], str | None] | None = None) -> str:
    """The whole document, escaped, with every extracted figure in a <mark> linking to its Trends view.

    Facts sharing one span (two metrics read from one figure) share one mark whose title names both.
    """
    by_span: dict[tuple[int, int], list] = {}
    for row in facts.itertuples(index=False):
        if is_missing(row.span_start) or is_missing(row.span_end):
            continue
        by_span.setdefault((int(row.span_start), int(row.span_end)), []).append(row)
    spans = []
    for (start, end), rows in by_span.items():
        rejected = all(r.status == "rejected" for r in rows)
        href = link_for(rows[0]) if link_for else None
        spans.append(
            (start, end, "\n".join(fact_title(r) for r in rows), "fact rejected" if rejected else "fact", href)
        )
    return f'<div class="release-text">{highlight(text, spans)}</div>'


def provenance_html(prov: dict) -> str:
    """Document title and date, then the sentence with the figure marked (all document text escaped)."""
    parts = []
    title = prov.get("document_title") or prov.get("document_source")
    if isinstance(title, str) and title:
        published = as_date(prov.get("document_published"))
        when = f" · published {published:%Y-%m-%d}" if published else ""
        parts.append(f"<p><b>{html.escape(title)}</b>{html.escape(when)}</p>")
    sentence = _marked_sentence(prov)
    if sentence:
        parts.append(f"<blockquote>{sentence}</blockquote>")
    url = safe_link(prov.get("source_url")) or safe_link(prov.get("document_url"))
    if url:
        parts.append(f'<p>Source: <a href="{html.escape(url, quote=True)}" target="_blank">{html.escape(url)}</a></p>')
    note = prov.get("source_note")
    if isinstance(note, str) and note and note != prov.get("evidence"):
        parts.append(f"<p><i>{html.escape(note)}</i></p>")
    return "\n".join(parts)


def _marked_sentence(prov: dict) -> str:
    """The evidence sentence with the figure's span marked; the text around the span when the sentence is not
    found in the window; the evidence alone (escaped) for a curated fact."""
    window, evidence = prov.get("text_window"), prov.get("evidence")
    start, end, offset = prov.get("span_start"), prov.get("span_end"), prov.get("window_start")
    if not isinstance(window, str) or any(is_missing(v) for v in (start, end, offset)):
        return html.escape(evidence) if isinstance(evidence, str) else ""
    s, e = int(start) - int(offset), int(end) - int(offset)
    at = window.find(evidence) if isinstance(evidence, str) and evidence else -1
    if at >= 0 and at <= s and e <= at + len(evidence):
        return highlight(evidence, [(s - at, e - at, "", "fact", None)])
    lo, hi = max(0, s - 160), min(len(window), e + 160)
    piece = highlight(window[lo:hi], [(s - lo, e - lo, "", "fact", None)])
    return ("…" if lo else "") + piece + ("…" if hi < len(window) else "")
