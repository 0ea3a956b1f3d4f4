{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year']}],
) }}
-- Score coverage summary (参评覆盖汇总): enterprises per (scheme, evaluation year, city, reason
-- evaluated or not). Coverage charts read this instead of one row per enterprise of the region.

with coverage as (

    select * from {{ ref('fct_score_coverage') }}

),

counted as (

    select
        scheme_code,
        eval_year,
        city_code,
        city_name_zh,
        is_evaluated,
        reason,
        reason_zh,
        count(*) as enterprises
    from coverage
    group by 1, 2, 3, 4, 5, 6, 7

)

select * from counted
