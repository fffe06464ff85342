"""Synthetic quarterly releases for load and fault tests: each one distinct, each with three extractable facts.

Shared by ``bench/load.py`` and the hosted-mode tests so both ingest the same kind of text.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

COMPANIES = ("Xiaomi", "Apple", "Samsung", "Transsion", "Honor")
QUARTERS = ((1, "first", date(1, 3, 31)), (2, "second", date(1, 6, 30)), (3, "third", date(1, 9, 30)), (4, "fourth", date(1, 12, 31)))  # fmt: skip
TEMPLATE = """{company} announces results for the {ordinal} quarter of {year}

Beijing, {published:%B %d, %Y} -- {company} today announced its unaudited results for the three months ended \
{end:%B %d, %Y}. Total revenue reached RMB{revenue:.2f} billion, up {growth:.1f}% year-over-year. Adjusted net \
profit was RMB{profit:.2f} billion. Smartphone shipments reached {shipments:.1f} million units in the quarter. \
Release reference {serial}.
"""


def release_text(serial: int, rng: random.Random) -> str:
    """One release: a company, a quarter in 2031+ (no clash with the bundled data), and random figures."""
    quarter, ordinal, end = QUARTERS[serial % 4]
    year = 2031 + serial // 4 % 20
    end = end.replace(year=year)
    published = date(year + (quarter == 4), (end.month % 12) + 1, 20)
    return TEMPLATE.format(
        company=COMPANIES[serial % len(COMPANIES)] if serial % 3 else "Xiaomi",
        ordinal=ordinal,
        year=year,
        end=end,
        published=published,
        revenue=rng.uniform(50, 120),
        growth=rng.uniform(1, 30),
        profit=rng.uniform(2, 9),
        shipments=rng.uniform(20, 60),
        serial=serial,
    )


def write_releases(folder: Path, count: int, seed: int = 8) -> list[Path]:
    """Write ``count`` releases as ``release_NNNN.txt`` into ``folder``; returns their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for serial in range(count):
        path = folder / f"release_{serial:04d}.txt"
        path.write_text(release_text(serial, rng), encoding="utf-8")
        paths.append(path)
    return paths
