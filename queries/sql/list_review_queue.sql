-- Facts a person should check: extracted facts below a confidence threshold and curated rows flagged
-- unverified, lowest confidence first. Rejected, confirmed and edited facts are done and left out.
-- Parameters:
--   $company         company name, or '' for every company
--   $metric          metric id, or '' for every metric
--   $max_confidence  extracted facts below this confidence are listed (e.g. 0.8)
--   $limit           most rows to return
-- Returns: fact_id, reason ('low confidence' or 'unverified'), company, metric, segment, period_start,
--   period_end, value, unit, currency, attributed_to, confidence, status, origin, evidence, source_url,
--   source_note, document_id, document_title.
with queue as (
    select
        f.id, f.company, f.metric, f.segment, f.period_start, f.period_end, f.value, f.unit, f.currency,
        f.attributed_to, f.confidence, f.status, f.origin, f.evidence, f.source_url, f.source_note, f.document_id,
        case when f.unverified then 'unverified' else 'low confidence' end as reason
    from facts as f
    where f.status not in ('rejected', 'edited')
      and (f.unverified or (f.status = 'extracted' and f.confidence < $max_confidence))
      and ($company = '' or f.company = $company)
      and ($metric = '' or f.metric = $metric)
    order by f.confidence, f.company, f.metric, f.period_end, f.id
    limit $limit
),
final as (
    select
        q.id as fact_id, q.reason, q.company, q.metric, q.segment, q.period_start, q.period_end, q.value, q.unit,
        q.currency, q.attributed_to, q.confidence, q.status, q.origin, q.evidence, q.source_url, q.source_note,
        q.document_id, d.title as document_title
    from queue as q
    left join documents as d on d.id = q.document_id
)
select * from final
order by confidence, company, metric, period_end, fact_id
