-- One stored document with its full normalised text (every fact span indexes this text).
-- Parameters: $document_id (the sha256 id).
-- Returns: document_id, company, title, published, source, source_url, media_type, is_event, text,
--   ingested_at, ingested_by, extractor_version.
select
    id as document_id, company, title, published, source, source_url, media_type, is_event, text, ingested_at,
    ingested_by, extractor_version
from documents
where id = $document_id
