-- Publicity lists (公示名单) per city, one row per publicity list and city of the enterprises on it:
-- the list's scheme, year and period (公示期), the enterprises listed in the city, the objections
-- received from them by status, and the final list that followed (its id and date), or 尚未正式发布.
-- Every count is additive over cities: a chart sums them for the chosen cities (none: the province).
with publications as (

    select * from {{ ref('stg_publications__publications') }}

),

listed as (

    select * from {{ ref('int_publications__published_scores') }}

),

objections as (

    select * from {{ ref('fct_objections') }}

),

schemes as (

    select * from {{ ref('dim_scheme') }}

),

regions as (

    select * from {{ ref('regions') }}

),

labels as (

    select * from {{ ref('ref_cycle_labels') }}

),

publicity as (

    select
        publication_id,
        scheme_code,
        eval_year,
        (published_at at time zone 'Asia/Shanghai')::date as published_on,
        opens_on,
        closes_on
    from publications
    where kind = 'publicity'

),

-- the newest final list resting on each publicity list
followed_by as (

    select distinct on (publicity_publication_id)
        publicity_publication_id,
        publication_id as final_publication_id,
        (published_at at time zone 'Asia/Shanghai')::date as final_published_on
    from publications
    where kind = 'final'
        and publicity_publication_id is not null
    order by publicity_publication_id, publication_id desc

),

listed_per_city as (

    select
        publication_id,
        city_code,
        count(*)::integer as enterprises_listed
    from listed
    where publication_id in (select publicity.publication_id from publicity)
    group by publication_id, city_code

),

objections_per_city as (

    select
        publication_id,
        city_code,
        sum(objections)::integer as objections,
        sum(is_accepted)::integer as objections_accepted,
        sum(is_rejected)::integer as objections_rejected,
        sum(is_open)::integer as objections_open
    from objections
    group by publication_id, city_code

),

final as (

    select
        p.publication_id,
        p.scheme_code,
        s.scheme_name_zh,
        p.eval_year,
        p.published_on,
        p.opens_on,
        p.closes_on,
        to_char(p.opens_on, 'YYYY-MM-DD') || ' 至 ' || to_char(p.closes_on, 'YYYY-MM-DD') as period_zh,
        lc.city_code,
        r.region_name_zh as city_name_zh,
        lc.enterprises_listed,
        coalesce(o.objections, 0) as objections,
        coalesce(o.objections_accepted, 0) as objections_accepted,
        coalesce(o.objections_rejected, 0) as objections_rejected,
        coalesce(o.objections_open, 0) as objections_open,
        fb.final_publication_id,
        fb.final_published_on,
        coalesce(
            '#' || fb.final_publication_id::text || '（' || to_char(fb.final_published_on, 'YYYY-MM-DD') || '）',
            none_label.name_zh
        ) as final_status_zh
    from publicity as p
    inner join listed_per_city as lc
        on lc.publication_id = p.publication_id
    left join objections_per_city as o
        on o.publication_id = p.publication_id
        and o.city_code is not distinct from lc.city_code
    left join followed_by as fb
        on fb.publicity_publication_id = p.publication_id
    left join schemes as s
        on s.scheme_code = p.scheme_code
    left join regions as r
        on r.region_code = lc.city_code
    left join labels as none_label
        on none_label.vocabulary = 'final_status'
        and none_label.code = 'none'

)

select * from final
