-- One row per publication (发布批次). Zero rows while audit.publications does not exist.
with publications as (

    {{ monitoring_optional_source('publications', 'publications', [
        ('publication_id', 'bigint'),
        ('scheme_code', 'text'),
        ('eval_year', 'integer'),
        ('published_at', 'timestamptz'),
        ('kind', 'text'),
        ('opens_on', 'date'),
        ('closes_on', 'date'),
        ('publicity_publication_id', 'bigint'),
    ]) }}

)

select
    publication_id,
    scheme_code,
    eval_year,
    published_at,
    kind,
    opens_on,
    closes_on,
    publicity_publication_id
from publications
