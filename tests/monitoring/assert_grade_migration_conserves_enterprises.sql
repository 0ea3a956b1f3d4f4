-- Every enterprise scored in a year arrives exactly once in fct_grade_migration (entered, up, down or
-- same), and every enterprise scored the year before leaves from exactly one cell (up, down, same or
-- left). Returns the (scheme, year) whose counts do not match the scores.
with migration as (

    select
        scheme_code,
        eval_year,
        sum(enterprises) filter (where movement <> 'left') as arrivals,
        sum(enterprises) filter (where movement <> 'entered') as departures
    from {{ ref('fct_grade_migration') }}
    group by 1, 2

),

scored as (

    select
        scheme_code,
        eval_year,
        count(*) as enterprises
    from {{ ref('fct_enterprise_scores') }}
    group by 1, 2

)

select
    m.scheme_code,
    m.eval_year
from migration as m
left join scored as cur
    on cur.scheme_code = m.scheme_code
    and cur.eval_year = m.eval_year
left join scored as prev
    on prev.scheme_code = m.scheme_code
    and prev.eval_year = m.eval_year - 1
where m.arrivals is distinct from cur.enterprises
    or m.departures is distinct from prev.enterprises
