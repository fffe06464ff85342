"""Pure extraction: release text in, KPI facts out.

No DuckDB, no Streamlit, no network. Modules, one job each:

- ``document``   bytes/path -> normalised text, title, publication date (txt, md, html, pdf; encodings)
- ``quantities`` the number grammar: money, numbers, percents, ordinals with spans and qualifiers
- ``periods``    the period grammar and fiscal calendars
- ``catalogue``  metric and segment vocabulary, loaded from ``catalogue.toml``
- ``companies``  the company registry (``data/companies.csv``): names, aliases, fiscal year ends
- ``extract``    facts from a document: attaches figures to metrics, periods and companies
- ``score``      precision / recall of ``extract`` against the labelled corpus in ``data/releases``
"""

EXTRACTOR_VERSION = "0.1.0"
