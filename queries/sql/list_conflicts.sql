-- Conflicting values: the same company × metric × segment × period stated with values more than
-- $tolerance_pct percent apart by different documents or sources (curated rows count by their source URL).
-- One row per pair of disagreeing facts, each side with its source; rejected facts are left out and
-- figures in different currencies are not compared.
-- Parameters:
--   $metric         metric id, or '' for every metric
--   $company        company name, or '' for every company
--   $tolerance_pct  e.g. 0.5
-- Returns: company, metric, segment, period_start, period_end, value_a, value_b, difference_pct, unit,
--   currency, source_a, source_b, fact_id_a, fact_id_b, status_a, status_b, document_a, document_b,
--   comparative_a, comparative_b, origin_a (document title or source URL), origin_b, current_fact_id
--   (the fact the current series shows for source_a).
with candidates as (
    select
        k.id, k.company, k.metric, k.segment, k.period_start, k.period_end, k.value, k.unit, k.currency,
        k.source, k.status, k.document_id, k.comparative,
        coalesce(k.document_id, 'url:' || k.source_url, 'fact:' || k.id) as provenance
    from fact_keys as k
    where ($metric = '' or k.metric = $metric)
      and ($company = '' or k.company = $company)
),
disputed as (
    select company, metric, segment, period_start, period_end
    from candidates
    group by all
    having count(*) > 1 and max(value) - min(value) > $tolerance_pct / 100 * greatest(abs(max(value)), abs(min(value)))
),
pairs as (
    select
        a.company, a.metric, a.segment, a.period_start, a.period_end,
        a.value as value_a, b.value as value_b,
        100 * abs(a.value - b.value) / greatest(abs(a.value), abs(b.value)) as difference_pct,
        a.unit, a.currency, a.source as source_a, b.source as source_b, a.id as fact_id_a, b.id as fact_id_b,
        a.status as status_a, b.status as status_b, a.document_id as document_a, b.document_id as document_b,
        a.comparative as comparative_a, b.comparative as comparative_b
    from candidates as a
    semi join disputed as d
        on d.company = a.company and d.metric = a.metric and d.segment = a.segment
       and d.period_start = a.period_start and d.period_end = a.period_end
    join candidates as b
        on b.company = a.company and b.metric = a.metric and b.segment = a.segment
       and b.period_start = a.period_start and b.period_end = a.period_end
       and a.id < b.id
       and a.currency is not distinct from b.currency
       and (a.source <> b.source or a.provenance <> b.provenance)
       and abs(a.value - b.value) > $tolerance_pct / 100 * greatest(abs(a.value), abs(b.value))
),
final as (
    select
        p.*,
        coalesce(da.title, fa.source_url) as origin_a,
        coalesce(db.title, fb.source_url) as origin_b,
        c.id as current_fact_id
    from pairs as p
    join facts as fa on fa.id = p.fact_id_a
    join facts as fb on fb.id = p.fact_id_b
    left join documents as da on da.id = p.document_a
    left join documents as db on db.id = p.document_b
    left join series_by_source as c
        on c.company = p.company and c.metric = p.metric and c.segment = p.segment
       and c.period_start = p.period_start and c.period_end = p.period_end and c.source = p.source_a
)
select * from final
order by company, metric, segment, period_end, fact_id_a, fact_id_b
