{{ config(unlogged=true) }}
-- Coverage (评价覆盖): every enterprise of a scheme's region that existed at the end of the
-- evaluation year, or that delivered torch statistics for it, with whether it is evaluated and,
-- if not, why. Evaluated = in the region, existing on Y-12-31 and with a torch row for Y.

with scheme_years as (

    select * from {{ ref('int_scoring__scheme_years') }}

),

registry as (

    select * from {{ ref('int_feeds__registry') }}

),

torch as (

    select * from {{ ref('int_feeds__torch') }}

),

-- the cities each scheme covers (int_regions__scheme_cities)
scheme_cities as (

    select
        scheme_code,
        city_code
    from {{ ref('int_regions__scheme_cities') }}
    where is_scheme_region

),

candidates as (

    select
        scheme_years.scheme_code,
        scheme_years.eval_year,
        registry.uscc,
        registry.city_code,
        (registry.established_date <= scheme_years.year_end_date
            and (registry.deregistered_date is null
                 or registry.deregistered_date > scheme_years.year_end_date)) as existed_at_year_end,
        (torch.uscc is not null) as has_torch_row
    from scheme_years
    inner join scheme_cities
        on scheme_cities.scheme_code = scheme_years.scheme_code
    inner join registry
        on registry.city_code = scheme_cities.city_code
    left join torch
        on torch.uscc = registry.uscc
        and torch.year = scheme_years.eval_year

),

final as (

    select
        scheme_code,
        eval_year,
        uscc,
        city_code,
        existed_at_year_end and has_torch_row as is_evaluated,
        case
            when existed_at_year_end and has_torch_row then 'evaluated'
            when not existed_at_year_end then 'not_existing_at_year_end'
            else 'no_torch_statistics'
        end as reason,
        case
            when existed_at_year_end and has_torch_row then '纳入评价'
            when not existed_at_year_end then '年末未存续（未成立或已注销）'
            else '无当年火炬统计数据'
        end as reason_zh,
        existed_at_year_end,
        has_torch_row
    from candidates
    where existed_at_year_end or has_torch_row

)

select * from final
