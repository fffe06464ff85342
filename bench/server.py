"""Start and stop the dashboard for benchmarks and tests: one place owns how Streamlit is brought up.

bench/app.py, bench/load.py, the browser tests (tests/e2e) and the DuckLake tests all need a real server;
they start it here, so a change to the flags, the health check or the log reaches every one of them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.postgres import free_port

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60.0


def streamlit_command(script: Path, port: int) -> list[str]:
    """``streamlit run`` on loopback only, with no browser, no telemetry and no file watcher (nothing reloads)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


def start_dashboard(
    env: dict[str, str], script: Path = ROOT / "app.py", port: int | None = None, seconds: float = START_SECONDS
) -> tuple[subprocess.Popen, str]:
    """Run ``script`` (the dashboard by default) with ``env``; return (process, base URL) once it is healthy.

    The server writes to a log file (its path is ``proc.log_path``) rather than to a pipe that nobody
    reads while it runs, which would stall the server once full; the error quotes the log's tail.
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="dashboard-", suffix=".log", delete=False)  # noqa: SIM115 (the server writes it)
    proc = subprocess.Popen(streamlit_command(script, port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    if not wait_healthy(url, seconds, proc):
        stop_process(proc)
        raise RuntimeError(f"dashboard not healthy:\n{Path(log.name).read_text()[-3000:]}")
    return proc, url


def wait_healthy(url: str, seconds: float, proc: subprocess.Popen | None = None) -> bool:
    """True once ``url``/_stcore/health answers ok; False after ``seconds`` or when ``proc`` has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate, and kill what does not exit within 15 s, so no server outlives its run."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
