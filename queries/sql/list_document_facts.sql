-- Every fact of one document in text order, rejected ones included (so the page can show them struck out).
-- A point lookup through the facts_document_id index; whether each fact is the one the current series shows
-- comes from list_current_fact_ids.sql (queries.analytics.list_document_facts joins the two).
-- Parameters: $document_id (the sha256 id).
-- Returns: fact_id, company, metric, segment, period_start, period_end, period_kind, value, unit, currency,
--   qualifier, attributed_to, comparative, change_pct, confidence, status, span_start, span_end, evidence.
with final as (
    select
        id as fact_id, company, metric, segment, period_start, period_end, period_kind, value, unit, currency,
        qualifier, attributed_to, comparative, change_pct, confidence, status, span_start, span_end, evidence
    from facts
    where document_id = $document_id
)
select * from final
order by span_start nulls last, fact_id
