-- Score coverage (评价覆盖情况): every enterprise of a scheme's region per evaluation year,
-- evaluated or not, and why not.

with coverage as (

    select * from {{ ref('int_scoring__coverage') }}

),

regions as (

    select * from {{ ref('regions') }}

),

final as (

    select
        coverage.scheme_code,
        coverage.eval_year,
        coverage.uscc,
        coverage.city_code,
        regions.region_name_zh as city_name_zh,
        coverage.is_evaluated,
        coverage.reason,
        coverage.reason_zh,
        coverage.existed_at_year_end,
        coverage.has_torch_row
    from coverage
    left join regions
        on regions.region_code = coverage.city_code

)

select * from final
