-- Vetoes (一票否决明细): one row per (scheme, evaluation year, evaluated enterprise, veto rule
-- that holds), for counting veto reasons by city and year.

with evaluated as (

    select * from {{ ref('int_scoring__evaluated') }}
    where is_vetoed

),

vetoes as (

    select * from {{ ref('int_scoring__vetoes') }}

),

final as (

    select
        evaluated.scheme_code,
        evaluated.eval_year,
        evaluated.uscc,
        evaluated.city_code,
        evaluated.stage,
        vetoes.veto_code,
        vetoes.description_zh,
        vetoes.description_en,
        cities.region_name_zh as city_name_zh
    from evaluated
    inner join vetoes
        on vetoes.uscc = evaluated.uscc
        and vetoes.eval_year = evaluated.eval_year
    left join {{ ref('regions') }} as cities
        on cities.region_code = evaluated.city_code

)

select * from final
