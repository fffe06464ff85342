-- Stored documents, newest first, with how many facts each holds (rejected facts not counted); optionally
-- one company's, and only those whose title or text contains $search (case-insensitive).
-- Parameters:
--   $company  company name, or '' for every company
--   $search   text to look for, or '' for no filter
--   $limit    most rows to return
-- Returns: document_id, company, published, title, source, media_type, is_event, facts, ingested_at,
--   ingested_by, extractor_version.
with chosen as (
    select d.id, d.company, d.published, d.title, d.source, d.media_type, d.is_event, d.ingested_at,
           d.ingested_by, d.extractor_version
    from documents as d
    where ($company = '' or d.company = $company)
      and (
          $search = ''
          or contains(lower(coalesce(d.title, '')), lower($search))
          or contains(lower(d.text), lower($search))
      )
    order by d.published desc nulls last, d.title, d.id
    limit $limit
),
counts as (
    select f.document_id, count(*) as facts
    from facts as f
    semi join chosen as c on c.id = f.document_id
    where f.status <> 'rejected'
    group by f.document_id
),
final as (
    select
        c.id as document_id, c.company, c.published, c.title, c.source, c.media_type, c.is_event,
        coalesce(n.facts, 0) as facts, c.ingested_at, c.ingested_by, c.extractor_version
    from chosen as c
    left join counts as n on n.document_id = c.id
)
select * from final
order by published desc nulls last, title, document_id
