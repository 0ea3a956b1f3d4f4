-- One row per (publication, enterprise): the published score with its publication's scheme, year
-- and time. Zero rows while audit.publications / audit.publication_scores do not exist.
with publications as (

    {{ monitoring_optional_source('publications', 'publications', [
        ('publication_id', 'bigint'),
        ('scheme_code', 'text'),
        ('eval_year', 'integer'),
        ('published_at', 'timestamptz'),
    ]) }}

),

publication_scores as (

    {{ monitoring_optional_source('publications', 'publication_scores', [
        ('publication_id', 'bigint'),
        ('uscc', 'text'),
        ('enterprise_name', 'text'),
        ('city_code', 'text'),
        ('total_points', 'numeric(12,2)'),
        ('grade', 'text'),
        ('rank_in_region', 'integer'),
    ]) }}

),

joined as (

    select
        s.publication_id,
        p.scheme_code,
        p.eval_year,
        p.published_at,
        s.uscc,
        s.enterprise_name,
        s.city_code,
        s.total_points,
        s.grade,
        s.rank_in_region
    from publication_scores as s
    inner join publications as p
        on p.publication_id = s.publication_id

)

select * from joined
