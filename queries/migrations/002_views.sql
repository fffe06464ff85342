-- 002: derived views. `fact_keys` adds the period grain and the source of each fact;
-- `series_by_source` keeps one value per company × metric × segment × period × source, human
-- edits winning over extraction, then the newest document.

create view fact_keys as
select
    f.*,
    coalesce(f.attributed_to, f.company) as source,
    case
        when f.period_kind = 'instant' then 'instant'
        when f.period_end - f.period_start <= 31 then 'month'
        when f.period_end - f.period_start <= 100 then 'quarter'
        when f.period_end - f.period_start <= 190 then 'half'
        when f.period_end - f.period_start <= 280 then 'nine_months'
        else 'year'
    end as grain,
    case f.status when 'edited' then 0 when 'confirmed' then 1 else 2 end as status_rank
from facts as f
where f.status <> 'rejected';

create view series_by_source as
with ranked as (
    select
        k.*,
        d.title as document_title,
        d.published as document_published,
        row_number() over (
            partition by k.company, k.metric, k.segment, k.period_start, k.period_end, k.source
            order by k.status_rank, k.comparative, d.published desc nulls last, k.created_at desc, k.id desc
        ) as rn
    from fact_keys as k
    left join documents as d on d.id = k.document_id
)
select * exclude (rn) from ranked where rn = 1;
