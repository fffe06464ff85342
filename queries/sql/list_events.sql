-- Event documents (a new business or an investment commitment) for vertical markers on charts, oldest first,
-- with the commitment they announce when one was extracted.
-- Parameters: $company (company name, or '' for every company).
-- Returns: document_id, company, published, title, commitment_value, commitment_currency.
with events as (
    select id, company, published, title
    from documents
    where is_event and ($company = '' or company = $company)
),
commitments as (
    select f.document_id, arg_max(f.value, f.confidence) as commitment_value,
           arg_max(f.currency, f.confidence) as commitment_currency
    from series_by_source as f  -- sorted by metric: reads only the commitments
    semi join events as e on e.id = f.document_id
    where f.metric = 'investment_commitment'
    group by f.document_id
),
final as (
    select e.id as document_id, e.company, e.published, e.title, c.commitment_value, c.commitment_currency
    from events as e
    left join commitments as c on c.document_id = e.id
)
select * from final
order by published nulls last, title
