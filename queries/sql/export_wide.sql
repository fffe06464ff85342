-- The wide CSV export (queries/export.py): a header line, then one line per company × metric × segment ×
-- source × frequency × unit × currency with one column per period, named by its period_end (ISO date),
-- oldest first. The rows are those of sql/export_selection.sql, included below, as in export_long.sql;
-- trace columns do not apply.
-- Parameters:
--   $companies, $metrics, $segments, $sources   lists, empty = all; a source is 'company' or a tracker
--   $period_from, $period_to   dates compared with period_end, or null
--   $grain       'any', 'quarter', 'year', 'month', 'half', 'nine_months' or 'instant'
--   $statuses    'confirmed' (confirmed or edited by a person) or 'all' (every status but rejected)
--   $currency    'reported', or the ISO code money is normalised to with fx_rates ('USD', 'CNY')
-- Returns: line (one CSV line ending in CR LF, the header first)

with selected as (
    -- include: export_selection
),
cells as (
    -- one value per row and period_end: when two periods of one frequency end on the same day (a
    -- fiscal and a calendar quarter), the shorter one is kept; the long shape keeps both
    select
        company, metric, segment, attributed_to, grain, unit, currency, cast(period_end as varchar) as label,
        list_transform(
            [cast(value as varchar)],
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
        )[1] as cell
    from selected
    qualify row_number() over (
        partition by company, metric, segment, attributed_to, grain, unit, currency, period_end
        order by period_start desc
    ) = 1
),
labels as (
    select coalesce(list(label order by label), []) as labels
    from (select distinct label from cells)
),
series as (
    select
        company, metric, segment, attributed_to, grain, unit, currency,
        map_from_entries(list(struct_pack(k := label, v := cell))) as by_period
    from cells
    group by all
),
lines as (
    select
        r.company, r.metric, r.segment, r.attributed_to, r.grain, r.unit, r.currency,
        concat_ws(
            ',',
            array_to_string(
                list_transform(
                    list_transform(
                        [r.company, r.metric, r.segment, r.attributed_to, r.grain, r.unit, r.currency],
                        lambda s: if(left(s, 1) in ('=', '+', '-', '@', chr(9), chr(13), ''''), '''' || s, s)
                    ),
                    lambda v: case
                        when v is null then ''
                        when contains(v, '"') or contains(v, ',') or contains(v, chr(10)) or contains(v, chr(13))
                            then '"' || replace(v, '"', '""') || '"'
                        else v
                    end
                ),
                ','
            ),
            array_to_string(list_transform(l.labels, lambda p: coalesce(r.by_period[p], '')), ',')
        ) || chr(13) || chr(10) as line
    from series as r
    cross join labels as l
),
header as (
    -- keep in sync with WIDE_COLUMNS in queries/export.py
    select
        'company,metric,segment,attributed_to,frequency,unit,currency'
        || if(len(labels) = 0, '', ',' || array_to_string(labels, ',')) || chr(13) || chr(10) as line
    from labels
),
final as (
    select 0 as part, line from header
    union all by name
    select 1 as part, * from lines
)
select line
from final
order by
    part, company, metric, segment, attributed_to nulls first,
    list_position(['month', 'quarter', 'half', 'nine_months', 'year', 'instant'], grain), unit, currency
