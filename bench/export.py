"""Benchmark: export 10 million facts as a long CSV (with provenance) in bounded memory.

Generates the facts set-based inside DuckDB (a cross join of ranges: companies × metrics × segments ×
quarters × sources, with documents for the companies' own figures) in a temporary file, ranks the
current series once, then runs the real command line (``queries.csv_cli.main(["export", ...])``) in a
child process and samples its resident memory with psutil. Exits 0 only when every row was written
and the child's peak RSS stayed within 1 GB.

    .venv/bin/python bench/export.py            # 10 million facts
    .venv/bin/python bench/export.py --quick    # 1 million
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queries import schema  # noqa: E402
from queries.series import rebuild_series  # noqa: E402

RSS_LIMIT_MB = 1024
COMPANIES, SEGMENTS, QUARTERS, SOURCES = 200, 10, 100, 5  # 1 million facts per metric
METRICS = (
    "revenue", "net_profit", "adjusted_net_profit", "gross_profit", "rd_expenses", "smartphone_shipments",
    "ev_deliveries", "market_share_pct", "market_rank", "monthly_active_users",
)  # fmt: skip
SAMPLE_EVERY = 0.05  # seconds between RSS samples of the child

GENERATE_DOCUMENTS = """
insert into documents (id, company, title, published, source, source_url, text)
select
    'doc-' || c || '-' || q,
    'Company ' || c,
    'Company ' || c || ' results, quarter ' || q,
    cast(date '2000-01-01' + to_months(3 * q + 4) as date),
    'bench',
    'https://example.com/releases/' || c || '/' || q,
    'generated'
from range($companies) as a(c), range($quarters) as b(q)
"""

# Text that exercises quoting and neutralising: commas, quotes, a leading minus, non-ASCII names.
GENERATE_FACTS = """
insert into facts (
    id, created_at, document_id, origin, status, company, metric, segment, period_start, period_end,
    period_kind, value, unit, currency, attributed_to, confidence, span_start, span_end, evidence, source_url
)
select
    1 + s + $sources * (q + $quarters * (g + $segments * (m + len($metrics) * c))),
    timestamp '2026-01-01',
    if(s = 0, 'doc-' || c || '-' || q, null),
    if(s = 0, 'extracted', 'curated'),
    if(s = 0, 'extracted', 'confirmed'),
    if(c % 50 = 7, '小米 ' || c, 'Company ' || c),
    $metrics[m + 1],
    case when g = 0 then '' when g = 9 then '-' || g || ' (net)' else 'segment ' || g end,
    cast(date '2000-01-01' + to_months(3 * q) as date),
    cast(date '2000-01-01' + to_months(3 * q + 3) as date) - 1,
    'duration',
    (hash(c, m, g, q, s) % 100000000000)::double / 7 - 1e9,
    if(m < 5, 'currency', 'units'),
    if(m < 5, 'CNY', null),
    if(s = 0, null, ['IDC', 'Canalys', 'Counterpoint', 'Omdia'][s]),
    0.5 + (hash(q, s) % 50) / 100,
    40 + q,
    60 + q,
    'Company ' || c || ' reported ' || $metrics[m + 1] || ' of RMB 1,234.5 million, up 12.3% "year-over-year", '
        || 'in quarter ' || q || ' (segment ' || g || ').',
    'https://example.com/' || c || '/' || q
from range($companies) as a(c), range(len($metrics)) as b(m), range($segments) as d(g),
     range($quarters) as e(q), range($sources) as f(s)
"""


def generate(path: Path, metrics: tuple[str, ...]) -> tuple[int, float, float]:
    """Build the benchmark database; return (facts, seconds to insert, seconds to rank the series)."""
    con = duckdb.connect(str(path), config={"memory_limit": "4GB", "preserve_insertion_order": "false"})
    try:
        started = time.perf_counter()
        schema.migrate(con)
        sizes = {"companies": COMPANIES, "quarters": QUARTERS}
        con.execute(GENERATE_DOCUMENTS, sizes)
        con.execute(GENERATE_FACTS, {**sizes, "segments": SEGMENTS, "sources": SOURCES, "metrics": list(metrics)})
        inserted = time.perf_counter()
        rebuild_series(con)
        con.execute("checkpoint")
        ranked = time.perf_counter()
        facts = con.execute("select count(*) from series_by_source").fetchone()[0]
    finally:
        con.close()
    return facts, inserted - started, ranked - inserted


def export_in_child(db: Path, out: Path) -> tuple[dict, float]:
    """Run the CLI export in a child process; return its report and its peak RSS in MB.

    The peak is the larger of psutil samples taken here and the child's own high-water mark (VmHWM,
    read by the child as it ends). getrusage(RUSAGE_CHILDREN) is not used: it would count the pages the
    child shares with this (large) process between fork and exec.
    """
    env = {**os.environ, "METRICS_DB": str(db), "PYTHONPATH": str(ROOT)}
    child = psutil.Popen([sys.executable, __file__, "--child", str(out)], env=env, stdout=subprocess.PIPE, text=True)
    sampled = 0
    while child.poll() is None:
        try:
            sampled = max(sampled, child.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(SAMPLE_EVERY)
    report = json.loads(child.stdout.read() or "{}")
    peak = max(sampled, report.get("vm_hwm_bytes", 0))
    return report | {"returncode": child.returncode}, peak / 2**20


def run_child(out: Path) -> int:
    """The measured side: the real command line, exactly as a user runs it."""
    from queries.csv_cli import main

    started = time.perf_counter()
    code = main(["export", "--out", str(out)])
    seconds = time.perf_counter() - started
    print(json.dumps({"code": code, "seconds": seconds, "vm_hwm_bytes": _peak_rss()}))
    return code


def _peak_rss() -> int:
    """This process's resident high-water mark since exec (Linux /proc), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 million facts instead of 10 million")
    parser.add_argument("--child", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(Path(args.child))
    metrics = METRICS[:1] if args.quick else METRICS
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        db, out = Path(tmp) / "bench.duckdb", Path(tmp) / "export.csv"
        facts, insert_seconds, rank_seconds = generate(db, metrics)
        report, peak_mb = export_in_child(db, out)
        size_mb = out.stat().st_size / 2**20 if out.exists() else 0.0
        rows = _count_lines(out) - 1 if out.exists() else 0
    seconds = report.get("seconds", float("nan"))
    ok = report.get("code") == 0 and rows == facts and peak_mb <= RSS_LIMIT_MB
    print(
        f"{'facts generated':<22}{facts:>14,}   (insert {insert_seconds:.1f} s set-based, rank series {rank_seconds:.1f} s)"
    )
    print(f"{'rows exported':<22}{rows:>14,}")
    print(f"{'export time':<22}{seconds:>14.1f} s")
    print(f"{'file size':<22}{size_mb:>14.1f} MB")
    print(f"{'throughput':<22}{size_mb / seconds:>14.1f} MB/s")
    print(f"{'peak RSS (child)':<22}{peak_mb:>14.1f} MB   (target <= {RSS_LIMIT_MB} MB)")
    verdict = "PASS" if ok else "FAIL"
    print(f"{verdict}: {rows:,} rows, {seconds:.1f} s, {size_mb / seconds:.1f} MB/s, peak RSS {peak_mb:.0f} MB")
    return 0 if ok else 1


def _count_lines(path: Path) -> int:
    """Lines in the file (CR LF inside quoted fields would be counted too; the bench text has none)."""
    count = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b"\n")
    return count


if __name__ == "__main__":
    sys.exit(main())
