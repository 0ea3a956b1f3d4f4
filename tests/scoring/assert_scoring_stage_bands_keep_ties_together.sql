-- Ties never split across ranked lists (榜单): non-vetoed enterprises of the same (scheme, year,
-- cohort region, stage) with the same total are in the same band (or all in none), and vetoed
-- enterprises are in none.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
)

select scheme_code, eval_year, cohort_region_code, stage, is_vetoed, total_points,
       count(distinct coalesce(band_code, '-')) as bands, count(*) as members
from scores
group by scheme_code, eval_year, cohort_region_code, stage, is_vetoed, total_points
having count(distinct coalesce(band_code, '-')) > 1
    or (is_vetoed and count(band_code) > 0)
