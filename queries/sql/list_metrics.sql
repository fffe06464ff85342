-- Metrics that have at least one current value, with how many companies report them.
-- Returns: metric, companies, facts. No parameters.
-- Reads metric_summary (migration 003), kept in step with series_cache on every write: counting the
-- current series itself takes seconds at 10 million facts.
select metric, companies, facts
from metric_summary
where facts > 0
order by facts desc, metric
