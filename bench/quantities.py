"""Benchmark of the quantity grammar (design §9): speed, and quantulum3 side by side.

    .venv/bin/python bench/quantities.py [--quick]

Builds its own corpus: every ``data/releases/*.txt`` and ``*.md`` (or, when there are none,
release sentences generated here), repeated to 5 MB (1 MB with --quick). Measures MB/s of
``find_quantities`` per document, best of 3, in CPU seconds of this one process: that is
one core's throughput, and it holds when other work shares the machine (wall-clock MB/s
is printed too). Then runs quantulum3 on a small sample (it is slow), prints its MB/s and
the ratio, and counts how many of ~30 money and large-number probes each reads right
(value and currency). Exits 0 only if the targets are met: >= 5 MB/s and >= 150x quantulum3.
quantulum3 is installed for this script only; without it the comparison is skipped.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metrics.quantities import find_quantities  # noqa: E402

TARGET_MB_S = 5.0
TARGET_RATIO = 150.0

PROBES: list[tuple[str, float, str | None]] = [
    # (sentence, value that must be read, currency that goes with it)
    ("Revenue was USD34.6 million in the quarter.", 34.6e6, "USD"),
    ("Net income reached US$4.7 billion.", 4.7e9, "USD"),
    ("Revenue was RMB70,462.9 million for the year.", 70462.9e6, "CNY"),
    ("The Group held a cash reserve of RMB 108 billion.", 108e9, "CNY"),
    ("Global smartphone shipments reached 146 million.", 146e6, None),
    ("There are over 324.8 million connected devices.", 324.8e6, None),
    ("It earned a profit of 3.2 billion yuan.", 3.2e9, "CNY"),
    ("Revenue of HK$1.2 billion was reported.", 1.2e9, "HKD"),
    ("Sales in Europe reached €2.3 billion.", 2.3e9, "EUR"),
    ("The UK arm made £750 million.", 750e6, "GBP"),
    ("Operating profit was ₩3.5 trillion.", 3.5e12, "KRW"),
    ("Operating profit came to 6.6 trillion won.", 6.6e12, "KRW"),
    ("Japan added 300 billion yen.", 300e9, "JPY"),
    ("India revenue was ₹5,000 crore.", 5000e7, "INR"),
    ("Taiwan revenue was NT$8.5 billion.", 8.5e9, "TWD"),
    ("Malaysian sales reached RM217.89 billion.", 217.89e9, "MYR"),
    ("The Singapore unit raised S$1.5 billion.", 1.5e9, "SGD"),
    ("The seed round was US$10m.", 10e6, "USD"),
    ("EV revenue was RMB5bn in the quarter.", 5e9, "CNY"),
    ("Apple returned $1.2B to holders.", 1.2e9, "USD"),
    ("It received 10 billion US dollars.", 10e9, "USD"),
    ("The deal is worth EUR 450 million.", 450e6, "EUR"),
    ("Figures are in KRW 100 million units.", 100e6, "KRW"),
    ("Sales hit Rs. 500 crore in India.", 500e7, "INR"),
    ("The app passed two million users.", 2e6, None),
    ("Output reached 10,000 million units.", 10e9, None),
    ("The unit posted a net loss of US$5 million.", -5e6, "USD"),
    ("Shipments were 1.2bn units.", 1.2e9, None),
    ("It invested RMB 10 billion (approximately US$1.5 billion).", 10e9, "CNY"),
    ("It invested RMB 10 billion (approximately US$1.5 billion).", 1.5e9, "USD"),
    ("The foundry earned TWD 1.1 trillion.", 1.1e12, "TWD"),
    ("The Australian arm paid A$2 billion.", 2e9, "AUD"),
]

# Sentences for a corpus when data/releases is empty: the shapes releases are written in.
SENTENCES = [
    "For the three months ended {month} 31, {year}, total revenue was RMB{a}.{b} billion, up {p}.{q}% year-over-year.",
    "Adjusted net profit reached RMB{b}.{a} billion (US${c}.{q} billion), compared with RMB{c}.{p} billion a year ago.",
    "Smartphone shipments were {a}.{q} million units, and the Group ranked {rank} globally according to Canalys.",
    "As of {month} 30, {year}, the number of connected IoT devices reached approximately {a}{b}.{q} million.",
    "Gross margin was {p}.{q}%, up {q}.{b} percentage points, while overseas revenue accounted for {p}.{b}% of the total.",
    "Monthly active users of MIUI exceeded {a}{b}{c} million in {month} {year}, up from {a}{c}{b} million.",
    "The Board is pleased to announce the unaudited results; the call starts at 8:00 p.m. (Hong Kong time).",
    "Xiaomi Corporation (Stock Code: 1810) was listed on the Main Board on July 9, 2018.",
    "Cash resources totaled RMB{a}{b}.{c} billion, and the Group held more than {a},{b}{c}{q} retail stores.",
    "Lei Jun said the Group would keep investing in 5G, Wi-Fi 7 and HyperOS 2.0 across the Xiaomi 14 series.",
    "Operating loss was RMB({b},{a}{c}{q}.{p}) thousand, and R&D expenses rose {p}.{c}% to RMB{c}.{b} billion.",
    "Deliveries of the SU7 topped {a}{b},{c}{q}{p} units in {month}, the {rank} consecutive monthly record.",
    "Forward-looking statements in this announcement are subject to risks and uncertainties beyond our control.",
    "For more information, call +86 10 6060 6666 or visit the investor relations website.",
]
MONTHS = ["March", "June", "September", "December"]
RANKS = ["3rd", "second", "No. 2", "fourth", "top three"]


def build_corpus(quick: bool) -> tuple[list[str], list[str], str]:
    """The distinct documents, them repeated to the target size, and where they came from."""
    target = 1_000_000 if quick else 5_000_000
    files = sorted((ROOT / "data" / "releases").glob("*.txt")) + sorted((ROOT / "data" / "releases").glob("*.md"))
    docs = [f.read_text(encoding="utf-8") for f in files]
    source = f"data/releases ({len(docs)} files)"
    if not docs:
        docs, source = generated_releases(), "generated release sentences (data/releases is empty)"
    size = sum(len(d.encode()) for d in docs)
    return docs, docs * (target // size + 1), source


def generated_releases(count: int = 200) -> list[str]:
    rng = random.Random(3)
    docs = []
    for _ in range(count):
        lines = [
            rng.choice(SENTENCES).format(
                a=rng.randint(1, 9),
                b=rng.randint(0, 9),
                c=rng.randint(0, 9),
                p=rng.randint(1, 60),
                q=rng.randint(0, 9),
                year=rng.randint(2018, 2025),
                month=rng.choice(MONTHS),
                rank=rng.choice(RANKS),
            )
            for _ in range(12)
        ]
        docs.append("\n\n".join(lines))
    return docs


def measure(docs: list[str], parse: Callable[[str], object], repeat: int = 3) -> tuple[float, float]:
    """Best-of-repeat MB/s: (CPU seconds of this process, wall seconds)."""
    size = sum(len(d.encode()) for d in docs)
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for doc in docs:
            parse(doc)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return size / best_cpu / 1e6, size / best_wall / 1e6


def ours_reads(sentence: str, value: float, currency: str | None) -> bool:
    return any(_close(q.value, value) and q.currency == currency for q in find_quantities(sentence))


def quantulum_reads(parser, sentence: str, value: float, currency: str | None) -> bool:
    found = parser.parse(sentence)
    return any(_close(q.value, value) and getattr(q.unit, "currency_code", None) == currency for q in found)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def load_quantulum():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import parser
    except ImportError:
        return None
    parser.parse("warm up: 5 dollars")  # its first call loads the unit tables
    return parser


def sample(docs: list[str], size: int) -> list[str]:
    out, total = [], 0
    for doc in docs:
        if total >= size:
            break
        out.append(doc)
        total += len(doc.encode())
    return out


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="1 MB corpus, smaller quantulum3 sample")
    quick = args.parse_args(argv).quick
    distinct, docs, source = build_corpus(quick)
    size = sum(len(d.encode()) for d in docs)
    per_mb = sum(len(find_quantities(d)) for d in distinct) / sum(len(d.encode()) for d in distinct) * 1e6
    ours_cpu, ours_wall = measure(docs, find_quantities)
    ours_right = sum(ours_reads(*p) for p in PROBES)

    parser = load_quantulum()
    rows = [
        ("corpus", source, ""),
        ("corpus size (MB)", f"{size / 1e6:.2f}", ""),
        ("quantities per MB (ours)", f"{per_mb:.0f}", ""),
    ]
    print(f"{'':34s} {'metrics.quantities':>20s} {'quantulum3':>14s}")
    for name, value, _ in rows:
        print(f"{name:34s} {value:>20s}")
    print(f"{'MB/s, one core (CPU time)':34s} {ours_cpu:>20.2f}", end="")
    ratio = None
    if parser is None:
        print(f" {'not installed':>14s}")
        print(f"{'probes read right (value+currency)':34s} {ours_right:>17d}/{len(PROBES)}")
    else:
        small = sample(docs, 50_000 if quick else 200_000)
        theirs_cpu, theirs_wall = measure(small, parser.parse, repeat=1)
        ratio = ours_cpu / theirs_cpu
        theirs_right = sum(quantulum_reads(parser, *p) for p in PROBES)
        print(f" {theirs_cpu:>14.4f}")
        print(f"{'MB/s (wall clock)':34s} {ours_wall:>20.2f} {theirs_wall:>14.4f}")
        print(f"{'quantulum3 sample (KB)':34s} {'':>20s} {sum(len(d.encode()) for d in small) / 1e3:>14.0f}")
        print(f"{'speed ratio (CPU time)':34s} {ratio:>19.0f}x")
        print(
            f"{'probes read right (value+currency)':34s} {ours_right:>17d}/{len(PROBES)} {theirs_right:>11d}/{len(PROBES)}"
        )
    ok = ours_cpu >= TARGET_MB_S and (ratio is None or ratio >= TARGET_RATIO)
    verdict = "PASS" if ok else "FAIL"
    comparison = (
        "quantulum3 not installed" if ratio is None else f"{ratio:.0f}x quantulum3 (target >= {TARGET_RATIO:.0f}x)"
    )
    print(
        f"{verdict}: find_quantities {ours_cpu:.2f} MB/s per core (target >= {TARGET_MB_S:.0f}), {comparison}, "
        f"probes {ours_right}/{len(PROBES)}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
