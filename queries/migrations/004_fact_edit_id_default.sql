-- 004: an audit row gets its id from a column default, as a fact does, so a writer inserts it without asking
-- for an id first. On DuckLake, which has no sequences (nor RETURNING), the default becomes lake_next_id()
-- (queries/engine.py); queries/store.py reads the id back by the row's fact and transaction time.

alter table fact_edits alter column id set default nextval('fact_edit_id_seq');
