"""Storing releases and their facts: one document, or many files in parallel.

- A document's id is the sha256 of its normalised text, so storing the same text again changes nothing.
- A document and its facts are written in one transaction, with the re-ranking of the current series.
  ``ingest_paths`` writes a batch of up to ``BATCH_DOCUMENTS`` documents per transaction (one commit
  per file would dominate the time of a bulk load); a batch is all-or-nothing, so each document in it
  is too, and a batch that fails is written again document by document so one bad file costs only itself.
- When the stored facts come from an older extractor (``metrics.EXTRACTOR_VERSION``) the document is
  extracted again: its 'extracted' facts are replaced, human-confirmed, edited and rejected ones stay,
  and a new fact that restates one a person has handled (same key or same span) is not added again.
- Extraction runs in worker processes (``spawn``: forking a process that holds DuckDB threads is unsafe);
  writing stays in this process, which owns the connection.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from queries.series import count_document_facts, mark_document_keys, refresh_series, sync_series
from queries.store import transaction, with_retry

Progress = Callable[[float, str], None]
RELEASE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
BATCH_DOCUMENTS = 200
SEQUENTIAL_BELOW = 16  # starting worker processes costs more than extracting this many files
HUMAN_STATUSES = ("confirmed", "edited", "rejected")
FACT_COLUMNS = (
    "document_id", "origin", "status", "extractor_version", "company", "metric", "segment", "period_start",
    "period_end", "period_kind", "value", "unit", "currency", "qualifier", "attributed_to", "comparative",
    "change_pct", "confidence", "span_start", "span_end", "evidence", "rule", "updated_by",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "id", "company", "title", "published", "source", "media_type", "text", "is_event", "ingested_by",
    "extractor_version", "fact_count",
)  # fmt: skip


@dataclass
class IngestResult:
    """What an ingest did. ``documents`` counts documents written (new or re-extracted)."""

    documents: int = 0
    facts: int = 0
    skipped: int = 0  # already stored with the current extractor
    reextracted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    document_ids: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """For one document: 'stored', 're-extracted', 'already stored' or 'rejected'."""
        if self.rejected:
            return "rejected"
        if self.reextracted:
            return "re-extracted"
        return "stored" if self.documents else "already stored"

    def add(self, other: IngestResult) -> None:
        self.documents += other.documents
        self.facts += other.facts
        self.skipped += other.skipped
        self.reextracted += other.reextracted
        self.rejected += other.rejected
        self.document_ids += other.document_ids


@dataclass
class Prepared:
    """A document and its facts, ready to insert (built in a worker or in this process)."""

    path: str
    document: dict
    facts: list[dict]


def extractor_version() -> str:
    from metrics import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def version_key(version: str | None) -> tuple:
    """'0.10.1' > '0.9.0'; a missing version is older than any.

    >>> version_key("0.10.1") > version_key("0.9.0") > version_key(None)
    True
    """
    if not version:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))


# ---------------------------------------------------------------------------- one document


def ingest_document(
    con: duckdb.DuckDBPyConnection,
    doc,
    facts: list | None = None,
    company: str | None = None,
    published: date | None = None,
    user: str | None = None,
    is_event: bool | None = None,
) -> IngestResult:
    """Store a document (a ``metrics.document.Document``) and its facts, extracting them when not given.

    Raises ``metrics.errors.InputError`` for a document without text.
    """
    from metrics.errors import InputError

    if not doc.text.strip():
        raise InputError(f"{doc.source}: the document has no text")
    stored = _stored_version(con, doc.sha256)
    current = extractor_version()
    if stored is not None and version_key(stored) >= version_key(current):
        return IngestResult(skipped=1, document_ids=[doc.sha256])
    if facts is None:
        facts = _extract(doc, company, published)
    item = prepare_document(doc, facts, company, published, user, is_event)
    if stored is None:
        return with_retry(lambda: _write_new(con, [item]))
    return with_retry(lambda: _write_reextracted(con, item))


def _stored_version(con, document_id: str) -> str | None:
    """The extractor version of a stored document ('' when it predates versions); None when not stored."""
    with con.cursor() as cur:
        row = cur.execute(
            "select coalesce(extractor_version, '') from documents where id = $id", {"id": document_id}
        ).fetchone()
    return None if row is None else row[0]


def _extract(doc, company: str | None, published: date | None) -> list:
    from metrics.extract import extract_facts

    return extract_facts(doc, company=company, published=published)


def prepare_document(doc, facts: list, company=None, published=None, user=None, is_event=None) -> Prepared:
    """Turn a Document and its Facts into rows for the documents and facts tables."""
    version = extractor_version()
    issuer, dated = _describe(doc, facts, company, published)
    document = {
        "id": doc.sha256,
        "company": issuer,
        "title": doc.title or None,
        "published": dated,
        "source": str(doc.source),
        "media_type": doc.media_type,
        "text": doc.text,
        "is_event": bool(is_event) if is_event is not None else _looks_like_event(facts),
        "ingested_by": user,
        "extractor_version": version,
        "fact_count": len(facts),
    }
    rows = [_fact_row(f, doc.sha256, version, user) for f in facts]
    return Prepared(path=str(doc.source), document=document, facts=rows)


def _fact_row(fact, document_id: str, version: str, user: str | None) -> dict:
    record = fact.to_record()
    row = {name: record.get(name) for name in FACT_COLUMNS}
    row.update(
        document_id=document_id,
        origin="extracted",
        status="extracted",
        extractor_version=version,
        updated_by=user,
        segment=record.get("segment") or "",
        comparative=bool(record.get("comparative")),
    )
    return row


def _looks_like_event(facts: list) -> bool:
    """A release announcing a new business or an investment commitment marks an event on the charts."""
    return any(f.metric == "investment_commitment" for f in facts)


def _describe(doc, facts: list, company: str | None, published: date | None) -> tuple[str | None, date | None]:
    """The document's company and publication date: given, else read from the facts and the dateline."""
    issuer = company or _main_company(facts)
    dated = published or doc.published or _dateline(doc.text)
    if issuer is None:
        issuer = _context_issuer(doc)
    return issuer, dated


def _main_company(facts: list) -> str | None:
    """The company most of the document's own (not tracker-attributed) figures are about."""
    own = Counter(f.company for f in facts if not f.attributed_to)
    return own.most_common(1)[0][0] if own else None


def _dateline(text: str) -> date | None:
    try:
        from metrics.periods import find_publication_date

        return find_publication_date(text)
    except Exception:  # the date is a nicety: a document without one is still stored
        return None


def _context_issuer(doc) -> str | None:
    """Ask the extractor's document context who issued it (a research firm for its own releases)."""
    try:
        from metrics.extract import build_context

        ctx = build_context(doc, None, None)
    except Exception:  # as above
        return None
    return ctx.issuer.name if ctx.issuer is not None else ctx.tracker


# ---------------------------------------------------------------------------- writing


_TYPES = {
    "period_start": pa.date32(), "period_end": pa.date32(), "published": pa.date32(), "value": pa.float64(),
    "change_pct": pa.float64(), "confidence": pa.float64(), "span_start": pa.int64(), "span_end": pa.int64(),
    "comparative": pa.bool_(), "is_event": pa.bool_(), "fact_count": pa.int64(),
}  # fmt: skip


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    """An Arrow table with a fixed schema (DuckDB scans it without conversion; pandas strings cost more)."""
    schema = pa.schema([(c, _TYPES.get(c, pa.string())) for c in columns])
    return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=schema)


def _insert_frames(cur, documents: pa.Table, facts: pa.Table) -> None:
    """Set-based: one INSERT … SELECT per table from registered DataFrames."""
    cur.register("incoming_documents", documents)
    cur.register("incoming_facts", facts)
    try:
        cur.execute("insert into documents by name select * from incoming_documents")
        if len(facts):
            cur.execute("insert into facts by name select * from incoming_facts")
            cur.execute(  # the keys to re-rank, from the new rows rather than a scan of every fact
                "insert into series_refresh_keys "
                "select distinct company, metric, segment, period_start, period_end from incoming_facts"
            )
    finally:
        cur.unregister("incoming_documents")
        cur.unregister("incoming_facts")


def _write_new(con, items: list[Prepared]) -> IngestResult:
    """Insert new documents and their facts in one transaction, re-ranking the keys they touch.

    A document stored since it was found new (by another DuckLake replica: the lake has no primary key to
    refuse it) is skipped. The claim on ``series_state`` makes two replicas storing documents at once
    conflict, so the one that retries sees the other's documents.
    """
    with transaction(con) as cur:
        sync_series(cur)
        cur.execute("update series_state set max_fact_id = max_fact_id")  # the claim
        fresh = _not_stored(cur, items)
        documents = _frame([i.document for i in fresh], DOCUMENT_COLUMNS)
        facts = _frame([row for i in fresh for row in i.facts], FACT_COLUMNS)
        _insert_frames(cur, documents, facts)
        refresh_series(cur)
    ids = [i.document["id"] for i in items]
    return IngestResult(documents=len(fresh), facts=len(facts), skipped=len(items) - len(fresh), document_ids=ids)


def _not_stored(cur, items: list[Prepared]) -> list[Prepared]:
    ids = [i.document["id"] for i in items]
    stored = {
        r[0] for r in cur.execute("select id from documents where list_contains($ids, id)", {"ids": ids}).fetchall()
    }
    return [i for i in items if i.document["id"] not in stored]


def _write_reextracted(con, item: Prepared) -> IngestResult:
    """Replace a document's extracted facts, keeping what people confirmed, edited or rejected."""
    doc_id = item.document["id"]
    with transaction(con) as cur:
        sync_series(cur)
        mark_document_keys(cur, [doc_id])
        cur.execute("delete from facts where document_id = $id and status = 'extracted'", {"id": doc_id})
        keep = _human_keys(cur, doc_id)
        rows = [r for r in item.facts if _fact_key(r) not in keep["keys"] and _span(r) not in keep["spans"]]
        facts = _frame(rows, FACT_COLUMNS)
        if len(facts):
            cur.register("incoming_facts", facts)
            cur.execute("insert into facts by name select * from incoming_facts")
            cur.unregister("incoming_facts")
        cur.execute(
            "update documents set extractor_version = $v, is_event = $e where id = $id",
            {"v": item.document["extractor_version"], "e": item.document["is_event"], "id": doc_id},
        )
        count_document_facts(cur, doc_id)
        mark_document_keys(cur, [doc_id])
        refresh_series(cur)
    return IngestResult(documents=1, facts=len(facts), reextracted=1, document_ids=[doc_id])


def _fact_key(row: dict) -> tuple:
    return (
        row["company"],
        row["metric"],
        row["segment"] or "",
        row["period_start"],
        row["period_end"],
        row["attributed_to"],
    )


def _span(row: dict) -> tuple:
    return (row["span_start"], row["span_end"])


def _human_keys(cur, document_id: str) -> dict[str, set]:
    """Keys and spans of the facts people handled in this document, as they are now and as first extracted."""
    import json

    rows = cur.execute(
        """
        select company, metric, segment, period_start, period_end, attributed_to, span_start, span_end
        from facts where document_id = $id and status in ('confirmed', 'edited', 'rejected')
        """,
        {"id": document_id},
    ).fetchall()
    keys = {tuple(r[:6]) for r in rows}
    spans = {(r[6], r[7]) for r in rows}
    originals = cur.execute(
        """
        select e.before from fact_edits as e join facts as f on f.id = e.fact_id
        where f.document_id = $id and e.action = 'edit'
        """,
        {"id": document_id},
    ).fetchall()
    for (before,) in originals:
        b = json.loads(before)
        keys.add(
            (b["company"], b["metric"], b["segment"], date.fromisoformat(b["period_start"]),
             date.fromisoformat(b["period_end"]), b["attributed_to"])
        )  # fmt: skip
    return {"keys": keys, "spans": spans}


# ---------------------------------------------------------------------------- many files


def list_release_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files given, and the release files (by extension) directly inside folders given; missing paths rejected."""
    found: list[Path] = []
    missing: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in RELEASE_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            missing.append((str(raw), "no such file or folder"))
    return found, missing


def extract_file(
    path: str, company: str | None = None, published: date | None = None, user: str | None = None
) -> Prepared | tuple[str, str]:
    """Load and extract one file (runs in a worker process): Prepared, or (path, reason) when it cannot be read.

    ``user`` is who ingests it, recorded on the document and its facts.
    """
    from metrics.document import load_document
    from metrics.errors import InputError

    try:
        doc = load_document(path)
        if not doc.text.strip():
            return (path, "the document has no text")
        return prepare_document(doc, _extract(doc, company, published), company, published, user)
    except InputError as exc:
        return (path, str(exc))
    except Exception as exc:  # an extractor bug on one file must not stop the other files
        return (path, f"extraction failed: {type(exc).__name__}: {exc}")


def _extract_all(paths: list[str], company, published, user, workers: int) -> Iterator[Prepared | tuple[str, str]]:
    if workers <= 1 or len(paths) < SEQUENTIAL_BELOW:
        for path in paths:
            yield extract_file(path, company, published, user)
        return
    context = multiprocessing.get_context("spawn")
    chunk = max(1, min(32, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        with _without_main_script():  # the workers start during the first submit
            repeat = [company] * len(paths), [published] * len(paths), [user] * len(paths)
            results = pool.map(extract_file, paths, *repeat, chunksize=chunk)
        yield from results


@contextmanager
def _without_main_script():
    """Spawned workers re-import the parent's ``__main__``; under Streamlit (or its AppTest) that is a page
    script, which must not run in a worker. Hide it while the workers start; they need only this module."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | os.PathLike],
    company: str | None = None,
    published: date | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    user: str | None = None,
) -> IngestResult:
    """Ingest files and folders; a file that cannot be read is listed in ``rejected`` and the rest go in.

    ``user`` (who ingests) is recorded as ``documents.ingested_by`` and ``facts.updated_by``.

    With 16 files or more, extraction runs in ``workers`` spawned processes (default: the CPU count): a script
    that calls this must keep its own work under ``if __name__ == "__main__":``, as spawn imports it again.
    """
    progress = progress or (lambda fraction, message: None)
    files, missing = list_release_files(paths)
    result = IngestResult(rejected=list(missing))
    total = len(files)
    if not total:
        progress(1.0, "No release files found")
        return result
    workers = workers or os.cpu_count() or 1
    batch: list[Prepared] = []
    for done, item in enumerate(_extract_all([str(p) for p in files], company, published, user, workers), 1):
        if isinstance(item, tuple):
            result.rejected.append(item)
        else:
            batch.append(item)
        if len(batch) >= BATCH_DOCUMENTS:
            result.add(store_batch(con, batch))
            batch = []
        progress(0.99 * done / total, f"Extracted {done}/{total} files")
    if batch:
        result.add(store_batch(con, batch))
    progress(1.0, f"Stored {result.documents} documents, {result.facts} facts; {len(result.rejected)} rejected")
    return result


def store_batch(con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> IngestResult:
    """Write prepared documents: new ones in one transaction, known ones skipped or re-extracted."""
    result = IngestResult()
    fresh, known = _split_known(con, items, result)
    if fresh:
        try:
            result.add(with_retry(lambda: _write_new(con, fresh)))
        except duckdb.Error:
            for item in fresh:  # find the document that fails; the others still go in
                result.add(_write_one(con, item))
    for item in known:
        result.add(_write_one(con, item, reextract=True))
    return result


def _split_known(con, items: list[Prepared], result: IngestResult) -> tuple[list[Prepared], list[Prepared]]:
    """New documents; documents stored by an older extractor; the rest counted as skipped."""
    ids = [i.document["id"] for i in items]
    with con.cursor() as cur:
        stored = dict(
            cur.execute(
                "select id, coalesce(extractor_version, '') from documents where list_contains($ids, id)",
                {"ids": ids},
            ).fetchall()
        )
    fresh, known, seen = [], [], set()
    for item in items:
        doc_id = item.document["id"]
        if doc_id in seen:
            result.skipped += 1  # the same text twice in one batch
            continue
        seen.add(doc_id)
        if doc_id not in stored:
            fresh.append(item)
        elif version_key(stored[doc_id]) < version_key(item.document["extractor_version"]):
            known.append(item)
        else:
            result.skipped += 1
            result.document_ids.append(doc_id)
    return fresh, known


def _write_one(con, item: Prepared, reextract: bool = False) -> IngestResult:
    try:
        if reextract:
            return with_retry(lambda: _write_reextracted(con, item))
        return with_retry(lambda: _write_new(con, [item]))
    except duckdb.Error as exc:
        return IngestResult(rejected=[(item.path, f"could not store: {str(exc).splitlines()[0]}")])
