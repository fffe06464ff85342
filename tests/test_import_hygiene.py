"""The layers never import upward: metrics and queries must not pull in Streamlit."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["metrics", "queries"])
def test_package_does_not_import_streamlit(package):
    modules = sorted(f"{package}.{p.stem}" for p in (ROOT / package).glob("*.py") if p.stem not in ("__main__",))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('streamlit', 'pages', 'plotly'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_metrics_does_not_import_duckdb():
    modules = sorted(f"metrics.{p.stem}" for p in (ROOT / "metrics").glob("*.py") if p.stem != "__main__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('duckdb' in sys.modules or 'queries' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
