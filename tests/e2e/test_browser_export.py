"""The Export page's download equals the command line's output for the same filters, byte for byte."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, start_streamlit
from playwright.sync_api import Page, expect

from bench.server import stop_process

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def export_server(built_db, tmp_path_factory):
    """A server on one copy of the database, and an identical copy for the command line (the server holds
    its file's write lock)."""
    folder = tmp_path_factory.mktemp("export")
    served, for_cli = folder / "served.duckdb", folder / "cli.duckdb"
    shutil.copy(built_db, served)
    shutil.copy(built_db, for_cli)
    proc, url = start_streamlit(str(served))
    yield url, for_cli
    stop_process(proc)


def _command_args(shown: str) -> list[str]:
    """The arguments after `export` in the command the page shows, writing to stdout instead of a file."""
    words = shlex.split(shown.replace("\\\n", " "))
    args = words[words.index("export") + 1 :]
    if "--out" in args:
        at = args.index("--out")
        del args[at : at + 2]
    return args


def test_download_equals_the_equivalent_command(page: Page, export_server, tmp_path):
    url, for_cli = export_server
    page.goto(f"{url}/export?metric=revenue&company=Xiaomi&company=Apple")
    button = page.get_by_test_id("stDownloadButton").get_by_role("button")
    expect(button).to_be_visible(timeout=60_000)
    code = page.get_by_test_id("stCode").first
    expect(code).to_contain_text("python -m queries export")
    with page.expect_download() as info:
        button.click()
    downloaded = tmp_path / "download.csv"
    info.value.save_as(downloaded)
    args = _command_args(code.text_content())
    out = subprocess.run(
        [sys.executable, "-m", "queries", "export", *args],
        cwd=ROOT,
        env={**os.environ, "METRICS_DB": str(for_cli)},
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert out.stdout and downloaded.read_bytes() == out.stdout
