-- Which of the given facts of one company the current series shows (one value per key and source).
-- Filtering on the company lets the scan of series_cache (sorted by metric, company) skip most row groups.
-- Parameters:
--   $company   company name
--   $fact_ids  list of fact ids
-- Returns: fact_id.
select id as fact_id
from series_by_source
where company = $company
  and list_contains($fact_ids, id)
