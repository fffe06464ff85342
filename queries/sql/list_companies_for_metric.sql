-- Companies with values for one metric, most covered first (used for pickers and peer defaults).
-- Parameters: $metric. Returns: company, facts, first_period, last_period.
select company, count(*) as facts, min(period_end) as first_period, max(period_end) as last_period
from series_by_source
where metric = $metric
group by company
order by facts desc, company
