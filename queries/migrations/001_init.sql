-- 001: the first schema (design §6). Facts hold both curated rows (origin = 'curated', provenance in
-- source_url / source_note) and extracted rows (origin = 'extracted', provenance in document + span).

create table companies (
    name            varchar primary key,
    legal_name      varchar,
    aliases         varchar[],
    tickers         varchar[],
    currency        varchar,
    fiscal_year_end varchar not null,
    country         varchar,
    sector          varchar,
    is_tracker      boolean not null default false,
    source_url      varchar
);

create table documents (
    id          varchar primary key,          -- sha256 of the normalised text
    company     varchar,
    title       varchar,
    published   date,
    source      varchar,                      -- file name or upload name
    source_url  varchar,
    media_type  varchar,
    text        varchar not null,
    is_event    boolean not null default false,
    ingested_at timestamp not null default current_timestamp,
    ingested_by varchar
);

create sequence fact_id_seq;

create table facts (
    id                bigint not null default nextval('fact_id_seq'),
    document_id       varchar,                -- null for curated rows
    origin            varchar not null,       -- curated | extracted
    company           varchar not null,
    metric            varchar not null,
    segment           varchar not null default '',
    period_start      date not null,
    period_end        date not null,
    period_kind       varchar not null,       -- duration | instant
    value             double not null,
    unit              varchar not null,
    currency          varchar,
    qualifier         varchar,
    attributed_to     varchar,
    comparative       boolean not null default false,
    change_pct        double,
    confidence        double not null default 1.0,
    span_start        integer,
    span_end          integer,
    evidence          varchar,
    source_url        varchar,
    source_note       varchar,
    unverified        boolean not null default false,
    status            varchar not null default 'extracted',   -- extracted | confirmed | edited | rejected
    extractor_version varchar,
    created_at        timestamp not null default current_timestamp,
    updated_by        varchar
);

create table fact_edits (
    id        bigint not null,
    fact_id   bigint not null,
    editor    varchar not null,
    edited_at timestamp not null default current_timestamp,
    action    varchar not null,                -- edit | confirm | reject | undo
    before    json,
    after     json
);

create table fx_rates (
    currency      varchar not null,
    period_start  date not null,
    period_end    date not null,
    kind          varchar not null,            -- average | period_end
    units_per_usd double not null,
    source_url    varchar,
    source_note   varchar
);
