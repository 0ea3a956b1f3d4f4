-- fct_leadership_yoy as the cockpit reads it: over all the city rows (region_level = 'city') of a
-- scheme, sum(numerator) / coalesce(sum(denominator), 1) of this and last year, and their ratio − 1,
-- equal the value columns of the scheme's own region (the province for a provincial scheme; for a
-- city scheme the city row itself). Returns the (scheme, year, figure) that do not.
with yoy as (

    select * from {{ ref('fct_leadership_yoy') }}

),

scheme_region as (

    select
        scheme_code,
        region_code as scheme_region_code
    from {{ ref('schemes') }}

),

own_region as (

    select y.*
    from yoy as y
    inner join scheme_region as s
        on s.scheme_code = y.scheme_code
        and s.scheme_region_code = y.region_code

),

summed as (

    select
        scheme_code,
        eval_year,
        figure_code,
        sum(numerator_this_year) as numerator_this_year,
        sum(denominator_this_year) as denominator_this_year,
        sum(numerator_last_year) as numerator_last_year,
        sum(denominator_last_year) as denominator_last_year
    from yoy
    where region_level = 'city'
    group by 1, 2, 3

),

charted as (

    select
        *,
        numerator_this_year / nullif(coalesce(denominator_this_year, 1), 0) as value_this_year,
        numerator_last_year / nullif(coalesce(denominator_last_year, 1), 0) as value_last_year
    from summed

)

select
    o.scheme_code,
    o.eval_year,
    o.figure_code,
    o.value_this_year,
    c.value_this_year as chart_value_this_year,
    o.value_last_year,
    c.value_last_year as chart_value_last_year,
    o.yoy_change,
    c.value_this_year / nullif(c.value_last_year, 0) - 1 as chart_yoy_change
from own_region as o
left join charted as c
    on c.scheme_code = o.scheme_code
    and c.eval_year = o.eval_year
    and c.figure_code = o.figure_code
where c.figure_code is null
    or o.numerator_this_year is distinct from c.numerator_this_year
    or o.denominator_this_year is distinct from c.denominator_this_year
    or o.numerator_last_year is distinct from c.numerator_last_year
    or o.denominator_last_year is distinct from c.denominator_last_year
    or o.value_this_year is distinct from c.value_this_year
    or o.value_last_year is distinct from c.value_last_year
    or o.yoy_change is distinct from c.value_this_year / nullif(c.value_last_year, 0) - 1
