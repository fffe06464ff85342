-- Who measured the values of one metric: 'company' for companies' own figures, else the tracker.
-- Parameters: $metric. Returns: source, facts.
with final as (
    select coalesce(attributed_to, 'company') as source, count(*) as facts
    from series_by_source
    where metric = $metric
    group by 1
)
select * from final
order by (source = 'company') desc, facts desc
