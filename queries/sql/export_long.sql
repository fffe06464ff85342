-- The long CSV export (queries/export.py writes the header): one line per current value, that is per
-- company × metric × segment × period × source of series_by_source (no 'best source' collapsing: the
-- source is a column), already formatted for Excel: text cells neutralised and quoted, plain numbers.
-- The rows are those of sql/export_selection.sql, included below.
-- Parameters:
--   $companies, $metrics, $segments, $sources   lists, empty = all; a source is 'company' or a tracker
--   $period_from, $period_to   dates compared with period_end, or null
--   $grain       'any', 'quarter', 'year', 'month', 'half', 'nine_months' or 'instant'
--   $statuses    'confirmed' (confirmed or edited by a person) or 'all' (every status but rejected)
--   $currency    'reported', or the ISO code money is normalised to with fx_rates ('USD', 'CNY')
--   $trace       true adds the provenance columns
-- Returns: line (one CSV line ending in CR LF, in the column order of export.export_columns)

with selected as (
    -- include: export_selection
),
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
