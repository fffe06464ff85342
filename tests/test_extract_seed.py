"""The seed release this project started from (read from ../shared/seeds when present, never copied)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, seed_release

SEED = seed_release()
pytestmark = pytest.mark.skipif(SEED is None, reason="../shared/seeds is not present")


@pytest.fixture(scope="module")
def facts() -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "extract", str(SEED)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def _find(facts, metric, value, period_end=None, currency=None):
    for f in facts:
        if f["metric"] != metric or abs(f["value"] - value) > 0.005 * value:
            continue
        if period_end and f["period_end"] != period_end:
            continue
        if currency and f["currency"] != currency:
            continue
        return f
    raise AssertionError(f"no {metric} = {value} ({period_end}, {currency}) in {json.dumps(facts, indent=1)}")


def test_core_figures_with_their_periods(facts):
    shipments = _find(facts, "smartphone_shipments", 146e6, "2020-12-31")
    assert shipments["period_start"] == "2020-01-01" and shipments["company"] == "Xiaomi"
    premium = _find(facts, "premium_smartphone_shipments", 10e6, "2020-12-31")
    assert premium["qualifier"] == "over"
    devices = _find(facts, "connected_iot_devices", 324.8e6, "2020-12-31")
    assert devices["period_kind"] == "instant"
    mau = _find(facts, "monthly_active_users", 86.7e6)
    assert mau["segment"] == "XiaoAi"
    cash = _find(facts, "cash_reserves", 108e9, "2020-12-31", "CNY")
    assert cash["period_kind"] == "instant"
    _find(facts, "investment_commitment", 10e9, currency="USD")
    _find(facts, "investment_commitment", 10e9, currency="CNY")
    rank = _find(facts, "market_rank", 3, "2020-12-31")
    assert rank["period_start"] == "2020-10-01"


def test_no_false_kpis_from_meetings_experts_days_or_lists(facts):
    values = {f["value"] for f in facts}
    for noise in (85, 200, 75, 4, 2, 422, 7, 46, 500, 8):
        assert noise not in values, f"{noise} was taken for a KPI"
    assert all(f["company"] == "Xiaomi" for f in facts)


def test_every_field_of_the_contract(facts):
    from metrics.facts import FACT_FIELDS

    assert facts and all(list(f) == list(FACT_FIELDS) for f in facts)
    text = Path(SEED).read_text(encoding="utf-8")
    assert all(f["evidence"] for f in facts) and text
