"""End-to-end extraction throughput: `extract_facts` over the bundled releases repeated to >= 5 MB.

Prints MB/s on one core (best of three runs) for the whole pipeline (normalised text in, facts out)
and exits 0 only when the target of design §9 (>= 3 MB/s per core) is met. ``--quick`` uses ~1 MB.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metrics.document import load_document  # noqa: E402
from metrics.extract import extract_facts  # noqa: E402
from metrics.score import release_files  # noqa: E402

TARGET_MB_S = 3.0


def build_corpus(min_bytes: int):
    docs = [load_document(p) for p in release_files()]
    corpus, size = [], 0
    while size < min_bytes:
        for doc in docs:
            corpus.append(doc)
            size += len(doc.text.encode("utf-8"))
    return corpus, size


def run_once(corpus) -> tuple[float, int]:
    start = time.process_time()
    facts = sum(len(extract_facts(doc)) for doc in corpus)
    return time.process_time() - start, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 1 MB instead of 5 MB")
    args = parser.parse_args(argv)
    corpus, size = build_corpus(1_000_000 if args.quick else 5_000_000)
    extract_facts(corpus[0])  # warm the vocabularies and compiled patterns
    runs = [run_once(corpus) for _ in range(1 if args.quick else 3)]
    seconds, facts = min(runs)
    mb_s = size / 1e6 / seconds
    print(f"{'documents':<22}{len(corpus):>12,}")
    print(f"{'text MB':<22}{size / 1e6:>12.2f}")
    print(f"{'facts':<22}{facts:>12,}")
    print(f"{'CPU seconds (best)':<22}{seconds:>12.2f}")
    print(f"{'MB/s per core':<22}{mb_s:>12.2f}")
    ok = mb_s >= TARGET_MB_S
    print(f"extract: {mb_s:.2f} MB/s per core (target >= {TARGET_MB_S}) -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
