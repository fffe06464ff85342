-- Growth of one metric for several companies: the current series with year-over-year, quarter-over-quarter,
-- trailing-twelve-months and an index, plus a derived fourth quarter (FY − Q1 − Q2 − Q3) where a fiscal year
-- and its first three quarters are reported but the fourth is not. Flows (period_kind 'duration') get YoY and
-- TTM; stocks (instants) get the change against the prior instant. Periods match within ±7 days, so 52/53-week
-- fiscal calendars line up.
-- Parameters:
--   $metric        metric id
--   $companies     list of company names
--   $segment       '' for the whole company
--   $source        'best', 'company' or a tracker name (as in current_series.sql)
--   $grain         'quarter', 'year', 'half', 'month' or 'instant'
--   $index_period  date: the period (end, ±7 days) that is 100 in `indexed`; null = each company's first period
-- Returns: company, period_start, period_end, grain, period_kind, value, unit, currency, derived, status,
--   source, fact_id, evidence, document_title, prior_value, change_pct (vs the period just before, or the prior
--   instant), qoq_pct (quarters only), year_ago_value, yoy_pct (flows), ttm (flows, quarters; null unless four
--   consecutive quarters are known), indexed.
with picked as (
    select
        s.company, s.period_start, s.period_end, s.grain, s.period_kind, s.value, s.unit, s.currency, s.status,
        s.source, s.id, s.evidence, s.document_title,
        row_number() over (
            partition by s.company, s.period_start, s.period_end
            order by s.status_rank, (s.attributed_to is null) desc, s.comparative,
                     s.document_published desc nulls last, s.source
        ) as pick
    from series_by_source as s
    where s.metric = $metric
      and s.segment = $segment
      and list_contains($companies, s.company)
      and (s.grain = $grain or s.grain = 'year')
      and (
          $source = 'best'
          or ($source = 'company' and s.attributed_to is null)
          or s.attributed_to = $source
      )
),
reported as (
    select
        company, period_start, period_end, grain, period_kind, value, unit, currency, false as derived, status,
        source, id as fact_id, evidence, document_title
    from picked
    where pick = 1
),
fiscal_years as (
    select
        y.company, y.period_start as fy_start, y.period_end as fy_end, y.value as fy_value, y.unit, y.currency,
        y.source, count(q.period_end) as quarters, sum(q.value) as quarters_sum, max(q.period_end) as q3_end,
        bool_or(q.period_end between y.period_end - 7 and y.period_end + 7) as has_q4
    from reported as y
    join reported as q
        on q.company = y.company
       and q.grain = 'quarter'
       and q.period_start >= y.period_start - 7
       and q.period_end <= y.period_end + 7
       and q.currency is not distinct from y.currency
    where y.grain = 'year' and y.period_kind = 'duration'
    group by all
),
derived_q4 as (
    select
        company, q3_end + 1 as period_start, fy_end as period_end, 'quarter' as grain, 'duration' as period_kind,
        fy_value - quarters_sum as value, unit, currency, true as derived, 'derived' as status, source,
        null::bigint as fact_id,
        'derived: fiscal year ' || fy_start || '..' || fy_end || ' minus its first three quarters' as evidence,
        null as document_title
    from fiscal_years
    where $grain = 'quarter' and quarters = 3 and not has_q4
      and unit in ('currency', 'units', 'vehicles')  -- only totals add up: never a rank, share or MAU
),
series as (
    select * from reported where grain = $grain
    union all by name
    select * from derived_q4
),
year_ago as (
    select
        s.company, s.period_end,
        arg_min(p.value, abs(p.period_end - (s.period_end - interval 1 year)::date)) as year_ago_value
    from series as s
    join series as p
        on p.company = s.company
       and p.period_end between (s.period_end - interval 1 year)::date - 7 and (s.period_end - interval 1 year)::date + 7
       and (p.period_end - p.period_start) between (s.period_end - s.period_start) - 7 and (s.period_end - s.period_start) + 7
    where s.period_kind = 'duration'
    group by all
),
contiguous_prior as (
    select s.company, s.period_end, arg_min(p.value, abs(p.period_end - (s.period_start - 1))) as contiguous_value
    from series as s
    join series as p
        on p.company = s.company
       and p.period_end between s.period_start - 4 and s.period_start + 2
       and (p.period_end - p.period_start) between (s.period_end - s.period_start) - 7 and (s.period_end - s.period_start) + 7
    where s.period_kind = 'duration'
    group by all
),
windowed as (
    select
        s.*,
        lag(s.value) over by_company as prior_instant_value,
        sum(s.value) over last_four as four_sum,
        count(*) over last_four as four_count,
        min(s.period_start) over last_four as four_start,
        first_value(s.value) over by_company as first_value
    from series as s
    window
        by_company as (partition by s.company order by s.period_end),
        last_four as (partition by s.company order by s.period_end rows between 3 preceding and current row)
),
index_base as (
    select company, arg_min(value, abs(period_end - $index_period::date)) as base_value
    from series
    where period_end between $index_period::date - 7 and $index_period::date + 7
    group by company
),
final as (
    select
        w.company, w.period_start, w.period_end, w.grain, w.period_kind, w.value, w.unit, w.currency, w.derived,
        w.status, w.source, w.fact_id, w.evidence, w.document_title,
        case when w.period_kind = 'instant' then w.prior_instant_value else c.contiguous_value end as prior_value,
        100 * (w.value / nullif(prior_value, 0) - 1) as change_pct,
        case when w.grain = 'quarter' and w.period_kind = 'duration' then change_pct end as qoq_pct,
        y.year_ago_value,
        case when w.period_kind = 'duration' then 100 * (w.value / nullif(y.year_ago_value, 0) - 1) end as yoy_pct,
        case
            when w.grain = 'quarter' and w.period_kind = 'duration' and w.four_count = 4
                 and w.unit in ('currency', 'units', 'vehicles')
                 and (w.period_end - w.four_start) between 357 and 372
            then w.four_sum
        end as ttm,
        100 * w.value / nullif(case when $index_period::date is null then w.first_value else b.base_value end, 0) as indexed
    from windowed as w
    left join year_ago as y on y.company = w.company and y.period_end = w.period_end
    left join contiguous_prior as c on c.company = w.company and c.period_end = w.period_end
    left join index_base as b on b.company = w.company
)
select * from final
order by company, period_end
