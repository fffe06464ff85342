-- The long CSV export (queries/export.py writes the header): one line per current value, that is per
-- company × metric × segment × period × source of series_by_source (no 'best source' collapsing: the
-- source is a column), already formatted for Excel: text cells neutralised and quoted, plain numbers.
-- Parameters:
--   $companies, $metrics, $segments, $sources   lists, empty = all; a source is 'company' or a tracker
--   $period_from, $period_to   dates compared with period_end, or null
--   $grain       'any', 'quarter', 'year', 'month', 'half', 'nine_months' or 'instant'
--   $statuses    'confirmed' (confirmed or edited by a person) or 'all' (every status but rejected)
--   $currency    'reported', or the ISO code money is normalised to with fx_rates ('USD', 'CNY')
--   $trace       true adds the provenance columns
-- Returns: line (one CSV line ending in CR LF, in the column order of export.export_columns)

-- selection: begin (identical in export_long.sql and export_wide.sql; tests/test_export.py checks it)
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
),
selected as (
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
),
-- selection: end
cells as (
    -- t: text cells, a leading = + - @ tab CR or ' neutralised with an apostrophe, then quoted as
    --    Python's csv.QUOTE_MINIMAL does; n: numbers in plain notation, shortest round-trip digits
    select
        company, metric, segment, attributed_to, period_start, period_end, comparative,
        document_published, span_start, span_end, fact_id,
        list_transform(
            list_transform(
                [company, metric, segment, period_kind, unit, currency, qualifier, attributed_to, status,
                 document_title, source_url, evidence, reported_currency, rate_kind, rate_period],
                lambda s: if(left(s, 1) in ('=', '+', '-', '@', chr(9), chr(13), ''''), '''' || s, s)
            ),
            lambda v: case
                when v is null then ''
                when contains(v, '"') or contains(v, ',') or contains(v, chr(10)) or contains(v, chr(13))
                    then '"' || replace(v, '"', '""') || '"'
                else v
            end
        ) as t,
        list_transform(
            list_transform([value, confidence, reported_value, rate], lambda x: cast(x as varchar)),
            lambda s: case
                when s is null or s in ('nan', 'inf', '-inf') then ''
                when suffix(s, '.0') then left(s, -2)
                when not contains(s, 'e') then s
                else if(starts_with(s, '-'), '-', '') || list_transform(
                    [struct_pack(
                        d := replace(split_part(ltrim(s, '-'), 'e', 1), '.', ''),
                        p := 1 + cast(split_part(s, 'e', 2) as integer)
                    )],
                    lambda e: case
                        when e.p <= 0 then '0.' || repeat('0', -e.p) || e.d
                        when e.p >= length(e.d) then e.d || repeat('0', e.p - length(e.d))
                        else left(e.d, e.p) || '.' || substr(e.d, e.p + 1)
                    end
                )[1]
            end
        ) as n
    from selected
),
lines as (
    select
        company, metric, segment, attributed_to, period_end, period_start,
        concat_ws(
            ',', t[1], t[2], t[3], cast(period_start as varchar), cast(period_end as varchar), t[4], n[1],
            t[5], t[6], t[7], t[8], coalesce(cast(comparative as varchar), ''), t[9], n[2]
        )
        || if(
            $trace,
            ',' || concat_ws(
                ',', t[10], coalesce(cast(document_published as varchar), ''), t[11], t[12],
                coalesce(cast(span_start as varchar), ''), coalesce(cast(span_end as varchar), ''),
                cast(fact_id as varchar)
            ),
            ''
        )
        || if($currency <> 'reported', ',' || concat_ws(',', n[3], t[13], n[4], t[14], t[15]), '')
        || chr(13) || chr(10) as line
    from cells
),
final as (
    select * from lines
)
select line
from final
order by company, metric, segment, attributed_to nulls first, period_end, period_start
