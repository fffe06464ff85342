-- The rows both CSV exports write: the current values of series_by_source that pass the filters, one per
-- company × metric × segment × period × source (no 'best source' collapsing), money converted with fx_rates
-- when asked. sql/export_long.sql and sql/export_wide.sql include this file (queries/sql_runner.py), so
-- the two shapes always hold the same values; they format and sort the rows.
-- Parameters:
--   $companies, $metrics, $segments, $sources   lists, empty = all; a source is 'company' or a tracker
--   $period_from, $period_to   dates compared with period_end, or null
--   $grain       'any', 'quarter', 'year', 'month', 'half', 'nine_months' or 'instant'
--   $statuses    'confirmed' (confirmed or edited by a person) or 'all' (every status but rejected)
--   $currency    'reported', or the ISO code money is normalised to with fx_rates ('USD', 'CNY')
-- Returns: company, metric, segment, period_start, period_end, period_kind, grain, unit, qualifier,
--   attributed_to, comparative, status, confidence, document_title, document_published, source_url,
--   evidence, span_start, span_end, fact_id, value, currency, reported_value, reported_currency,
--   rate (units of the reported currency per unit of the target), rate_kind, rate_period (unordered)

with chosen as not materialized (
    select
        s.company, s.metric, s.segment, s.period_start, s.period_end, s.period_kind, s.grain, s.value,
        s.unit, s.currency, s.qualifier, s.attributed_to, s.comparative, s.status, s.confidence,
        s.document_title, s.document_published, coalesce(s.source_url, d.source_url) as source_url,
        s.evidence, s.span_start, s.span_end, s.id as fact_id,
        $currency <> 'reported' and s.unit = 'currency' and s.currency is not null as convertible
    from series_by_source as s
    left join documents as d on d.id = s.document_id
    where (len(cast($companies as varchar[])) = 0 or list_contains($companies, s.company))
      and (len(cast($metrics as varchar[])) = 0 or list_contains($metrics, s.metric))
      and (len(cast($segments as varchar[])) = 0 or list_contains($segments, s.segment))
      and (len(cast($sources as varchar[])) = 0 or list_contains($sources, coalesce(s.attributed_to, 'company')))
      and (cast($period_from as date) is null or s.period_end >= $period_from)
      and (cast($period_to as date) is null or s.period_end <= $period_to)
      and ($grain = 'any' or s.grain = $grain)
      and ($statuses = 'all' or s.status in ('confirmed', 'edited'))
),
pairs as (
    -- currency × period pairs that need a rate: the reported currency, and the target unless it is USD
    select distinct code, period_start, period_end, period_kind
    from (
        select unnest([currency, $currency]) as code, period_start, period_end, period_kind
        from chosen
        where convertible and currency <> $currency
    )
    where code <> 'USD'
),
candidates as (
    -- stocks: a period_end rate within 7 days, else an average rate holding the date; flows: an
    -- average rate overlapping the period. mismatch: days between the closing dates, or days in one
    -- period and not in the other (0 for the rate of exactly the fact's period).
    select
        p.code, p.period_start, p.period_end, p.period_kind, r.kind, r.units_per_usd,
        r.period_start as rate_start,
        case
            when r.kind = 'period_end' then cast(r.period_end as varchar)
            else cast(r.period_start as varchar) || '/' || cast(r.period_end as varchar)
        end as rate_period,
        case
            when r.kind = 'period_end' then abs(r.period_end - p.period_end)
            else (p.period_end - p.period_start) + (r.period_end - r.period_start)
                - 2 * (least(r.period_end, p.period_end) - greatest(r.period_start, p.period_start))
        end as mismatch
    from pairs as p
    join fx_rates as r
        on r.currency = p.code
        and (
            (p.period_kind = 'instant' and r.kind = 'period_end' and abs(r.period_end - p.period_end) <= 7)
            or (r.kind = 'average' and r.period_start <= p.period_end and r.period_end >= p.period_start)
        )
),
rates as (
    select * from candidates
    qualify row_number() over (
        partition by code, period_start, period_end, period_kind
        order by kind = 'period_end' desc, mismatch, rate_start, units_per_usd
    ) = 1
),
converted as (
    select
        c.*,
        c.convertible and c.currency <> $currency as converts,
        case when c.currency = 'USD' then 1.0 else f.units_per_usd end as reported_per_usd,
        case when $currency = 'USD' then 1.0 else t.units_per_usd end as target_per_usd,
        f.kind as reported_kind, t.kind as target_kind,
        f.rate_period as reported_period, t.rate_period as target_period
    from chosen as c
    left join rates as f
        on c.convertible and f.code = c.currency and f.period_start = c.period_start
        and f.period_end = c.period_end and f.period_kind = c.period_kind
    left join rates as t
        on c.convertible and t.code = $currency and t.period_start = c.period_start
        and t.period_end = c.period_end and t.period_kind = c.period_kind
)
-- rate: units of the reported currency per unit of the target; value = reported_value / rate
select
    * exclude (value, currency, convertible, converts, reported_per_usd, target_per_usd,
               reported_kind, target_kind, reported_period, target_period),
    case
        when not convertible then value
        when not converts then value
        else value / (reported_per_usd / target_per_usd)
    end as value,
    if(convertible, $currency, currency) as currency,
    value as reported_value,
    currency as reported_currency,
    case
        when not convertible then null
        when not converts then 1.0
        else reported_per_usd / target_per_usd
    end as rate,
    case
        when not converts or reported_per_usd is null or target_per_usd is null then null
        when reported_kind is null or reported_kind = target_kind then coalesce(target_kind, reported_kind)
        when target_kind is null then reported_kind
        else reported_kind || '+' || target_kind
    end as rate_kind,
    case
        when not converts or reported_per_usd is null or target_per_usd is null then null
        when reported_period is null or reported_period = target_period then coalesce(target_period, reported_period)
        when target_period is null then reported_period
        else reported_period || '+' || target_period
    end as rate_period
from converted
