-- Enterprises whose result changed between a publicity list and the final list that rests on it
-- (公示与正式发布之间的变动), one row per final list and enterprise of its change report
-- (audit.publication_changes): total, grade and rank in region before (公示) and after (正式), the cause
-- by its Chinese name (本企业异议更正 / 公示后数据更新 / 同组排名变化), the objections behind it and the
-- explanation. `enterprises` (1 per row) is what a chart sums; is_latest_final marks the rows of the
-- newest final list of each (scheme, year), the list in force.
with changes as (

    select * from {{ ref('stg_cycle__publication_changes') }}

),

publications as (

    select * from {{ ref('stg_publications__publications') }}

),

schemes as (

    select * from {{ ref('dim_scheme') }}

),

regions as (

    select * from {{ ref('regions') }}

),

grades as (

    select * from {{ ref('dim_grade') }}

),

labels as (

    select * from {{ ref('ref_cycle_labels') }}

),

finals as (

    select
        publication_id,
        scheme_code,
        eval_year,
        publicity_publication_id,
        (published_at at time zone 'Asia/Shanghai')::date as published_on,
        publication_id = max(publication_id) over (partition by scheme_code, eval_year) as is_latest_final
    from publications
    where kind = 'final'

),

final as (

    select
        c.publication_id,
        f.publicity_publication_id,
        f.scheme_code,
        s.scheme_name_zh,
        f.eval_year,
        f.published_on,
        f.is_latest_final,
        c.uscc,
        c.enterprise_name,
        c.city_code,
        r.region_name_zh as city_name_zh,
        c.total_before,
        c.total_after,
        c.total_after - c.total_before as total_change,
        c.grade_before,
        gb.grade_display_zh as grade_before_display_zh,
        c.grade_after,
        ga.grade_display_zh as grade_after_display_zh,
        c.rank_before,
        c.rank_after,
        c.cause,
        l.name_zh as cause_zh,
        l.display_order as cause_order,
        array_to_string(c.objection_ids, ', ') as objection_ids_text,
        c.explanation_zh,
        1 as enterprises
    from changes as c
    inner join finals as f
        on f.publication_id = c.publication_id
    left join schemes as s
        on s.scheme_code = f.scheme_code
    left join regions as r
        on r.region_code = c.city_code
    left join grades as gb
        on gb.grade = c.grade_before
    left join grades as ga
        on ga.grade = c.grade_after
    left join labels as l
        on l.vocabulary = 'change_cause'
        and l.code = c.cause

)

select * from final
