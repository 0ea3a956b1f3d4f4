-- Year-on-year grade movement (等级迁移) per scheme: for each evaluation year whose previous year the
-- scheme also scored, how many enterprises moved from each grade of the previous year to each grade
-- of this year, by city. An enterprise evaluated in only one of the two years moves from or to
-- 'N' (未参评). movement compares the grades' order in grade_bands (higher min_share_of_max is
-- better; V is below every grade): up, down, same, entered, left.
with scores as (

    select
        scheme_code,
        eval_year,
        uscc,
        city_code,
        grade
    from {{ ref('fct_enterprise_scores') }}

),

grade_order as (

    select
        grade,
        row_number() over (order by min_share_of_max desc nulls last) as grade_position
    from {{ ref('grade_bands') }}

),

scheme_years as (

    select distinct
        scheme_code,
        eval_year
    from scores

),

year_pairs as (

    select
        cur.scheme_code,
        cur.eval_year,
        cur.eval_year - 1 as previous_year
    from scheme_years as cur
    inner join scheme_years as prev
        on prev.scheme_code = cur.scheme_code
        and prev.eval_year = cur.eval_year - 1

),

current_year as (

    select
        yp.scheme_code,
        yp.eval_year,
        s.uscc,
        s.city_code,
        s.grade
    from year_pairs as yp
    inner join scores as s
        on s.scheme_code = yp.scheme_code
        and s.eval_year = yp.eval_year

),

previous_year as (

    select
        yp.scheme_code,
        yp.eval_year,
        s.uscc,
        s.city_code,
        s.grade
    from year_pairs as yp
    inner join scores as s
        on s.scheme_code = yp.scheme_code
        and s.eval_year = yp.previous_year

),

moves as (

    select
        coalesce(c.scheme_code, p.scheme_code) as scheme_code,
        coalesce(c.eval_year, p.eval_year) as eval_year,
        coalesce(c.city_code, p.city_code) as city_code,
        coalesce(p.grade, {{ monitoring_no_grade() }}) as grade_from,
        coalesce(c.grade, {{ monitoring_no_grade() }}) as grade_to,
        p.grade is null as entered,
        c.grade is null as left_scheme,
        pg.grade_position as position_from,
        cg.grade_position as position_to
    from current_year as c
    full outer join previous_year as p
        on p.scheme_code = c.scheme_code
        and p.eval_year = c.eval_year
        and p.uscc = c.uscc
    left join grade_order as pg
        on pg.grade = p.grade
    left join grade_order as cg
        on cg.grade = c.grade

),

final as (

    select
        scheme_code,
        eval_year,
        eval_year - 1 as previous_year,
        city_code,
        grade_from,
        grade_to,
        case
            when entered then 'entered'
            when left_scheme then 'left'
            when position_to < position_from then 'up'
            when position_to > position_from then 'down'
            else 'same'
        end as movement,
        count(*) as enterprises
    from moves
    group by 1, 2, 3, 4, 5, 6, 7

)

select * from final
