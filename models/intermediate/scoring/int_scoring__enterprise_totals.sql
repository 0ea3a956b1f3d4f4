{{ config(unlogged=true) }}
-- Totals, grades and ranks (总分、等级、排名) per evaluated enterprise:
-- total = sum of its indicator points (0 when vetoed); grade = the grade with the highest
-- min_share_of_max that total / max_points reaches (V when vetoed); rank = standard competition
-- rank ("1224") by total descending within (scheme, Y, cohort region), vetoed enterprises last;
-- top_share = rank / evaluated in that region; points_to_next_grade = points short of the next
-- grade's threshold (rounded up to the cent).

with evaluated as (

    select * from {{ ref('int_scoring__evaluated') }}

),

-- the sum of each enterprise's indicator points, added up once (see int_scoring__enterprise_points)
point_sums as (

    select * from {{ ref('int_scoring__enterprise_points') }}

),

-- the grade bands of the grade_bands seed as share ranges, the veto grade among them
grade_bands as (

    select * from {{ ref('int_scoring__grade_bands') }}

),

totals as (

    select
        evaluated.*,
        case when evaluated.is_vetoed then 0 else coalesce(point_sums.total_points, 0) end as total_points,
        coalesce(point_sums.indicators_scored, 0) as indicators_scored
    from evaluated
    left join point_sums
        on point_sums.scheme_code = evaluated.scheme_code
        and point_sums.eval_year = evaluated.eval_year
        and point_sums.uscc = evaluated.uscc

),

graded as (

    select
        totals.*,
        grade_bands.grade,
        grade_bands.label_zh as grade_label_zh,
        grade_bands.next_grade,
        case when grade_bands.next_min_share_of_max is not null then
            round(ceil((grade_bands.next_min_share_of_max * totals.max_points - totals.total_points) * 100) / 100, 2)
        end as points_to_next_grade
    from totals
    left join grade_bands
        on {{ in_grade_band('grade_bands', 'totals.total_points', 'totals.max_points', 'totals.is_vetoed') }}

),

ranked as (

    select
        graded.*,
        rank() over (
            partition by scheme_code, eval_year, cohort_region_code
            order by is_vetoed, total_points desc
        ) as rank_in_region,
        count(*) over (
            partition by scheme_code, eval_year, cohort_region_code
        ) as evaluated_in_region
    from graded

),

final as (

    select
        scheme_code,
        eval_year,
        uscc,
        city_code,
        cohort_region_code,
        stage,
        age_years,
        revenue_for_stage,
        is_vetoed,
        veto_codes,
        veto_reasons_zh,
        veto_count,
        total_points,
        max_points,
        round(total_points / max_points, 6) as share_of_max,
        indicators_scored,
        grade,
        grade_label_zh,
        next_grade,
        points_to_next_grade,
        cast(rank_in_region as integer) as rank_in_region,
        cast(evaluated_in_region as integer) as evaluated_in_region,
        {{ exact_ratio('rank_in_region', 'evaluated_in_region', 6) }} as top_share
    from ranked

)

select * from final
