{{ config(unlogged=true) }}
-- Enterprise stage (企业发展阶段) per enterprise and evaluation year, from the stage_rules seed:
-- the first rule in priority order that holds. age_years = whole years from established_date to
-- Y-12-31; revenue = torch revenue of Y, a null revenue counting as 0.

with eval_years as (

    select distinct eval_year, year_end_date
    from {{ ref('int_scoring__scheme_years') }}

),

registry as (

    select * from {{ ref('int_feeds__registry') }}

),

torch as (

    select * from {{ ref('int_feeds__torch') }}

),

stage_rules as (

    select * from {{ ref('stage_rules') }}

),

candidates as (

    select
        torch.uscc,
        torch.year as eval_year,
        registry.established_date,
        cast(date_part('year', age(eval_years.year_end_date, registry.established_date)) as integer) as age_years,
        coalesce(torch.revenue, 0) as revenue_for_stage
    from torch
    inner join eval_years
        on eval_years.eval_year = torch.year
    inner join registry
        on registry.uscc = torch.uscc

),

matches as (

    select
        candidates.uscc,
        candidates.eval_year,
        candidates.established_date,
        candidates.age_years,
        candidates.revenue_for_stage,
        stage_rules.stage,
        stage_rules.priority
    from candidates
    inner join stage_rules
        on case stage_rules.match_mode
            when 'any' then
                coalesce(candidates.age_years < stage_rules.age_years_below, false)
                or coalesce(candidates.revenue_for_stage < stage_rules.revenue_below, false)
            else
                (stage_rules.age_years_at_least is null or candidates.age_years >= stage_rules.age_years_at_least)
                and (stage_rules.revenue_at_least is null or candidates.revenue_for_stage >= stage_rules.revenue_at_least)
        end

),

first_match as (

    select distinct on (uscc, eval_year)
        uscc,
        eval_year,
        established_date,
        age_years,
        revenue_for_stage,
        stage
    from matches
    order by uscc, eval_year, priority

)

select * from first_match
