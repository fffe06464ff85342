"""The pages in a real browser (Playwright driving Debian Chromium) on a private copy of the database.

One Streamlit server for this module, on its own copy of the session database (the Ingest test writes).
Each test saves a screenshot into the artifacts folder; trends.png and compare.png also go to docs/.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from conftest import ROOT, start_streamlit
from playwright.sync_api import Page, expect

from bench.server import stop_process

pytestmark = pytest.mark.e2e
CHART_TIMEOUT = 60_000
DOCS = ROOT / "docs"
RELEASE = """Xiaomi Corporation announces results

BEIJING, May 20, 2025 -- Xiaomi Corporation today announced its results for the first quarter of 2025.
Total revenue reached RMB 111.3 billion. Smartphone shipments reached 41.8 million units.
"""


@pytest.fixture(scope="module")
def pages_url(built_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "metrics.duckdb"
    shutil.copy(built_db, db)
    proc, url = start_streamlit(str(db))
    yield url
    stop_process(proc)


def _shot(page: Page, artifacts, name: str, docs: bool = False) -> None:
    page.wait_for_timeout(400)  # let Plotly finish its transitions
    page.screenshot(path=str(artifacts / name))
    if docs:
        DOCS.mkdir(exist_ok=True)
        shutil.copy(artifacts / name, DOCS / name)


def _no_exception(page: Page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def test_trends_hover_shows_the_source_sentence(page: Page, pages_url, artifacts):
    page.goto(f"{pages_url}/trends?company=Xiaomi&company=Apple&company=Samsung&company=OPPO")
    chart = page.locator("div.js-plotly-plot").first
    xiaomi = chart.locator(".scatterlayer .trace").filter(has=page.locator("path.point")).last
    expect(chart.locator(".scatterlayer .trace path.point").first).to_be_attached(timeout=CHART_TIMEOUT)
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    assert "Xiaomi" in chart.locator("g.legend").text_content()
    point = xiaomi.locator("path.point").nth(3).bounding_box()
    page.mouse.move(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
    label = chart.locator(".hoverlayer .hovertext").first
    expect(label).to_be_visible(timeout=5_000)
    text = label.text_content()
    assert "Source:" in text and " units" in text
    _shot(page, artifacts, "trends.png", docs=True)
    _no_exception(page)


def test_releases_highlights_every_figure(page: Page, pages_url, artifacts):
    page.goto(f"{pages_url}/releases")
    marks = page.locator(".release-text mark.fact")
    expect(marks.first).to_be_visible(timeout=CHART_TIMEOUT)
    assert marks.count() >= 3
    assert any(ch.isdigit() for ch in marks.first.text_content())
    href = marks.first.locator("a").get_attribute("href")
    assert href.startswith("trends?metric=") and "fact=" in href
    _shot(page, artifacts, "releases.png")
    _no_exception(page)


def test_ingest_upload_shows_its_facts_and_saves(page: Page, pages_url, artifacts, tmp_path):
    release = tmp_path / "xiaomi_q1_2025.txt"
    release.write_text(RELEASE, encoding="utf-8")
    page.goto(f"{pages_url}/ingest")
    uploader = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    expect(page.get_by_role("heading", name="Ingest")).to_be_visible(timeout=CHART_TIMEOUT)
    uploader.set_input_files(str(release))
    preview = page.get_by_test_id("stDataFrame").first
    expect(preview).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stSelectbox").first).to_match_aria_snapshot('- combobox "Company": Xiaomi')
    save = page.get_by_role("button", name="Save 1 release")
    expect(save).to_contain_text("2 facts")
    _shot(page, artifacts, "ingest.png")
    save.click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("stored, 2 facts", timeout=30_000)
    _no_exception(page)


def test_export_downloads_a_csv_that_reads_back(page: Page, pages_url, artifacts, tmp_path):
    page.goto(f"{pages_url}/export?metric=smartphone_shipments&company=Xiaomi")
    button = page.get_by_test_id("stDownloadButton").get_by_role("button")
    expect(button).to_be_visible(timeout=CHART_TIMEOUT)
    expect(page.get_by_test_id("stCode")).to_contain_text("python -m queries export --company Xiaomi")
    _shot(page, artifacts, "export.png")
    with page.expect_download() as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    assert info.value.suggested_filename == "kpi_facts_long.csv"
    assert {r["company"] for r in rows} == {"Xiaomi"} and {r["metric"] for r in rows} == {"smartphone_shipments"}
    q4_2019 = [
        r for r in rows if (r["period_start"], r["period_end"], r["attributed_to"]) == ("2019-10-01", "2019-12-31", "")
    ]
    assert [float(r["value"]) for r in q4_2019] == [32.6e6]
    assert f"({len(rows):,} rows)" in button.text_content()


def test_every_page_renders_and_navigation_keeps_to_its_own_filters(page: Page, pages_url, artifacts):
    page.goto(pages_url)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=CHART_TIMEOUT)
    _shot(page, artifacts, "overview.png")
    for link, name, ready in (
        ("Compare", "compare.png", "div.js-plotly-plot"),
        ("Data quality", "quality.png", "div.js-plotly-plot"),
        ("Review", "review.png", "[data-testid=stDataFrame]"),
    ):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=link)).to_be_visible(timeout=CHART_TIMEOUT)
        expect(page.locator(ready).first).to_be_visible(timeout=CHART_TIMEOUT)
        assert "company=Xiaomi" not in page.url  # the Overview's company does not leak into the next page
        _shot(page, artifacts, name, docs=name == "compare.png")
        _no_exception(page)
