-- The audit trail: who changed which fact, when, how, and the fact before and after (JSON), newest first.
-- Parameters:
--   $fact_id  a fact id, or null for every fact
--   $editor   an editor's name, or '' for everyone
--   $limit    most rows to return
-- Returns: edit_id, fact_id, editor, edited_at, action, before, after, undoes, undone, company, metric.
with edits as (
    select *
    from fact_edits
    where ($fact_id::bigint is null or fact_id = $fact_id::bigint)
      and ($editor = '' or editor = $editor)
    order by id desc
    limit $limit
),
final as (
    select
        e.id as edit_id, e.fact_id, e.editor, e.edited_at, e.action, e.before::varchar as before,
        e.after::varchar as after, e.undoes,
        exists (select 1 from fact_edits as u where u.undoes = e.id) as undone,
        e.after ->> 'company' as company, e.after ->> 'metric' as metric  -- not a join: facts may be millions
    from edits as e
)
select * from final
order by edit_id desc
