-- One metric for one period across companies, ranked, with money converted to a common currency.
-- Calendar alignment: a company's period counts for the calendar period when its end is within ±7 days
-- of $period_end (Apple's fiscal quarter ending 2020-12-26 is calendar Q4 2020); `alignment` says so.
-- FX: fx_rates.units_per_usd is units of a currency per 1 USD. Flows use the average rate of the fact's
-- period, stocks the rate at its end; the rates used and their period are returned beside the value.
-- Parameters:
--   $metric      metric id
--   $segment     '' for the whole company
--   $source      'best', 'company' or a tracker name
--   $grain       'quarter', 'year', 'half', 'month' or 'instant'
--   $period_end  date: the calendar period's last day
--   $currency    'USD', 'CNY' (any currency in fx_rates) or '' to keep each company's own currency
-- Returns: rank, company, period_start, period_end, alignment, value, unit, currency, converted_value,
--   converted_currency, fx_kind, fx_rate (units of the fact's currency per USD), fx_target_rate (units of the
--   target per USD), fx_period_start, fx_period_end, source, status, fact_id, evidence, document_title.
with picked as (
    select
        s.company, s.period_start, s.period_end, s.period_kind, s.value, s.unit, s.currency, s.source, s.status,
        s.id, s.evidence, s.document_title,
        row_number() over (
            partition by s.company
            order by abs(s.period_end - $period_end::date), s.status_rank, (s.attributed_to is null) desc,
                     s.comparative, s.document_published desc nulls last, s.source
        ) as pick
    from series_by_source as s
    where s.metric = $metric
      and s.segment = $segment
      and s.grain = $grain
      and s.period_end between $period_end::date - 7 and $period_end::date + 7
      and (
          $source = 'best'
          or ($source = 'company' and s.attributed_to is null)
          or s.attributed_to = $source
      )
),
aligned as (
    select
        company, period_start, period_end, period_kind, value, unit, currency, source, status, id as fact_id,
        evidence, document_title,
        case
            when period_end = $period_end::date then 'calendar period'
            else 'period ending ' || period_end || ' aligned to calendar period ending ' || $period_end::date
                 || ' (within 7 days)'
        end as alignment,
        case when unit = 'currency' and $currency <> '' then true else false end as converts
    from picked
    where pick = 1
),
rates as (
    select
        a.company, x.currency, x.kind, x.period_start, x.period_end, x.units_per_usd,
        abs(x.period_end - a.period_end)
            + case when a.period_kind = 'instant' then 0 else abs(x.period_start - a.period_start) end as distance
    from aligned as a
    join fx_rates as x
        on x.kind = case when a.period_kind = 'instant' then 'period_end' else 'average' end
       and x.period_end between a.period_end - 7 and a.period_end + 7
       and (a.period_kind = 'instant' or x.period_start between a.period_start - 7 and a.period_start + 7)
       and (x.currency = a.currency or x.currency = $currency)
    where a.converts
),
best_rates as (
    select
        company,
        arg_min(units_per_usd, distance) filter (where currency = $currency) as target_rate,
        arg_min(units_per_usd, distance) filter (where currency <> $currency) as own_rate,
        arg_min(kind, distance) as fx_kind,
        arg_min(period_start, distance) as fx_period_start,
        arg_min(period_end, distance) as fx_period_end
    from rates
    group by company
),
converted as (
    select
        a.*,
        case when a.converts then (case when a.currency = 'USD' then 1.0 else r.own_rate end) end as fx_rate,
        case when a.converts then (case when $currency = 'USD' then 1.0 else r.target_rate end) end as fx_target_rate,
        case when a.converts and a.currency <> $currency then r.fx_kind end as fx_kind,
        case when a.converts and a.currency <> $currency then r.fx_period_start end as fx_period_start,
        case when a.converts and a.currency <> $currency then r.fx_period_end end as fx_period_end,
        case
            when not a.converts or a.currency = $currency then a.value
            else a.value / fx_rate * fx_target_rate
        end as converted_value,
        case when a.converts then $currency else a.currency end as converted_currency
    from aligned as a
    left join best_rates as r on r.company = a.company
),
final as (
    select
        rank() over (order by converted_value desc nulls last) as rank,
        company, period_start, period_end, alignment, value, unit, currency, converted_value, converted_currency,
        fx_kind, fx_rate, fx_target_rate, fx_period_start, fx_period_end, source, status, fact_id, evidence,
        document_title
    from converted
)
select * from final
order by rank, company
