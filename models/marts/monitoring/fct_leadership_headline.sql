{{ config(
    indexes=[{'columns': ['eval_year', 'scheme_code', 'region_code']}],
) }}

-- Leadership cockpit headline (领导驾驶舱): one row per (evaluation year, scheme, region) — the
-- scheme's own region (the province 210000 for a provincial scheme) and each of its cities — with
-- the figures a leader asks first, so the cockpit is one query. Score figures are those of the
-- evaluation year; loan and policy figures are those of the calendar year eval_year (decisions by
-- decision date, disbursements by disbursement date, policy payments by payment date).
-- city_code = region_code, so a city officer's row-level security shows that city's row only.
-- Every count, sum and numerator/denominator column is additive: on a multi-city scheme the own
-- region's row equals the sum of its city rows, so a chart over any set of city rows can add them up
-- and divide (tests/monitoring/assert_headline_province_equals_sum_of_cities.sql). Medians, distinct
-- bank counts and the ratio columns are not additive.
with score_groups as (

    -- the score figures per city and over all cities, built with the scores
    -- (int_scoring__city_score_figures): a loans delivery rebuilds this headline, not them
    select * from {{ ref('int_scoring__city_score_figures') }}

),

loans as (

    -- the columns the figures read: this CTE is read four times, so PostgreSQL materializes it
    select
        scheme_code,
        city_code,
        uscc,
        bank_code,
        decision_year,
        disbursed_year,
        is_decided,
        is_approved,
        is_disbursed,
        approval_days,
        amount_disbursed,
        annual_rate_pct,
        all_in_rate_pct,
        spread_bp,
        ordinary_rate_pct,
        saving_pct_points
    from {{ ref('fct_loan_applications') }}

),

policy as (

    select
        city_code,
        disbursed_year,
        days_to_disbursement,
        is_on_time,
        amount_disbursed
    from {{ ref('fct_policy_applications') }}
    where is_disbursed

),

scheme_region_cities as (

    select * from {{ ref('int_regions__scheme_cities') }}

),

scheme_cities as (

    select
        scheme_code,
        city_code,
        scheme_region_code,
        first_year,
        last_year
    from scheme_region_cities
    where is_scheme_region

),

region_cities as (

    select
        region_code,
        city_code
    from {{ ref('int_regions__region_cities') }}

),

scheme_regions as (

    select distinct
        scheme_code,
        region_code,
        region_name_zh,
        region_level
    from scheme_region_cities

),

loan_years as (

    -- the (decision year, disbursement year) pairs of each scheme's loans: one pass over the loans,
    -- a few rows for the union below
    select distinct
        scheme_code,
        decision_year,
        disbursed_year
    from loans

),

policy_years as (

    select distinct
        city_code,
        disbursed_year
    from policy

),

activity_years as (

    select scheme_code, eval_year from score_groups
    union
    select scheme_code, decision_year from loan_years where decision_year is not null
    union
    select scheme_code, disbursed_year from loan_years where disbursed_year is not null
    union
    select sc.scheme_code, p.disbursed_year
    from policy_years as p
    inner join scheme_cities as sc
        on sc.city_code = p.city_code

),

scheme_years as (

    select distinct
        y.scheme_code,
        y.eval_year
    from activity_years as y
    inner join scheme_cities as sc
        on sc.scheme_code = y.scheme_code
    where y.eval_year >= sc.first_year
        and (sc.last_year is null or y.eval_year <= sc.last_year)

),

spine as (

    select
        y.eval_year,
        y.scheme_code,
        r.region_code,
        r.region_name_zh,
        r.region_level
    from scheme_years as y
    inner join scheme_regions as r
        on r.scheme_code = y.scheme_code

),

scheme_own_region as (

    -- a scheme's own region is the union of its cities; when that region is itself a city
    -- (a city scheme) the city row already says it all
    select distinct
        scheme_code,
        scheme_region_code,
        scheme_region_code not in (select city_code from scheme_cities) as is_multi_city
    from scheme_cities

),

disbursement_groups as (

    select
        scheme_code,
        disbursed_year as eval_year,
        city_code,
        grouping(city_code) as is_all_cities,
        count(*) as loans_disbursed,
        coalesce(sum(amount_disbursed), 0) as amount_disbursed,
        count(distinct uscc) as enterprises_financed,
        count(distinct bank_code) as banks_lending,
        coalesce(sum(amount_disbursed) filter (where annual_rate_pct is not null), 0) as amount_with_rate,
        coalesce(sum(amount_disbursed * annual_rate_pct), 0) as rate_pct_x_amount,
        coalesce(sum(amount_disbursed * all_in_rate_pct), 0) as all_in_rate_pct_x_amount,
        coalesce(sum(amount_disbursed) filter (where spread_bp is not null), 0) as amount_with_lpr,
        coalesce(sum(amount_disbursed * spread_bp), 0) as spread_bp_x_amount,
        coalesce(sum(amount_disbursed * ordinary_rate_pct) filter (where saving_pct_points is not null), 0)
            as ordinary_rate_pct_x_amount,
        coalesce(sum(amount_disbursed * saving_pct_points), 0) as saving_pct_points_x_amount
    from loans
    where is_disbursed
    group by grouping sets ((scheme_code, disbursed_year, city_code), (scheme_code, disbursed_year))

),

decision_groups as (

    select
        scheme_code,
        decision_year as eval_year,
        city_code,
        grouping(city_code) as is_all_cities,
        count(*) as applications_decided,
        count(*) filter (where is_approved) as applications_approved,
        count(distinct uscc) as enterprises_decided,
        count(distinct uscc) filter (where is_approved) as enterprises_approved,
        {{ monitoring_percentile(0.5, 'approval_days') }} as approval_days_p50
    from loans
    where is_decided
    group by grouping sets ((scheme_code, decision_year, city_code), (scheme_code, decision_year))

),

-- each group's rows placed in a region: a city row in its city, the all-cities row in the scheme's own
-- region (only when that holds several cities: a city scheme's one city row says it all)
{% for figures in ['score', 'disbursement', 'decision'] %}
{{ figures }}_figures as (

    select
        g.*,
        case when g.is_all_cities = 1 then r.scheme_region_code else g.city_code end as region_code
    from {{ figures }}_groups as g
    inner join scheme_own_region as r
        on r.scheme_code = g.scheme_code
    where g.is_all_cities = 0 or r.is_multi_city

),
{% endfor %}

policy_by_region as (

    -- policy is not scheme-specific: computed once per region, then shown under every scheme
    select
        rc.region_code,
        p.disbursed_year as eval_year,
        count(*) as policy_applications_disbursed,
        {{ monitoring_percentile(0.5, 'p.days_to_disbursement') }} as policy_days_p50,
        count(*) filter (where p.is_on_time) as policy_disbursed_on_time,
        coalesce(sum(p.amount_disbursed), 0) as policy_amount_disbursed,
        coalesce(sum(p.days_to_disbursement), 0) as policy_days_sum
    from policy as p
    inner join region_cities as rc
        on rc.city_code = p.city_code
    group by 1, 2

),

policy_figures as (

    select
        sr.scheme_code,
        pr.*
    from policy_by_region as pr
    inner join scheme_regions as sr
        on sr.region_code = pr.region_code

),

joined as (

    select
        sp.eval_year,
        sp.scheme_code,
        sp.region_code,
        sp.region_code as city_code,
        sp.region_name_zh,
        sp.region_name_zh as city_name_zh,
        sp.region_level,
        coalesce(sf.enterprises_evaluated, 0) as enterprises_evaluated,
        coalesce(sf.enterprises_scored, 0) as enterprises_scored,
        coalesce(sf.enterprises_vetoed, 0) as enterprises_vetoed,
        sf.mean_points,
        sf.median_points,
        coalesce(sf.points_sum_scored, 0) as points_sum_scored,
        coalesce(sf.points_sum_evaluated, 0) as points_sum_evaluated,
        coalesce(sf.grade_a_enterprises, 0) as grade_a_enterprises,
        coalesce(sf.grade_b_enterprises, 0) as grade_b_enterprises,
        coalesce(sf.grade_c_enterprises, 0) as grade_c_enterprises,
        coalesce(sf.grade_d_enterprises, 0) as grade_d_enterprises,
        coalesce(sf.grade_v_enterprises, 0) as grade_v_enterprises,
        coalesce(df.loans_disbursed, 0) as loans_disbursed,
        coalesce(df.amount_disbursed, 0) as amount_disbursed,
        coalesce(df.enterprises_financed, 0) as enterprises_financed,
        coalesce(df.banks_lending, 0) as banks_lending,
        coalesce(dc.applications_decided, 0) as applications_decided,
        coalesce(dc.applications_approved, 0) as applications_approved,
        coalesce(dc.enterprises_decided, 0) as enterprises_decided,
        coalesce(dc.enterprises_approved, 0) as enterprises_approved,
        dc.approval_days_p50,
        coalesce(df.amount_with_rate, 0) as amount_with_rate,
        coalesce(df.rate_pct_x_amount, 0) as rate_pct_x_amount,
        coalesce(df.all_in_rate_pct_x_amount, 0) as all_in_rate_pct_x_amount,
        coalesce(df.amount_with_lpr, 0) as amount_with_lpr,
        coalesce(df.spread_bp_x_amount, 0) as spread_bp_x_amount,
        coalesce(df.ordinary_rate_pct_x_amount, 0) as ordinary_rate_pct_x_amount,
        coalesce(df.saving_pct_points_x_amount, 0) as saving_pct_points_x_amount,
        coalesce(pf.policy_applications_disbursed, 0) as policy_applications_disbursed,
        coalesce(pf.policy_disbursed_on_time, 0) as policy_disbursed_on_time,
        coalesce(pf.policy_amount_disbursed, 0) as policy_amount_disbursed,
        coalesce(pf.policy_days_sum, 0) as policy_days_sum,
        pf.policy_days_p50
    from spine as sp
    left join score_figures as sf
        on sf.scheme_code = sp.scheme_code and sf.eval_year = sp.eval_year and sf.region_code = sp.region_code
    left join disbursement_figures as df
        on df.scheme_code = sp.scheme_code and df.eval_year = sp.eval_year and df.region_code = sp.region_code
    left join decision_figures as dc
        on dc.scheme_code = sp.scheme_code and dc.eval_year = sp.eval_year and dc.region_code = sp.region_code
    left join policy_figures as pf
        on pf.scheme_code = sp.scheme_code and pf.eval_year = sp.eval_year and pf.region_code = sp.region_code

),

final as (

    select
        *,
        {{ monitoring_ratio('points_sum_evaluated', 'enterprises_evaluated', 2) }} as mean_points_incl_vetoed,
        {{ monitoring_ratio('policy_days_sum', 'policy_applications_disbursed', 2) }} as policy_days_mean,
        {{ monitoring_ratio('grade_a_enterprises', 'enterprises_evaluated') }} as grade_a_share,
        {{ monitoring_ratio('grade_b_enterprises', 'enterprises_evaluated') }} as grade_b_share,
        {{ monitoring_ratio('grade_c_enterprises', 'enterprises_evaluated') }} as grade_c_share,
        {{ monitoring_ratio('grade_d_enterprises', 'enterprises_evaluated') }} as grade_d_share,
        {{ monitoring_ratio('grade_v_enterprises', 'enterprises_evaluated') }} as grade_v_share,
        {{ monitoring_ratio('enterprises_approved', 'enterprises_decided') }} as enterprise_success_rate,
        {{ monitoring_ratio('applications_approved', 'applications_decided') }} as application_success_rate,
        {{ monitoring_ratio('rate_pct_x_amount', 'amount_with_rate', 4) }} as weighted_rate_pct,
        {{ monitoring_ratio('all_in_rate_pct_x_amount', 'amount_with_rate', 4) }} as weighted_all_in_rate_pct,
        {{ monitoring_ratio('spread_bp_x_amount', 'amount_with_lpr', 2) }} as weighted_spread_bp,
        {{ monitoring_ratio('saving_pct_points_x_amount', 'ordinary_rate_pct_x_amount') }} as saving_share,
        {{ monitoring_ratio('policy_disbursed_on_time', 'policy_applications_disbursed') }} as policy_on_time_share
    from joined

)

select * from final
