-- In fct_leadership_headline, every additive column of a scheme's own region (e.g. the province)
-- equals the sum over its city rows, so the cockpit may add the city rows of any set of cities and
-- divide. The list is the columns the yml marks Additive. Returns the (year, scheme, column) that do
-- not reconcile, and own-region rows without city rows.
{%- set additive = [
    'enterprises_evaluated', 'enterprises_scored', 'enterprises_vetoed',
    'points_sum_scored', 'points_sum_evaluated',
    'grade_a_enterprises', 'grade_b_enterprises', 'grade_c_enterprises', 'grade_d_enterprises',
    'grade_v_enterprises',
    'loans_disbursed', 'amount_disbursed', 'enterprises_financed',
    'applications_decided', 'applications_approved', 'enterprises_decided', 'enterprises_approved',
    'amount_with_rate', 'rate_pct_x_amount', 'all_in_rate_pct_x_amount', 'amount_with_lpr',
    'spread_bp_x_amount', 'ordinary_rate_pct_x_amount', 'saving_pct_points_x_amount',
    'policy_applications_disbursed', 'policy_disbursed_on_time', 'policy_amount_disbursed',
    'policy_days_sum',
] %}
with headline as (

    select * from {{ ref('fct_leadership_headline') }}

),

scheme_region as (

    select
        scheme_code,
        region_code as scheme_region_code
    from {{ ref('schemes') }}

),

own_region as (

    select h.*
    from headline as h
    inner join scheme_region as s
        on s.scheme_code = h.scheme_code
        and s.scheme_region_code = h.region_code
    where h.region_level = 'province'

),

cities as (

    select
        h.eval_year,
        h.scheme_code,
        {%- for column in additive %}
        sum(h.{{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from headline as h
    where h.region_level = 'city'
    group by 1, 2

),

compared as (

    {%- for column in additive %}
    select
        o.eval_year,
        o.scheme_code,
        '{{ column }}' as column_name,
        o.{{ column }} as own_region_value,
        c.{{ column }} as sum_of_cities
    from own_region as o
    left join cities as c
        on c.eval_year = o.eval_year
        and c.scheme_code = o.scheme_code
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select *
from compared
where sum_of_cities is distinct from own_region_value
