-- Published scores (发布积分) with their publication: one row per (publication, enterprise) with
-- the publication's scheme, year and time.
with publications as (

    select
        publication_id,
        scheme_code,
        eval_year,
        published_at
    from {{ ref('stg_publications__publications') }}

),

publication_scores as (

    select
        publication_id,
        uscc,
        enterprise_name,
        city_code,
        total_points,
        grade,
        rank_in_region
    from {{ ref('stg_publications__scores') }}

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
