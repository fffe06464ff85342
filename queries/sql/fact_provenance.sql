-- Where one fact (a chart point) comes from: its document, the sentence, the span and the document text
-- around the span (for highlighting: the span is at span_start - window_start inside text_window).
-- Curated facts have no document: their source_url and source_note are the provenance.
-- Parameters:
--   $fact_id  fact id
--   $window   characters of document text to show on each side of the span
-- Returns: fact_id, company, metric, segment, period_start, period_end, value, unit, currency, qualifier,
--   attributed_to, status, origin, confidence, extractor_version, rule, evidence, span_start, span_end,
--   source_url, source_note, document_id, document_title, document_published, document_source,
--   document_url, window_start, text_window.
with fact as (
    select * from facts where id = $fact_id
),
final as (
    select
        f.id as fact_id, f.company, f.metric, f.segment, f.period_start, f.period_end, f.value, f.unit,
        f.currency, f.qualifier, f.attributed_to, f.status, f.origin, f.confidence, f.extractor_version,
        f.rule, f.evidence, f.span_start, f.span_end, f.source_url, f.source_note,
        d.id as document_id, d.title as document_title, d.published as document_published,
        d.source as document_source, d.source_url as document_url,
        case when d.id is not null and f.span_start is not null then greatest(f.span_start - $window, 0) end
            as window_start,
        case
            when d.id is not null and f.span_start is not null
            then substring(d.text, greatest(f.span_start - $window, 0) + 1,
                           f.span_end + $window - greatest(f.span_start - $window, 0))
        end as text_window
    from fact as f
    left join documents as d on d.id = f.document_id
)
select * from final
