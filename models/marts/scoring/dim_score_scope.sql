-- Score scope (评价范围): one row per (scheme, evaluation year, city) with evaluated enterprises,
-- and nothing about any enterprise. The dashboards' year, scheme and city filters take their values
-- from it: a few hundred rows, readable by every data role (a city's officer sees their city's rows).

with distribution as (

    select * from {{ ref('fct_score_distribution') }}

),

schemes as (

    select * from {{ ref('schemes') }}

),

scopes as (

    select distinct
        scheme_code,
        eval_year,
        is_latest_eval_year,
        city_code,
        city_name_zh
    from distribution

),

final as (

    select
        scopes.scheme_code,
        schemes.scheme_name_zh,
        scopes.eval_year,
        scopes.is_latest_eval_year,
        scopes.city_code,
        scopes.city_name_zh
    from scopes
    inner join schemes
        on schemes.scheme_code = scopes.scheme_code

)

select * from final
