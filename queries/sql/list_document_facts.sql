-- Every fact of one document in text order, rejected ones included (so the page can show them struck out),
-- with whether each is the value the current series shows for its key and source.
-- Parameters: $document_id (the sha256 id).
-- Returns: fact_id, company, metric, segment, period_start, period_end, period_kind, value, unit, currency,
--   qualifier, attributed_to, comparative, change_pct, confidence, status, span_start, span_end, evidence,
--   is_current.
with document_facts as (
    select * from facts where document_id = $document_id
),
shown as (
    -- the current values of this document's keys; the join on the keys lets the scan skip other companies
    select s.id
    from series_by_source as s
    semi join document_facts as f
        on s.company = f.company and s.metric = f.metric and s.segment = f.segment
       and s.period_start = f.period_start and s.period_end = f.period_end
),
final as (
    select
        f.id as fact_id, f.company, f.metric, f.segment, f.period_start, f.period_end, f.period_kind, f.value,
        f.unit, f.currency, f.qualifier, f.attributed_to, f.comparative, f.change_pct, f.confidence, f.status,
        f.span_start, f.span_end, f.evidence,
        f.id in (select id from shown) as is_current
    from document_facts as f
)
select * from final
order by span_start nulls last, fact_id
