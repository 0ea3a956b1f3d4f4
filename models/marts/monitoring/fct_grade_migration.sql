-- Year-on-year grade movement (等级迁移) per scheme: for each evaluation year whose previous year the
-- scheme also scored, how many enterprises moved from each grade of the previous year to each grade
-- of this year, by city. An enterprise evaluated in only one of the two years moves from or to
-- 'N' (未参评). movement compares the grades' order in dim_grade (grade_order: A first; V is below
-- every grade): up, down, same, entered, left. Each grade has its display name and order from
-- dim_grade beside it, and the city its name.
-- One pass over the score periods (int_scoring__score_periods), where each score has its neighbour
-- years already: no full outer join, and no second sort of every score.
with score_periods as (

    -- each score with the enterprise's previous and next scored years under the scheme
    select
        scheme_code,
        eval_year,
        uscc,
        city_code,
        grade,
        previous_eval_year,
        previous_grade,
        next_eval_year
    from {{ ref('int_scoring__score_periods') }}

),

grades as (

    select
        grade,
        grade_display_zh,
        grade_order
    from {{ ref('dim_grade') }}

),

cities as (

    select
        region_code as city_code,
        region_name_zh as city_name_zh
    from {{ ref('regions') }}

),

-- the (scheme, year) pairs with scores, from the small scope table (not a distinct over every score)
score_scope as (

    select * from {{ ref('dim_score_scope') }}

),

scheme_years as (

    select distinct
        scheme_code,
        eval_year
    from score_scope

),

arrivals as (

    -- every enterprise scored in a year whose previous year the scheme scored: stayed or entered
    select
        periods.scheme_code,
        periods.eval_year,
        periods.city_code,
        case when periods.previous_eval_year = periods.eval_year - 1 then periods.previous_grade end as grade_from,
        periods.grade as grade_to
    from score_periods as periods
    inner join scheme_years as y
        on y.scheme_code = periods.scheme_code
        and y.eval_year = periods.eval_year - 1

),

departures as (

    -- scored in a year but not in the next year the scheme scored: left
    select
        periods.scheme_code,
        periods.eval_year + 1 as eval_year,
        periods.city_code,
        periods.grade as grade_from,
        null::text as grade_to
    from score_periods as periods
    inner join scheme_years as y
        on y.scheme_code = periods.scheme_code
        and y.eval_year = periods.eval_year + 1
    where periods.next_eval_year is distinct from periods.eval_year + 1

),

moves as (

    select * from arrivals
    union all
    select * from departures

),

-- counted before the grades are positioned: a few thousand groups, not a row per enterprise
counted as (

    select
        scheme_code,
        eval_year,
        city_code,
        grade_from,
        grade_to,
        count(*) as enterprises
    from moves
    group by scheme_code, eval_year, city_code, grade_from, grade_to

),

final as (

    select
        c.scheme_code,
        c.eval_year,
        c.eval_year - 1 as previous_year,
        c.city_code,
        ci.city_name_zh,
        coalesce(c.grade_from, {{ monitoring_no_grade() }}) as grade_from,
        gf.grade_display_zh as from_grade_display_zh,
        gf.grade_order as from_grade_order,
        coalesce(c.grade_to, {{ monitoring_no_grade() }}) as grade_to,
        gt.grade_display_zh as to_grade_display_zh,
        gt.grade_order as to_grade_order,
        case
            when c.grade_from is null then 'entered'
            when c.grade_to is null then 'left'
            when gt.grade_order < gf.grade_order then 'up'
            when gt.grade_order > gf.grade_order then 'down'
            else 'same'
        end as movement,
        c.enterprises
    from counted as c
    left join grades as gf
        on gf.grade = coalesce(c.grade_from, {{ monitoring_no_grade() }})
    left join grades as gt
        on gt.grade = coalesce(c.grade_to, {{ monitoring_no_grade() }})
    left join cities as ci
        on ci.city_code = c.city_code

)

select * from final
