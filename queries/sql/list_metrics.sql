-- Metrics that have at least one current value, with how many companies report them.
-- Returns: metric, companies, facts. No parameters.
-- Reads series_summary (migration 003), kept in step with series_cache on every write: counting the
-- current series itself takes seconds at 10 million facts.
select metric, count(distinct company) as companies, sum(facts)::bigint as facts
from series_summary
group by metric
order by facts desc, metric
