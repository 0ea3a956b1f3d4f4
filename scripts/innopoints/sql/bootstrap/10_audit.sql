-- Import bookkeeping: one batch per imported file, the rows it refused, and nothing else.
create table if not exists audit.import_batches (
    batch_id bigint generated always as identity primary key,
    feed text not null,
    file_name text not null,
    content_sha256 text not null,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    encoding text,
    loaded_by text not null default current_user,
    loaded_at timestamptz not null default now(),
    constraint import_batches_reconciles check (rows_read = rows_loaded + rows_quarantined),
    constraint import_batches_once unique (feed, content_sha256)
);

create table if not exists audit.quarantine (
    quarantine_id bigint generated always as identity primary key,
    batch_id bigint not null references audit.import_batches (batch_id),
    feed text not null,
    file_name text not null,
    line integer not null,
    field text,
    value text,
    reason text not null,
    quarantined_at timestamptz not null default now()
);
create index if not exists quarantine_batch_idx on audit.quarantine (batch_id);

-- Files refused whole (unknown feed, unreadable encoding, missing key column): no batch is made.
create table if not exists audit.import_refusals (
    refusal_id bigint generated always as identity primary key,
    file_name text not null,
    content_sha256 text,
    reason text not null,
    refused_by text not null default current_user,
    refused_at timestamptz not null default now()
);
