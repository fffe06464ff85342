-- Segments of one metric ('' is the whole company), most covered first.
-- Parameters: $metric. Returns: segment, facts.
select segment, count(*) as facts
from series_by_source
where metric = $metric
group by segment
order by (segment = '') desc, facts desc, segment
