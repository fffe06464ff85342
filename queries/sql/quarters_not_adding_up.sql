-- Fiscal years whose four reported quarters do not add up to the reported year:
-- |Q1 + Q2 + Q3 + Q4 − FY| > $tolerance_pct % of FY, per company × metric × segment × source (current values).
-- Quarters belong to a year when they fall inside it (±7 days, for 52/53-week calendars). Shares and ranks
-- are not additive and are left out.
-- Parameters:
--   $metric         metric id, or '' for every metric
--   $company        company name, or '' for every company
--   $tolerance_pct  e.g. 0.5
-- Returns: company, metric, segment, source, fy_start, fy_end, fy_value, quarter_values (list, in order),
--   quarters_sum, difference (quarters_sum − fy_value), difference_pct, unit, currency, fy_fact_id.
with flows as (
    select *
    from series_by_source
    where ($metric = '' or metric = $metric)
      and ($company = '' or company = $company)
      and period_kind = 'duration'
      and unit not in ('percent', 'rank')
      and grain in ('quarter', 'year')
),
years as (
    select
        y.company, y.metric, y.segment, y.source, y.period_start as fy_start, y.period_end as fy_end,
        y.value as fy_value, y.unit, y.currency, y.id as fy_fact_id,
        list(q.value order by q.period_end) as quarter_values,
        sum(q.value) as quarters_sum,
        count(*) as quarters
    from flows as y
    join flows as q
        on q.company = y.company and q.metric = y.metric and q.segment = y.segment and q.source = y.source
       and q.grain = 'quarter'
       and q.period_start >= y.period_start - 7
       and q.period_end <= y.period_end + 7
       and q.currency is not distinct from y.currency
    where y.grain = 'year'
    group by all
),
final as (
    select
        company, metric, segment, source, fy_start, fy_end, fy_value, quarter_values, quarters_sum,
        quarters_sum - fy_value as difference,
        100 * (quarters_sum - fy_value) / nullif(abs(fy_value), 0) as difference_pct,
        unit, currency, fy_fact_id
    from years
    where quarters = 4
      and abs(quarters_sum - fy_value) > $tolerance_pct / 100 * abs(fy_value)
)
select * from final
order by company, metric, segment, fy_end, source
