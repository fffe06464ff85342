"""The Trends chart in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_trends_chart_renders(page, app_url, tmp_path, artifacts):
    page.goto(f"{app_url}/trends")  # Overview is the first page
    chart = page.locator("div.js-plotly-plot").first
    expect(chart).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    expect(chart.locator("g.trace").first).to_be_attached()
    legend = chart.locator("g.legend").text_content()
    assert "Xiaomi" in legend
    page.wait_for_timeout(500)
    shot = tmp_path / "trends.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.screenshot(path=str(artifacts / "trends.png"))
