"""Query latency at 10 million facts (design §9): every page's queries, median and p95 over random parameters.

Synthetic data is generated inside DuckDB with range() joins (2,000 companies × 50 metrics × 100 quarters,
plus 1 % tracker figures that disagree, and one document per company × quarter), then the current series is
materialised once (migration 003). Prints the file size, the load time, one row per query and a summary line;
exits 0 only when every query has median ≤ 50 ms and p95 ≤ 150 ms.

    .venv/bin/python bench/queries.py            # 10,000,000 facts
    .venv/bin/python bench/queries.py --quick    #  1,000,000 facts
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from metrics.catalogue import load_catalogue  # noqa: E402
from queries import analytics, reads, schema  # noqa: E402
from queries.build import DATA_DIR, load_fx_rates  # noqa: E402
from queries.series import rebuild_series  # noqa: E402
from queries.store import edit_fact  # noqa: E402

MEDIAN_TARGET_MS, P95_TARGET_MS = 50.0, 150.0
METRICS, QUARTERS = 50, 100
CURRENCIES = ("CNY", "USD", "KRW", "HKD", "EUR", "JPY")


def metric_rows() -> list[tuple[int, str, str, str]]:
    """(index, id, unit, kind): the catalogue's metrics first, then synthetic ones up to METRICS."""
    catalogue = load_catalogue()
    rows = [
        (i, m.id, m.unit, "instant" if m.is_stock else "duration") for i, m in enumerate(catalogue.metrics.values())
    ]
    for i in range(len(rows), METRICS):
        rows.append((i, f"kpi_{i:02d}", ("units", "currency", "users")[i % 3], "duration"))
    return rows[:METRICS]


def generate(con: duckdb.DuckDBPyConnection, companies: int) -> None:
    """Companies, documents and facts, set-based: no Python loop over rows.

    Rows are stored in id order, as ingestion stores them (ids grow with each insert).
    """
    schema.migrate(con)
    load_fx_rates(con, DATA_DIR)
    con.execute("create temp table bench_metrics (idx integer, id varchar, unit varchar, kind varchar)")
    con.executemany("insert into bench_metrics values (?, ?, ?, ?)", metric_rows())
    con.execute(
        """
        insert into companies (name, currency, fiscal_year_end)
        select 'C' || lpad(c::varchar, 4, '0') || ' Corp', $currencies[1 + c % 6], '12-31' from range($n) t(c)
        """,
        {"n": companies, "currencies": list(CURRENCIES)},
    )
    con.execute(
        """
        insert into documents (id, company, title, published, source, media_type, text, is_event, extractor_version,
                               fact_count)
        select
            md5(c::varchar || '/' || q::varchar),
            'C' || lpad(c::varchar, 4, '0') || ' Corp',
            'C' || lpad(c::varchar, 4, '0') || ' Corp' || ' results for ' || (2000 + q // 4) || '-Q' || (1 + q % 4),
            (make_date(2000 + q // 4, 3 * (q % 4) + 1, 1) + interval 4 month + interval 10 day)::date,
            'synthetic', 'text/plain',
            'C' || lpad(c::varchar, 4, '0') || ' Corp' || ' reported revenue of ' || (1000 + c + q) || ' million '
                || 'for the quarter, with shipments of ' || (50 + q) || ' million units and strong growth.',
            (c + q) % 50 = 0,
            '0.1.0',
            $m
        from range($n) t(c), range($q) u(q)
        order by c, q
        """,
        {"n": companies, "q": QUARTERS, "m": METRICS},
    )
    con.execute(
        """
        insert into facts (id, document_id, origin, company, metric, segment, period_start, period_end, period_kind,
                           value, unit, currency, confidence, span_start, span_end, evidence, status,
                           extractor_version)
        select
            1 + c * $m * $q + m.idx * $q + q,
            md5(c::varchar || '/' || q::varchar),
            'extracted',
            'C' || lpad(c::varchar, 4, '0') || ' Corp',
            m.id, '',
            case when m.kind = 'instant' then p.q_end else p.q_start end,
            p.q_end,
            m.kind,
            (1000 + c) * (m.idx + 1) * 1e5 * pow(1.01, q) * (1 + 0.05 * sin(q + c)),
            m.unit,
            case when m.unit = 'currency' then $currencies[1 + c % 6] end,
            0.5 + ((c * 31 + q * 7 + m.idx) % 50) / 100,
            20, 34, 'Company reported the figure for the quarter.', 'extracted', '0.1.0'
        from range($n) t(c)
        cross join bench_metrics as m
        cross join (
            select q, make_date(2000 + q // 4, 3 * (q % 4) + 1, 1) as q_start,
                   (make_date(2000 + q // 4, 3 * (q % 4) + 1, 1) + interval 3 month - interval 1 day)::date as q_end
            from range($q) u(q)
        ) as p
        order by 1
        """,
        {"n": companies, "m": METRICS, "q": QUARTERS, "currencies": list(CURRENCIES)},
    )
    con.execute(
        """
        insert into facts (id, origin, company, metric, segment, period_start, period_end, period_kind, value, unit,
                           currency, attributed_to, confidence, source_url, status)
        select $offset + row_number() over (), 'curated', company, metric, segment, period_start, period_end,
               period_kind, value * 1.03, unit, currency, 'IDC', 1.0, 'https://example.com/idc', 'confirmed'
        from facts
        where id % 100 = 7
        """,
        {"offset": companies * METRICS * QUARTERS},
    )
    rebuild_series(con)


def quarter_end(q: int) -> date:
    year, quarter = 2000 + q // 4, q % 4 + 1
    return date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)


def page_queries(con, companies: int, rng: random.Random) -> dict[str, Callable[[], object]]:
    """Every query a page runs, each drawing fresh random parameters per call."""
    metric_ids = [m[1] for m in metric_rows()]
    flows = [m[1] for m in metric_rows() if m[3] == "duration"]
    max_fact = con.execute("select max(id) from facts where document_id is not null").fetchone()[0]
    companies = con.execute("select count(*) from companies").fetchone()[0]
    names = [f"C{c:04d} Corp" for c in range(companies)]
    doc_ids = [r[0] for r in con.execute("select id from documents using sample 200 rows").fetchall()]

    def pick(k: int) -> list[str]:
        return rng.sample(names, k)

    return {
        "list_metrics (all pages)": lambda: reads.list_metrics(con),
        "list_companies_for_metric": lambda: reads.list_companies_for_metric(con, rng.choice(metric_ids)),
        "list_segments_for_metric": lambda: reads.list_segments_for_metric(con, rng.choice(metric_ids)),
        "list_sources_for_metric": lambda: reads.list_sources_for_metric(con, rng.choice(metric_ids)),
        "current_series (Trends)": lambda: reads.current_series(con, rng.choice(flows), pick(5), "", "best", "quarter"),
        "growth_series (Trends)": lambda: analytics.growth_series(
            con, rng.choice(flows), pick(5), grain="quarter", index_period=quarter_end(rng.randrange(QUARTERS))
        ),
        "compare_period (Compare)": lambda: analytics.compare_period(
            con, rng.choice(flows), quarter_end(rng.randrange(QUARTERS)), currency=rng.choice(("USD", "CNY"))
        ),
        "scatter_metrics (Compare)": lambda: analytics.scatter_metrics(
            con, rng.choice(flows), rng.choice(flows), quarter_end(rng.randrange(QUARTERS))
        ),
        "latest_snapshot (Overview)": lambda: analytics.latest_snapshot(con, rng.choice(names)),
        "coverage_grid, 20 companies (Quality)": lambda: analytics.coverage_grid(
            con, rng.choice(metric_ids), companies=pick(20)
        ),
        "list_conflicts (Quality, Review)": lambda: analytics.list_conflicts(
            con, metric=rng.choice(metric_ids), company=rng.choice(names)
        ),
        "quarters_not_adding_up (Quality)": lambda: analytics.quarters_not_adding_up(con, company=rng.choice(names)),
        "fact_provenance (Trends hover)": lambda: analytics.fact_provenance(con, rng.randrange(1, max_fact)),
        "list_documents + search (Releases)": lambda: analytics.list_documents(
            con, company=rng.choice(names), search=rng.choice(("revenue", "shipments", "growth")), limit=100
        ),
        "get_document (Releases)": lambda: analytics.get_document(con, rng.choice(doc_ids)),
        "list_document_facts (Releases)": lambda: analytics.list_document_facts(con, rng.choice(doc_ids)),
        "list_events (Trends markers)": lambda: analytics.list_events(con, rng.choice(names)),
        "list_review_queue (Review)": lambda: analytics.list_review_queue(
            con, company=rng.choice(names), max_confidence=0.6, limit=200
        ),
        "list_fact_edits (Review)": lambda: analytics.list_fact_edits(con, limit=100),
    }


def measure(action: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Median and p95 wall time, and median CPU time of this process (all DuckDB threads), in ms.

    The CPU time does not grow when other programs compete for the cores, so it tells the query's own cost
    apart from a busy machine's queueing.
    """
    action()  # warm-up: first use of each plan
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], statistics.median(cpu)


def measure_edits(con, rng: random.Random, runs: int = 10) -> float:
    """Median time of one edit (update, audit row, re-ranking) at this size: reported, not a target."""
    known = [m.id for m in load_catalogue().metrics.values()]
    ids = [
        r[0]
        for r in con.execute(
            "select id from facts where list_contains($known, metric) using sample 100 rows", {"known": known}
        ).fetchall()
    ]
    times = []
    for _ in range(runs):
        fact_id = rng.choice(ids)
        start = time.perf_counter()
        edit_fact(con, fact_id, {"value": rng.random() * 1e9}, user="bench")
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 million facts instead of 10 million")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--db", help="keep the generated database at this path and reuse it on later runs")
    args = parser.parse_args()
    companies = 200 if args.quick else 2000
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp:
        path = args.db or os.path.join(tmp, "bench.duckdb")
        reuse = os.path.exists(path)
        con = duckdb.connect(path)
        con.execute("set enable_progress_bar = false")
        start = time.perf_counter()
        if not reuse:
            generate(con, companies)
            con.execute("checkpoint")
        load_s = time.perf_counter() - start
        facts = con.execute("select count(*) from facts").fetchone()[0]
        size_mb = os.path.getsize(path) / 1e6
        loaded = "reused" if reuse else f"{load_s:.1f} s"
        print(
            f"facts: {facts:,}  companies: {companies:,}  file: {size_mb:,.0f} MB  load: {loaded}  "
            f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"{'query':<42} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8}  ok")
        failures = 0
        queries = page_queries(con, companies, rng)
        for name, action in queries.items():
            median, p95, cpu = measure(action, args.runs)
            ok = median <= MEDIAN_TARGET_MS and p95 <= P95_TARGET_MS
            failures += not ok
            print(f"{name:<42} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f}  {'yes' if ok else 'NO'}")
        print(f"{'edit_fact (Review; write, no target)':<42} {measure_edits(con, rng):>10.1f}")
        con.close()
    verdict = "PASS" if failures == 0 else "FAIL"
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"summary: {len(queries) - failures}/{len(queries)} page queries within median ≤ {MEDIAN_TARGET_MS:.0f} ms "
        f"and p95 ≤ {P95_TARGET_MS:.0f} ms at {facts:,} facts ({args.runs} runs each) — {verdict}"
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
