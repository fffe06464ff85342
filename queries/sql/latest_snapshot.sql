-- KPI cards for one company: per metric (whole company) the latest value, the period before it, the change,
-- the value a year earlier (flows) and a sparkline of the last 8 periods. Each metric keeps one grain: the
-- requested one when the metric has it (stocks always use their instants), else its most recent grain.
-- Parameters:
--   $company  company name
--   $grain    preferred grain: 'quarter', 'year', 'month', 'half' or 'any'
--   $source   'best', 'company' or a tracker name
-- Returns: company, metric, grain, period_kind, period_start, period_end, value, unit, currency, status, source,
--   fact_id, prior_period_end, prior_value, change_pct, year_ago_value, yoy_pct, sparkline_periods (list of
--   dates, oldest first), sparkline_values (list of doubles).
with picked as (
    select
        s.metric, s.grain, s.period_kind, s.period_start, s.period_end, s.value, s.unit, s.currency, s.status,
        s.source, s.id, s.company,
        row_number() over (
            partition by s.metric, s.period_start, s.period_end
            order by s.status_rank, (s.attributed_to is null) desc, s.comparative,
                     s.document_published desc nulls last, s.source
        ) as pick
    from series_by_source as s
    where s.company = $company
      and s.segment = ''
      and (
          $source = 'best'
          or ($source = 'company' and s.attributed_to is null)
          or s.attributed_to = $source
      )
),
current as (
    select * from picked where pick = 1
),
chosen_grain as (
    select metric, arg_max(grain, [(grain = $grain or grain = 'instant')::int, epoch(period_end)::bigint]) as grain
    from current
    group by metric
),
series as (
    select
        c.*,
        row_number() over (partition by c.metric order by c.period_end desc) as age
    from current as c
    semi join chosen_grain as g on g.metric = c.metric and g.grain = c.grain
),
latest as (
    select * from series where age = 1
),
prior as (
    select metric, period_end as prior_period_end, value as prior_value from series where age = 2
),
year_ago as (
    select l.metric, arg_min(s.value, abs(s.period_end - (l.period_end - interval 1 year)::date)) as year_ago_value
    from latest as l
    join series as s
        on s.metric = l.metric
       and s.period_end between (l.period_end - interval 1 year)::date - 7 and (l.period_end - interval 1 year)::date + 7
    where l.period_kind = 'duration'
    group by l.metric
),
sparkline as (
    select
        metric,
        list(period_end order by period_end) as sparkline_periods,
        list(value order by period_end) as sparkline_values
    from series
    where age <= 8
    group by metric
),
final as (
    select
        l.company, l.metric, l.grain, l.period_kind, l.period_start, l.period_end, l.value, l.unit, l.currency,
        l.status, l.source, l.id as fact_id, p.prior_period_end, p.prior_value,
        100 * (l.value / nullif(p.prior_value, 0) - 1) as change_pct,
        y.year_ago_value,
        100 * (l.value / nullif(y.year_ago_value, 0) - 1) as yoy_pct,
        k.sparkline_periods, k.sparkline_values
    from latest as l
    left join prior as p on p.metric = l.metric
    left join year_ago as y on y.metric = l.metric
    left join sparkline as k on k.metric = l.metric
)
select * from final
order by metric
