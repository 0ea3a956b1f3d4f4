-- Ties never split across ranked lists (榜单): non-vetoed enterprises of the same (scheme, year,
-- cohort region, stage) with the same total are in the same band (or all in none), and vetoed
-- enterprises are in none.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
)

-- More than one band in a group is min <> max (no count(distinct): it would sort every score).
select scheme_code, eval_year, cohort_region_code, stage, is_vetoed, total_points,
       min(coalesce(band_code, '-')) as first_band, max(coalesce(band_code, '-')) as last_band,
       count(*) as members
from scores
group by scheme_code, eval_year, cohort_region_code, stage, is_vetoed, total_points
having min(coalesce(band_code, '-')) <> max(coalesce(band_code, '-'))
    or (is_vetoed and count(band_code) > 0)
