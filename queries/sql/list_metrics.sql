-- Metrics that have at least one current value, with how many companies report them.
-- Returns: metric, companies, facts. No parameters.
select metric, count(distinct company) as companies, count(*) as facts
from series_by_source
group by metric
order by facts desc, metric
