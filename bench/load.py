"""Load: 30 concurrent sessions load Trends and Compare while one editor ingests 100 releases.

Loopback only, bounded in count and time. Sessions are Streamlit websocket clients speaking the browser's
protocol (BackMsg ``rerun_script`` in, ForwardMsg deltas out); a page's time runs from the request to
``script_finished``; an exception element, an ``st.error`` or a timeout counts as an error.

Engines: ``--engine lake`` (default when PostgreSQL and the DuckLake wheels are present) starts its own
PostgreSQL on a free loopback port; the dashboard and the editor (a separate process ingesting through
``queries.access`` as a signed-in editor) share the DuckLake. ``--engine file`` uses a DuckDB file; the
dashboard process holds it, so the editor's ingest runs inside the dashboard's process, which is what the
Ingest page does (a file admits one writer: docs/hosting.md).

    .venv/bin/python bench/load.py [--sessions 30] [--releases 100] [--rounds 3] [--engine lake|file]

Targets: no errors, p95 page time <= 2 s, server RSS <= 800 MB. Exit 0 only when all are met.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import LocalPostgres, postgres_available  # noqa: E402
from bench.releases import write_releases  # noqa: E402
from bench.server import start_dashboard, stop_process  # noqa: E402

P95_TARGET, RSS_TARGET_MB = 2.0, 800
PAGES = ("trends", "compare")
PAGE_TIMEOUT = 60.0
RUN_DEADLINE = 600.0  # the whole load phase stops by itself after this


@dataclass
class PageResult:
    page: str
    seconds: float
    error: str | None = None
    texts: list[str] = field(default_factory=list)
    elements: Counter = field(default_factory=Counter)  # new elements by type ("plotly_chart", "progress", …)
    raw: bytes = b""  # every ForwardMsg of the run, when asked for (tests search it for a value)


# ---------------------------------------------------------------------------- a websocket session


def _rerun_message(page: str) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


def _element_text(element) -> tuple[str | None, str]:
    """(error or None, visible text) of one new element."""
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.type}: {element.exception.message[:200]}", ""
    if kind == "alert":
        text = element.alert.body
        return (f"st.error: {text[:200]}" if element.alert.format == 1 else None), text
    if kind in ("markdown", "text", "heading"):
        return None, getattr(element, kind).body
    if kind == "metric":
        return None, f"{element.metric.label} {element.metric.body}"
    return None, ""


class Session:
    """One browser tab: a websocket to the dashboard that loads pages one after the other."""

    def __init__(self, base_url: str) -> None:
        from websockets.sync.client import connect

        ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = connect(ws_url, subprotocols=["streamlit"], max_size=2**26, open_timeout=30).__enter__()

    def load(self, page: str, timeout: float = PAGE_TIMEOUT, keep_raw: bool = False) -> PageResult:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        start = time.perf_counter()
        self.ws.send(_rerun_message(page))
        result = PageResult(page, 0.0)
        deadline = start + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                result.error = f"timeout after {timeout:.0f} s"
                break
            try:
                raw = self.ws.recv(timeout=remaining)
            except TimeoutError:
                continue
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            if keep_raw:
                result.raw += raw
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                result.elements[msg.delta.new_element.WhichOneof("type")] += 1
                error, text = _element_text(msg.delta.new_element)
                result.error = result.error or error
                if text:
                    result.texts.append(text)
            elif kind == "page_not_found":
                result.error = f"page not found: {page}"
            elif kind == "script_finished" and msg.script_finished != 2:  # 2: stopped early for a rerun
                break
        result.seconds = time.perf_counter() - start
        return result

    def close(self) -> None:
        self.ws.close()


def load_page(base_url: str, page: str, timeout: float = PAGE_TIMEOUT, keep_raw: bool = False) -> PageResult:
    """Open a session, load one page, close; for tests."""
    session = Session(base_url)
    try:
        return session.load(page, timeout, keep_raw)
    finally:
        session.close()


# ---------------------------------------------------------------------------- the dashboard process


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB."""
    import psutil

    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


# ---------------------------------------------------------------------------- the run


EDITOR_SCRIPT = """
import sys, time
from queries.access import Principal, ingest_paths_as
from queries.connection import connect
con = connect()
started = time.perf_counter()
result = ingest_paths_as(Principal("editor@example.com", "editor"), con, sys.argv[1:], workers=1)
print(f"{result.documents} {result.facts} {len(result.rejected)} {time.perf_counter() - started:.1f}", flush=True)
"""


def run_sessions(urls: list[str], sessions: int, rounds: int, stop_at: float) -> tuple[list[PageResult], list[str]]:
    """``sessions`` threads (spread over the replicas' URLs), each loading Trends then Compare ``rounds`` times."""
    results: list[PageResult] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one_session(index: int) -> None:
        try:
            session = Session(urls[index % len(urls)])
        except Exception as exc:  # counted as an error of the run
            with lock:
                failures.append(f"session {index}: connect: {exc}")
            return
        try:
            for _ in range(rounds):
                for page in PAGES:
                    if time.monotonic() > stop_at:
                        return
                    page_result = session.load(page)
                    with lock:
                        results.append(page_result)
        except Exception as exc:
            with lock:
                failures.append(f"session {index}: {type(exc).__name__}: {exc}")
        finally:
            session.close()

    threads = [threading.Thread(target=one_session, args=(i,), daemon=True) for i in range(sessions)]
    for t in threads:
        t.start()
        time.sleep(0.05)  # people do not all arrive in the same millisecond
    for t in threads:
        t.join(timeout=max(1.0, stop_at - time.monotonic()))
    return results, failures


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def sample_rss(pids: list[int], stop: threading.Event, peak: list[float]) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], sum(rss_mb(pid) for pid in pids))
        except Exception:
            return
        stop.wait(0.5)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="metrics-load-"))
    releases = write_releases(work / "releases", args.releases)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "METRICS_READ_ONLY": "", "METRICS_USER": "editor@example.com"}
    pg = None
    try:
        if args.engine == "lake":
            pg = LocalPostgres.start()
            env.update(METRICS_DB=pg.lake_dsn("kpi"), METRICS_DATA_PATH=str(work / "lake"))
        else:
            env.update(METRICS_DB=str(work / "metrics.duckdb"))
        return run(args, env, releases)
    finally:
        if pg is not None:
            pg.stop()


def run(args: argparse.Namespace, env: dict[str, str], releases: list[Path]) -> int:
    prepare = subprocess.run(
        [sys.executable, "-c", "from queries.build import ensure_database; ensure_database()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if prepare.returncode:
        print(prepare.stderr[-2000:])
        return 1
    servers = [start_dashboard(env) for _ in range(args.replicas)]
    try:
        for _, url in servers:
            warm = load_page(url, "trends")  # first run opens the database and fills caches
            print(f"engine {args.engine}; {url}: first Trends load (cold) {warm.seconds:.2f} s; error: {warm.error}")
        return measure(args, env, releases, [p.pid for p, _ in servers], [u for _, u in servers])
    finally:
        for proc, _ in servers:
            stop_process(proc)


def measure(args, env, releases, pids: list[int], urls: list[str]) -> int:
    stop, peak = threading.Event(), [0.0]
    sampler = threading.Thread(target=sample_rss, args=(pids, stop, peak), daemon=True)
    sampler.start()
    editor = None
    if args.engine == "lake":
        editor = subprocess.Popen(
            [sys.executable, "-c", EDITOR_SCRIPT, *map(str, releases)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    started = time.monotonic()
    results, failures = run_sessions(urls, args.sessions, args.rounds, started + RUN_DEADLINE)
    elapsed = time.monotonic() - started
    editor_line = finish_editor(editor)
    stop.set()
    sampler.join(timeout=5)
    return report(args, results, failures, editor_line, elapsed, peak[0])


def finish_editor(editor: subprocess.Popen | None) -> str:
    if editor is None:
        return "editor: none (file engine: the dashboard process is the only writer)"
    try:
        out, err = editor.communicate(timeout=RUN_DEADLINE)
    except subprocess.TimeoutExpired:
        editor.kill()
        return "editor: TIMEOUT"
    if editor.returncode:
        return f"editor: FAILED ({err.strip().splitlines()[-1] if err.strip() else editor.returncode})"
    documents, facts, rejected, seconds = out.strip().splitlines()[-1].split()
    return f"editor: ingested {documents} releases ({facts} facts, {rejected} rejected) in {seconds} s"


def report(args, results: list[PageResult], failures: list[str], editor_line: str, elapsed: float, rss: float) -> int:
    errors = [f"{r.page}: {r.error}" for r in results if r.error] + failures
    print(f"{'page':<10}{'loads':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'errors':>8}")
    for page in PAGES:
        times = [r.seconds for r in results if r.page == page]
        bad = sum(1 for r in results if r.page == page and r.error)
        print(f"{page:<10}{len(times):>7}{percentile(times, 0.5):>9.2f}{percentile(times, 0.95):>9.2f}"
              f"{max(times, default=float('nan')):>9.2f}{bad:>8}")  # fmt: skip
    all_times = [r.seconds for r in results]
    p50, p95 = percentile(all_times, 0.5), percentile(all_times, 0.95)
    print(editor_line)
    for line in errors[:10]:
        print(f"error: {line}")
    expected = args.sessions * args.rounds * len(PAGES)
    ok = not errors and len(results) == expected and p95 <= P95_TARGET and rss <= RSS_TARGET_MB
    ok = ok and "FAILED" not in editor_line and "TIMEOUT" not in editor_line
    print(
        f"SUMMARY {'PASS' if ok else 'FAIL'}: {args.sessions} sessions on {args.replicas} dashboard process(es), "
        f"{len(results)}/{expected} page loads in "
        f"{elapsed:.1f} s; p50 {p50:.2f} s, p95 {p95:.2f} s (target <= {P95_TARGET} s); errors {len(errors)}; "
        f"server peak RSS {rss:.0f} MB (target <= {RSS_TARGET_MB} MB)"
    )
    return 0 if ok else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--releases", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="Trends + Compare loads per session")
    parser.add_argument("--engine", choices=("lake", "file"), default="lake" if postgres_available() else "file")
    parser.add_argument("--replicas", type=int, default=1, help="dashboard processes (lake: a replica set)")
    args = parser.parse_args(argv)
    args.sessions, args.rounds, args.releases = min(args.sessions, 200), min(args.rounds, 20), min(args.releases, 2000)
    if args.engine == "file":
        args.replicas = 1  # a DuckDB file has one writing process
    args.replicas = max(1, min(args.replicas, 8))
    return args


if __name__ == "__main__":
    sys.exit(main())
