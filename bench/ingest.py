"""Bulk ingest (design §9): 10,000 releases into a fresh DuckDB in ≤ 60 s with peak memory ≤ 1 GB.

The releases are generated from data/releases: decimals shifted and a reference line added, so every copy
has its own hash and its own figures. Three phases, each timed:
1. end to end: ``ingest_paths`` on the folder (parallel extraction + batched set-based writes), with the
   peak RSS of the whole process tree (this process and its workers) sampled every 50 ms;
2. extraction alone, sequentially, on a sample (to show where the time goes);
3. storage alone: already-extracted documents written with ``store_batch`` (the query layer's share).
Exits 0 only when phase 1 meets both targets.

    .venv/bin/python bench/ingest.py            # 10,000 releases
    .venv/bin/python bench/ingest.py --quick    #  1,000 releases
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import psutil  # noqa: E402

from queries import schema  # noqa: E402
from queries.build import DATA_DIR, load_companies_table, load_fx_rates  # noqa: E402
from queries.ingest import BATCH_DOCUMENTS, extract_file, ingest_paths, store_batch  # noqa: E402

TIME_TARGET_S, RSS_TARGET_MB = 60.0, 1024.0
DECIMAL = re.compile(r"(?<=\d\.)(\d)")
SAMPLE = 100


def vary(text: str, n: int) -> str:
    """Another release of the same shape: the first digit after each decimal point shifted by a digit of n (so
    10,000 copies of one release differ), and a reference
    line (inside the first paragraph for HTML, where text outside the article would not count)."""
    position = iter(range(10**6))
    text = DECIMAL.sub(lambda m: str((int(m.group(1)) + n // 10 ** (next(position) % 4)) % 10), text)
    reference = f"Reference: BENCH-{n:05d}"
    if "</p>" in text:  # inside the first paragraph: HTML boilerplate removal drops a paragraph of its own
        return text.replace("</p>", f" {reference}.</p>", 1)
    return f"{text}\n\n{reference}\n"


def write_releases(folder: Path, count: int) -> int:
    """Write ``count`` varied copies of the bundled releases; returns their total size in bytes."""
    sources = [p for p in sorted((DATA_DIR / "releases").iterdir()) if p.is_file() and p.suffix != ".pdf"]
    texts = [(p.suffix, p.read_text(encoding="utf-8")) for p in sources]
    total = 0
    for n in range(count):
        suffix, text = texts[n % len(texts)]
        data = vary(text, n).encode("utf-8")
        (folder / f"{n:05d}{suffix}").write_bytes(data)
        total += len(data)
    return total


def fresh_database(path: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path)
    schema.migrate(con)
    load_companies_table(con, DATA_DIR)
    load_fx_rates(con, DATA_DIR)
    return con


class PeakRss:
    """Samples the resident memory of this process and all its children until stopped."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker that just exited
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def phase_end_to_end(folder: Path, db: str, workers: int) -> dict:
    con = fresh_database(db)
    with PeakRss() as rss:
        start = time.perf_counter()
        result = ingest_paths(con, [folder], workers=workers)
        seconds = time.perf_counter() - start
    con.close()
    return {
        "seconds": seconds,
        "documents": result.documents,
        "facts": result.facts,
        "rejected": len(result.rejected),
        "peak_rss_mb": rss.peak / 1e6,
        "first_rejection": result.rejected[0] if result.rejected else None,
    }


def phase_extraction(folder: Path) -> dict:
    paths = sorted(folder.iterdir())[:SAMPLE]
    extract_file(str(paths[0]))  # warm-up: vocabulary and regexes
    start = time.perf_counter()
    items = [extract_file(str(p)) for p in paths]
    seconds = time.perf_counter() - start
    return {"per_document_ms": 1000 * seconds / len(paths), "items": [i for i in items if not isinstance(i, tuple)]}


def phase_storage(items: list, count: int, db: str) -> dict:
    """Write ``count`` documents built from already-extracted items (ids made unique), as ingest_paths batches them."""
    con = fresh_database(db)
    clones = []
    for n in range(count):
        item = items[n % len(items)]
        doc_id = f"{item.document['id'][:56]}{n:08x}"
        clones.append(
            replace(
                item,
                document={**item.document, "id": doc_id},
                facts=[{**f, "document_id": doc_id} for f in item.facts],
            )
        )
    start = time.perf_counter()
    facts = 0
    for i in range(0, len(clones), BATCH_DOCUMENTS):
        facts += store_batch(con, clones[i : i + BATCH_DOCUMENTS]).facts
    seconds = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "facts": facts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 releases instead of 10,000")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    count = 1000 if args.quick else 10_000
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp) / "releases"
        folder.mkdir()
        size = write_releases(folder, count)
        print(f"releases: {count:,} files, {size / 1e6:.1f} MB  workers: {args.workers}  "
              f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
        e2e = phase_end_to_end(folder, str(Path(tmp) / "e2e.duckdb"), args.workers)
        extraction = phase_extraction(folder)
        storage = phase_storage(extraction["items"], count, str(Path(tmp) / "store.duckdb"))
    rate = e2e["documents"] / e2e["seconds"] if e2e["seconds"] else 0.0
    print(f"{'phase':<36} {'seconds':>9} {'docs/s':>9} {'facts':>9} {'peak RSS MB':>12}")
    print(
        f"{'1. ingest_paths, end to end':<36} {e2e['seconds']:>9.1f} {rate:>9.0f} {e2e['facts']:>9,} {e2e['peak_rss_mb']:>12.0f}"
    )
    per_doc = extraction["per_document_ms"]
    print(
        f"{'2. extraction alone (1 core, est.)':<36} {per_doc * count / 1000:>9.1f} {1000 / per_doc:>9.0f} {'':>9} {'':>12}"
    )
    store_rate = count / storage["seconds"]
    print(
        f"{'3. storage alone (store_batch)':<36} {storage['seconds']:>9.1f} {store_rate:>9.0f} {storage['facts']:>9,} {'':>12}"
    )
    print(f"documents stored: {e2e['documents']:,}; rejected: {e2e['rejected']}"
          + (f" (first: {e2e['first_rejection']})" if e2e["first_rejection"] else ""))  # fmt: skip
    ok_time = e2e["seconds"] <= TIME_TARGET_S
    ok_rss = e2e["peak_rss_mb"] <= RSS_TARGET_MB
    verdict = "PASS" if ok_time and ok_rss else "FAIL"
    print(
        f"summary: {count:,} releases in {e2e['seconds']:.1f} s (target ≤ {TIME_TARGET_S:.0f} s: {'met' if ok_time else 'missed'}), "
        f"peak RSS {e2e['peak_rss_mb']:.0f} MB (target ≤ {RSS_TARGET_MB:.0f} MB: {'met' if ok_rss else 'missed'}); "
        f"extraction {per_doc:.1f} ms/doc, storage {1000 / store_rate:.2f} ms/doc — {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
