{{ config(
    indexes=[{'columns': ['eval_year', 'scheme_code', 'region_code']}],
) }}

-- Leadership cockpit, year on year (领导驾驶舱同比): one row per (scheme, evaluation year, region,
-- figure), the figures of ref_leadership_figures in its order, each as an additive numerator and
-- denominator of this year and of last year (eval_year − 1, same scheme and region), taken from
-- fct_leadership_headline's additive columns. A chart over any set of city rows computes
-- sum(numerator) / coalesce(sum(denominator), 1) and gets the figure of those cities; over all the
-- city rows of a scheme, that is its own region's (the province's) value.
with headline as (

    select * from {{ ref('fct_leadership_headline') }}

),

figures as (

    select
        figure_code,
        figure_order,
        figure_zh,
        numerator_factor
    from {{ ref('ref_leadership_figures') }}

),

unpivoted as (

    -- the definition of each figure_code: its numerator and denominator (null for a count or an
    -- amount) in headline columns, before the unit factor
    select
        h.scheme_code,
        h.eval_year,
        h.region_code,
        h.city_code,
        h.city_name_zh,
        h.region_level,
        v.figure_code,
        v.numerator,
        v.denominator
    from headline as h
    cross join lateral (
        values
        ('enterprises_evaluated', h.enterprises_evaluated::numeric, null::numeric),
        ('mean_points_scored', h.points_sum_scored::numeric, h.enterprises_scored::numeric),
        ('grade_a_enterprises', h.grade_a_enterprises::numeric, null::numeric),
        ('amount_disbursed', h.amount_disbursed::numeric, null::numeric),
        ('enterprises_financed', h.enterprises_financed::numeric, null::numeric),
        ('enterprise_success_rate', h.enterprises_approved::numeric, h.enterprises_decided::numeric),
        ('weighted_rate_pct', h.rate_pct_x_amount::numeric, h.amount_with_rate::numeric),
        ('policy_amount_disbursed', h.policy_amount_disbursed::numeric, null::numeric),
        ('policy_on_time_share', h.policy_disbursed_on_time::numeric, h.policy_applications_disbursed::numeric)
    ) as v (figure_code, numerator, denominator)

),

scaled as (

    select
        u.scheme_code,
        u.eval_year,
        u.region_code,
        u.city_code,
        u.city_name_zh,
        u.region_level,
        u.figure_code,
        f.figure_order,
        f.figure_zh,
        u.numerator * f.numerator_factor as numerator,
        u.denominator
    from unpivoted as u
    inner join figures as f
        on f.figure_code = u.figure_code

),

joined as (

    select
        ty.scheme_code,
        ty.eval_year,
        ty.region_code,
        ty.city_code,
        ty.city_name_zh,
        ty.region_level,
        ty.figure_code,
        ty.figure_order,
        ty.figure_zh,
        ty.numerator as numerator_this_year,
        ty.denominator as denominator_this_year,
        ly.numerator as numerator_last_year,
        ly.denominator as denominator_last_year,
        ly.figure_code is not null as has_last_year
    from scaled as ty
    left join scaled as ly
        on ly.scheme_code = ty.scheme_code
        and ly.region_code = ty.region_code
        and ly.figure_code = ty.figure_code
        and ly.eval_year = ty.eval_year - 1

),

valued as (

    select
        *,
        numerator_this_year / nullif(coalesce(denominator_this_year, 1), 0) as value_this_year,
        case
            when has_last_year then numerator_last_year / nullif(coalesce(denominator_last_year, 1), 0)
        end as value_last_year
    from joined

),

final as (

    select
        scheme_code,
        eval_year,
        region_code,
        city_code,
        city_name_zh,
        region_level,
        figure_code,
        figure_order,
        figure_zh,
        numerator_this_year,
        denominator_this_year,
        numerator_last_year,
        denominator_last_year,
        value_this_year,
        value_last_year,
        value_this_year / nullif(value_last_year, 0) - 1 as yoy_change
    from valued

)

select * from final
