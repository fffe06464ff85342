"""Dashboard in a real browser: time to the first chart on Trends, page switch time, server memory.

Starts the app (``streamlit run app.py``) on a database, drives Debian's Chromium with Playwright and
measures:

- first chart: from ``goto(/trends)`` until Plotly has drawn the points of the Trends chart, in a new tab
  and a new app session on a running server. Judged with the app's JavaScript in the browser cache (a
  returning visitor: the server does all its work again, the browser does not download and compile the
  4.7 MB plotly.js chunk again). An empty cache and the very first load after the server starts (which
  also pays the server's imports and the database check) are shown, not judged: on two cores Chromium
  alone takes about 4–6 s to parse plotly.js for a page with one trivial chart;
- page switch: clicking a sidebar link until the new page's main element (chart, KPI card, highlighted
  release) is drawn;
- RSS: resident memory of the server process and its children, sampled every 0.2 s (peak reported).

Targets (design §9): first chart ≤ 3 s, page switch ≤ 2 s, RSS ≤ 600 MB; judged on medians. Exit 0 only
when all three are met.

    .venv/bin/python bench/app.py [--db PATH] [--runs 5]

Without ``--db`` the bundled database is used (built from data/ if missing) through a temporary copy, so
a running dashboard holding the file does not matter. A big database (``--db big.duckdb``, e.g. 10 million
facts) is used in place.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server import start_dashboard, stop_process  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
TARGET_FIRST_CHART_S = 3.0
TARGET_SWITCH_S = 2.0
TARGET_RSS_MB = 600.0
TIMEOUT_MS = 120_000
CHART_POINTS = "div.js-plotly-plot .scatterlayer .trace path.point"
# Sidebar link -> what shows the page is drawn; the tour starts and ends on Trends.
TOUR = (
    ("Compare", "div.js-plotly-plot .barlayer .trace"),
    ("Overview", "[data-testid=stMetric]"),
    ("Releases", ".release-text mark"),
    ("Data quality", "div.js-plotly-plot .heatmaplayer, div.js-plotly-plot g.hm"),
    ("Trends", CHART_POINTS),
)


def prepare_database(path: str | None, workdir: Path) -> tuple[str, str]:
    """The database file to serve and how it was chosen."""
    if path:
        return path, f"{path} (in place)"
    from queries.build import ensure_database
    from queries.connection import DEFAULT_DB

    started = time.perf_counter()
    built = ensure_database(str(DEFAULT_DB))
    note = f"built in {time.perf_counter() - started:.1f} s" if built else "existing"
    copy = workdir / "metrics.duckdb"
    shutil.copy(DEFAULT_DB, copy)
    return str(copy), f"bundled data, {note}, served from a copy"


BASELINE_APP = """import plotly.graph_objects as go
import streamlit as st

st.title("Trends")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2], mode="lines+markers")), key="chart")
"""


def start_server(db: str, script: Path = ROOT / "app.py") -> tuple[subprocess.Popen, str]:
    """Serve ``script`` on ``db``, every visitor an editor (so each page of the tour is open to it)."""
    env = {**os.environ, "METRICS_DB": db, "METRICS_ROLE_DEFAULT": "editor"}
    try:
        return start_dashboard(env, script, seconds=90)
    except RuntimeError as exc:  # a benchmark ends with the message, not a traceback
        raise SystemExit(str(exc)) from exc


class RssSampler(threading.Thread):
    """Peak resident memory of a process tree, sampled in the background."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.last = 0
        self._done = threading.Event()

    def sample(self) -> int:
        import psutil

        total = 0
        try:
            for proc in [self.process, *self.process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a child that just exited
                    total += proc.memory_info().rss
        except psutil.Error:
            return self.last
        self.last = total
        self.peak = max(self.peak, total)
        return total

    def run(self) -> None:
        while not self._done.wait(self.every):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=2)
        self.sample()


def _time_trends(page, url: str, path: str = "trends") -> float:
    started = time.perf_counter()
    page.goto(f"{url}/{path}")
    page.locator(CHART_POINTS).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return time.perf_counter() - started


def first_chart(browser, url: str) -> float:
    """Seconds from goto(/trends) to the drawn chart in a fresh context: nothing cached in the browser."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        return _time_trends(context.new_page(), url)
    finally:
        context.close()


def returning_charts(browser, url: str, runs: int, path: str = "trends") -> list[float]:
    """The same for a returning visitor: a new tab and a new app session, the app's JavaScript in the cache."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        _time_trends(context.new_page(), url, path)  # fills the browser cache
        times = []
        for _ in range(runs):
            page = context.new_page()
            times.append(_time_trends(page, url, path))
            page.close()
        return times
    finally:
        context.close()


def measure_baseline(workdir: Path, db: str, runs: int) -> list[float]:
    """The machine's floor: a one-chart Streamlit app, measured like Trends with the JavaScript cached."""
    from playwright.sync_api import sync_playwright

    script = workdir / "baseline" / "app.py"
    script.parent.mkdir()
    script.write_text(BASELINE_APP, encoding="utf-8")
    proc, url = start_server(db, script)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            times = returning_charts(browser, url, runs, path="")
            browser.close()
        return times
    finally:
        stop_process(proc)


def page_switches(browser, url: str) -> dict[str, float]:
    """Seconds per sidebar click, starting from a drawn Trends page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    times = {}
    try:
        page.goto(f"{url}/trends")
        page.locator(CHART_POINTS).first.wait_for(state="attached", timeout=TIMEOUT_MS)
        for link, ready in TOUR:
            nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name=link)
            started = time.perf_counter()
            nav.click()
            page.get_by_role("heading", name=link).wait_for(timeout=TIMEOUT_MS)
            page.locator(ready).first.wait_for(state="attached", timeout=TIMEOUT_MS)
            times[link] = time.perf_counter() - started
        return times
    finally:
        context.close()


def _row(name: str, values: list[float], target: float, unit: str = "s") -> tuple[str, float, bool]:
    median = statistics.median(values)
    ok = median <= target
    spread = f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else f"{values[0]:.2f}"
    print(f"{name:<34} {median:>8.2f} {unit:<3} {spread:>14}   ≤ {target:g} {unit}   {'ok' if ok else 'MISSED'}")
    return name, median, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database file to serve (default: the bundled data, via a copy)")
    parser.add_argument("--runs", type=int, default=5, help="new-visitor loads and page tours (default 5)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench_app_") as tmp:
        db, described = prepare_database(args.db, Path(tmp))
        baseline = measure_baseline(Path(tmp), db, args.runs)
        proc, url = start_server(db)
        sampler = RssSampler(proc.pid)
        sampler.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cold = first_chart(browser, url)
                loads = [first_chart(browser, url) for _ in range(args.runs)]
                returning = returning_charts(browser, url, args.runs)
                tours = [page_switches(browser, url) for _ in range(max(1, args.runs // 2))]
                browser.close()
        finally:
            try:
                sampler.stop()
            finally:  # the server never outlives the benchmark
                stop_process(proc)

    cores = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"app benchmark · database: {described} · {cores} cores · load average {load:.1f}")
    print(f"{'measure':<34} {'median':>8} {'':<3} {'min–max':>14}   target")
    print(f"{'first chart, first load of server':<34} {cold:>8.2f} s   {'(not judged)':>14}")
    new = statistics.median(loads)
    print(f"{'first chart, empty browser cache':<34} {new:>8.2f} s   {min(loads):.2f}–{max(loads):.2f} (not judged)")
    results = [_row(f"first chart, JS cached (n={len(returning)})", returning, TARGET_FIRST_CHART_S)]
    floor = statistics.median(baseline)
    print(
        f"{'  baseline: one-chart app, cached':<34} {floor:>8.2f} s   {min(baseline):.2f}–{max(baseline):.2f} (the machine)"
    )
    switch_all = []
    for link, _ in TOUR:
        values = [t[link] for t in tours]
        switch_all += values
        print(f"{'  switch to ' + link:<34} {statistics.median(values):>8.2f} s")
    results.append(_row(f"page switch, all (n={len(switch_all)})", switch_all, TARGET_SWITCH_S))
    peak_mb, last_mb = sampler.peak / 2**20, sampler.last / 2**20
    results.append(_row("server RSS, peak", [peak_mb], TARGET_RSS_MB, "MB"))
    print(f"{'server RSS, at the end':<34} {last_mb:>8.0f} MB")
    ok = all(passed for *_, passed in results)
    summary = (
        f"app: first chart {results[0][1]:.2f} s (≤ {TARGET_FIRST_CHART_S:g}), page switch {results[1][1]:.2f} s "
        f"(≤ {TARGET_SWITCH_S:g}), RSS {peak_mb:.0f} MB (≤ {TARGET_RSS_MB:g}); one-chart baseline {floor:.2f} s, "
        f"load {load:.1f} — {'PASS' if ok else 'FAIL'}"
    )
    print(summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
