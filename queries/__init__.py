"""DuckDB: connection policy, schema and migrations, storing facts, and every read the UI needs.

Never imports Streamlit or the pages. Queries live one per file in ``sql/`` and run through
:func:`queries.sql_runner.run`; :mod:`queries.reads` gives them readable names.
"""
