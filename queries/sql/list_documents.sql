-- Stored documents, newest first, with how many facts each holds (documents.fact_count: rejected facts not
-- counted, kept up to date on every write); optionally
-- one company's, and only those whose title or text contains $search (case-insensitive).
-- Parameters:
--   $company  company name, or '' for every company
--   $search   text to look for, or '' for no filter
--   $limit    most rows to return
-- Returns: document_id, company, published, title, source, media_type, is_event, facts, ingested_at,
--   ingested_by, extractor_version.
with chosen as (
    select
        d.id as document_id, d.company, d.published, d.title, d.source, d.media_type, d.is_event,
        d.fact_count as facts, d.ingested_at, d.ingested_by, d.extractor_version
    from documents as d
    where ($company = '' or d.company = $company)
      and (
          $search = ''
          or contains(lower(coalesce(d.title, '')), lower($search))
          or contains(lower(d.text), lower($search))
      )
),
final as (
    select * from chosen
    order by published desc nulls last, title, document_id
    limit $limit
)
select * from final
order by published desc nulls last, title, document_id
