"""The company registry (``data/companies.csv``): canonical names, aliases, fiscal year ends."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

COMPANIES_PATH = Path(__file__).resolve().parents[1] / "data" / "companies.csv"


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    legal_name: str
    aliases: tuple[str, ...]
    tickers: tuple[str, ...]
    currency: str | None
    fiscal_year_end: str
    country: str
    sector: str
    source_url: str

    @property
    def is_tracker(self) -> bool:
        """Research firms are in the registry so their names resolve, but they report no KPIs of their own."""
        return self.sector == "market research"

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the company goes by, canonical first."""
        return (self.name, self.legal_name, *self.aliases)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def parse_company(row: dict[str, str]) -> Company:
    return Company(
        name=row["company"].strip(),
        legal_name=(row.get("legal_name") or "").strip(),
        aliases=_split(row.get("aliases", "")),
        tickers=_split(row.get("tickers", "")),
        currency=(row.get("reporting_currency") or "").strip() or None,
        fiscal_year_end=(row.get("fiscal_year_end") or "").strip() or "12-31",
        country=(row.get("country") or "").strip(),
        sector=(row.get("sector") or "").strip(),
        source_url=(row.get("source_url") or "").strip(),
    )


@lru_cache(maxsize=4)
def load_companies(path: Path = COMPANIES_PATH) -> dict[str, Company]:
    """Canonical name -> Company."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {c.name: c for c in map(parse_company, csv.DictReader(fh))}


def name_index(companies: dict[str, Company]) -> dict[str, str]:
    """Every name and alias, lower-cased -> canonical name. Canonical names win over aliases."""
    index: dict[str, str] = {}
    for company in companies.values():
        for alias in company.names[1:]:
            index.setdefault(alias.lower(), company.name)
    index.update({c.name.lower(): c.name for c in companies.values()})
    return index
