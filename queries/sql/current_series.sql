-- The current series: one value per company × period for one metric and segment.
-- Parameters:
--   $metric    metric id
--   $companies list of company names
--   $segment   '' for the whole company
--   $source    'best' (company's own figure first, then trackers by coverage), 'company', or a tracker name
--   $grain     'quarter', 'year', 'month', 'half', 'instant' or 'any'
-- Returns: company, period_start, period_end, grain, value, unit, currency, qualifier, source,
--   attributed_to, comparative, status, confidence, evidence, source_url, document_id, document_title,
--   document_published, span_start, span_end, fact_id, alternatives (other sources' values for the same key).
with candidates as (
    select
        s.*,
        count(*) over (partition by s.company, s.period_start, s.period_end) as alternatives,
        row_number() over (
            partition by s.company, s.period_start, s.period_end
            order by s.status_rank, (s.attributed_to is null) desc, s.comparative,
                     s.document_published desc nulls last, s.source
        ) as pick
    from series_by_source as s
    where s.metric = $metric
      and s.segment = $segment
      and list_contains($companies, s.company)
      and ($grain = 'any' or s.grain = $grain)
      and (
          $source = 'best'
          or ($source = 'company' and s.attributed_to is null)
          or s.attributed_to = $source
      )
),
final as (
    select
        company, period_start, period_end, grain, value, unit, currency, qualifier, source,
        attributed_to, comparative, status, confidence, evidence, source_url, document_id,
        document_title, document_published, span_start, span_end, id as fact_id, alternatives - 1 as alternatives
    from candidates
    where pick = 1
)
select * from final
order by company, period_end
