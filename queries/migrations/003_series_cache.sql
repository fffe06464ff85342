-- 003: the current series is materialised and maintained on write.
-- Measured at 10 million facts (bench/queries.py): the 002 view ranks every fact on every read, which
-- costs 80 ms for one metric's series and 10 s to list the metrics. The ranking now runs only for the
-- keys a write touches (queries/series.py) and its result is kept in `series_cache`, sorted by metric
-- and company so that a read of one metric or company skips most row groups. `series_by_source` keeps
-- its name and columns, so every query written against it still works.

alter table facts add column rule varchar;                 -- which mechanism of the extractor produced it
alter table documents add column extractor_version varchar; -- the extractor that produced its facts
alter table documents add column fact_count integer default 0;    -- its facts, rejected ones not counted
alter table fact_edits add column undoes bigint;            -- on an 'undo' row: the id of the edit undone
create sequence fact_edit_id_seq;

-- A document's facts by point lookup (Releases page, re-extraction), not a scan of every fact.
create index facts_document_id on facts (document_id);

update documents set fact_count = coalesce(
    (select count(*) from facts as f where f.document_id = documents.id and f.status <> 'rejected'), 0
);

-- The keys (company × metric × segment × period) whose ranking a write must redo. Filled and emptied
-- inside the writing transaction, so other transactions never see its rows.
create table series_refresh_keys (
    company      varchar not null,
    metric       varchar not null,
    segment      varchar not null,
    period_start date not null,
    period_end   date not null
);

-- The highest fact id whose key has been ranked; facts inserted by other code are picked up above it.
create table series_state (max_fact_id bigint not null);
insert into series_state values (0);

-- The ranking of 002's series_by_source, restricted to the keys in series_refresh_keys: one value per
-- company × metric × segment × period × source, human edits winning over extraction, then the newest document.
create view series_ranked as
with scope as (
    select distinct company, metric, segment, period_start, period_end from series_refresh_keys
),
ranked as (
    select
        k.*,
        d.title as document_title,
        d.published as document_published,
        row_number() over (
            partition by k.company, k.metric, k.segment, k.period_start, k.period_end, k.source
            order by k.status_rank, k.comparative, d.published desc nulls last, k.created_at desc, k.id desc
        ) as rn
    from fact_keys as k
    semi join scope as s
        on s.company = k.company and s.metric = k.metric and s.segment = k.segment
       and s.period_start = k.period_start and s.period_end = k.period_end
    left join documents as d on d.id = k.document_id
),
final as (
    select * exclude (rn) from ranked where rn = 1
)
select * from final;

insert into series_refresh_keys
select distinct company, metric, segment, period_start, period_end from facts;

create table series_cache as
select * from series_ranked order by metric, company, segment, period_end;

delete from series_refresh_keys;
update series_state set max_fact_id = (select coalesce(max(id), 0) from facts);

-- Coverage per metric × company × segment × source, for pickers that would otherwise scan every fact.
create table series_summary as
select metric, company, segment, source, count(*) as facts, min(period_end) as first_period,
       max(period_end) as last_period
from series_cache
group by all;

-- Per metric: how many companies and current values (the metric picker on every page).
create table metric_summary as
select metric, count(distinct company) as companies, sum(facts)::bigint as facts
from series_summary
group by metric;

drop view series_by_source;
create view series_by_source as select * from series_cache;
