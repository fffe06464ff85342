-- Coverage of one metric: one row per company × calendar period that has a value, for a company × period
-- matrix. A fiscal period is placed in the calendar period ending within 7 days of it, the rule of
-- compare_period.sql (Apple's quarter ending 2020-12-26 is 2020-Q4); one ending further from any calendar
-- period keeps its own end date (a September fiscal year is not a calendar year).
-- Parameters:
--   $metric     metric id
--   $segment    '' for the whole company
--   $grain      'quarter', 'year', 'half', 'month' or 'instant'
--   $companies  list of company names; an empty list means every company
-- Returns: company, period (label: 2020-Q4, 2020, 2020-H2, 2020-12 or the date), calendar_period_end, facts
--   (how many sources give a value), value (the best source's), sources (list).
with nearest as (
    select
        s.*,
        case
            when s.grain in ('instant', 'nine_months') then s.period_end
            when s.grain = 'month' then (date_trunc('month', s.period_end + 8) - interval 1 day)::date
            when s.grain = 'year' then (date_trunc('year', s.period_end + 8) - interval 1 day)::date
            else (date_trunc('quarter', s.period_end + 8) - interval 1 day)::date
        end as nearest_end
    from series_by_source as s
    where s.metric = $metric
      and s.segment = $segment
      and s.grain = $grain
      and (len($companies) = 0 or list_contains($companies, s.company))
),
cells as (
    select *, case when abs(nearest_end - period_end) <= 7 then nearest_end else period_end end as calendar_period_end
    from nearest
),
final as (
    select
        company,
        case $grain
            when 'quarter' then year(calendar_period_end) || '-Q' || quarter(calendar_period_end)
            when 'year' then year(calendar_period_end)::varchar
            when 'half' then year(calendar_period_end) || '-H' || (1 + (month(calendar_period_end) > 6)::int)
            when 'month' then strftime(calendar_period_end, '%Y-%m')
            else calendar_period_end::varchar
        end as period,
        calendar_period_end,
        count(*) as facts,
        arg_min(value, [status_rank, (attributed_to is not null)::int]) as value,
        list(distinct source order by source) as sources
    from cells
    group by company, calendar_period_end
)
select * from final
order by company, calendar_period_end
