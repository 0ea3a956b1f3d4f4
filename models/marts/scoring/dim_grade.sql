-- Grade dimension (等级维度): the one vocabulary every dashboard shows for a grade. The grades of
-- grade_bands (A–D by share of the maximum points, V for a veto) and the grade of a loan without
-- any score before it was applied for (未评价, monitoring_no_grade()); grade_display_zh joins the
-- code and the name ('A 优秀') so a chart sorts grades in their order by name.
with grade_bands as (

    select
        grade,
        min_share_of_max,
        label_zh,
        is_veto_grade
    from {{ ref('int_scoring__grade_bands') }}

),

graded as (

    select
        grade,
        min_share_of_max,
        label_zh as grade_label_zh,
        grade || ' ' || label_zh as grade_display_zh,
        row_number() over (order by min_share_of_max desc nulls last) as grade_order,
        not is_veto_grade as is_scored_grade
    from grade_bands

),

no_grade as (

    select
        {{ monitoring_no_grade() }}::text as grade,
        null::numeric as min_share_of_max,
        '未评价'::text as grade_label_zh,
        '未评价'::text as grade_display_zh,
        (select count(*) from grade_bands)::bigint + 1 as grade_order,
        false as is_scored_grade

)

select * from graded
union all
select * from no_grade
