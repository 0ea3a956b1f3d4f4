{{ config(
    unlogged=true,
    pre_hook=["set local work_mem = '256MB'"],
) }}
-- Source values (指标取值口径) per enterprise and evaluation year, one column per value_source
-- code of the indicators seed. Derived for the non-vetoed evaluated enterprises of any scheme.
-- Rules (scoring.md): a missing source row or field gives null (counts of rows give 0); ratios
-- in exact decimal arithmetic rounded half away from zero to 6 places; money in yuan.

with population as materialized (

    select distinct uscc, eval_year
    from {{ ref('int_scoring__evaluated') }}
    where not is_vetoed

),

tax as (

    select * from {{ ref('int_feeds__tax') }}

),

credit as (

    select * from {{ ref('int_feeds__credit') }}

),

ip as (

    select * from {{ ref('int_feeds__ip') }}

),

sci as (

    select * from {{ ref('int_feeds__sci_records') }}

),

hte as (

    select * from {{ ref('int_feeds__hte') }}

),

tsme as (

    select * from {{ ref('int_feeds__tsme') }}

),

ladder_tiers as (

    select * from {{ ref('ladder_tiers') }}

),

torch_with_history as (

    select
        torch.*,
        -- equity financing over Y-2..Y; missing years count 0 (sum ignores them)
        sum(torch.equity_financing) over (
            partition by torch.uscc
            order by torch.year
            range between 2 preceding and current row
        ) as equity_financing_3y
    from {{ ref('int_feeds__torch') }} as torch

),

torch_years as (

    select
        torch.uscc,
        torch.year,
        torch.revenue,
        torch.net_profit,
        torch.employees,
        torch.rd_staff,
        torch.rd_expense,
        torch.hitech_product_revenue,
        torch.tech_contract_amount,
        torch.tech_contract_absorbed_local,
        torch.equity_financing_3y,
        prior_year.revenue as prior_revenue,
        prior_year.rd_expense as prior_rd_expense
    from population
    inner join torch_with_history as torch
        on torch.uscc = population.uscc
        and torch.year = population.eval_year
    left join {{ ref('int_feeds__torch') }} as prior_year
        on prior_year.uscc = torch.uscc
        and prior_year.year = torch.year - 1

),

ip_counts as (

    select
        population.uscc,
        population.eval_year,
        count(*) filter (
            where ip.ip_type = 'invention' and ip.status = 'valid'
              and ip.grant_date <= make_date(population.eval_year, 12, 31)
        ) as ip_valid_invention_patents,
        count(*) filter (
            where ip.grant_date between make_date(population.eval_year - 2, 1, 1)
                                    and make_date(population.eval_year, 12, 31)
        ) as ip_granted_3y,
        count(*) filter (
            where ip.is_pct is true
              and ip.application_date between make_date(population.eval_year - 2, 1, 1)
                                          and make_date(population.eval_year, 12, 31)
        ) as ip_pct_applications_3y
    from population
    inner join ip
        on ip.uscc = population.uscc
    group by population.uscc, population.eval_year

),

sci_flagged as (

    select
        population.uscc,
        population.eval_year,
        sci.record_type,
        sci.level in ('national', 'provincial') as is_provincial_or_higher,
        sci.year between population.eval_year - 2 and population.eval_year as in_last_three_years,
        sci.year <= population.eval_year
            and (sci.end_year is null or sci.end_year >= population.eval_year) as in_force,
        ladder_tiers.tier
    from population
    inner join sci
        on sci.uscc = population.uscc
    left join ladder_tiers
        on sci.record_type = 'ladder'
        and ladder_tiers.ladder_name = btrim(sci.name)

),

sci_counts as (

    select
        uscc,
        eval_year,
        count(*) filter (where record_type = 'standard' and in_last_three_years) as sci_standards_3y,
        count(*) filter (
            where record_type = 'project' and is_provincial_or_higher and in_last_three_years
        ) as sci_projects_prov_plus_3y,
        count(*) filter (
            where record_type = 'platform' and is_provincial_or_higher and in_force
        ) as sci_platforms_prov_plus_in_force,
        count(*) filter (where record_type = 'cooperation' and in_last_three_years) as sci_cooperation_3y,
        count(*) filter (where record_type = 'transformation' and in_last_three_years) as sci_transformation_3y,
        max(tier) filter (where record_type = 'ladder' and in_force) as sci_ladder_top_tier,
        count(*) filter (
            where record_type = 'digital' and is_provincial_or_higher and in_force
        ) as sci_digital_prov_plus_in_force,
        count(*) filter (where record_type = 'first_set' and in_last_three_years) as sci_first_set_3y,
        count(*) filter (where record_type = 'talent' and in_force) as sci_talents_in_force
    from sci_flagged
    group by uscc, eval_year

),

hte_valid as (

    select distinct
        population.uscc,
        population.eval_year
    from population
    inner join hte
        on hte.uscc = population.uscc
        and hte.certified_date <= make_date(population.eval_year, 12, 31)
        and hte.expiry_date >= make_date(population.eval_year, 12, 31)

),

final as (

    select
        population.uscc,
        population.eval_year,
        -- torch (火炬统计), year Y
        torch_years.rd_expense as torch_rd_expense,
        case when torch_years.revenue > 0
            then {{ exact_ratio('torch_years.rd_expense', 'torch_years.revenue', 6) }}
        end as torch_rd_intensity,
        cast(torch_years.rd_staff as numeric) as torch_rd_staff,
        case when torch_years.employees > 0
            then {{ exact_ratio('torch_years.rd_staff', 'torch_years.employees', 6) }}
        end as torch_rd_staff_share,
        torch_years.tech_contract_amount as torch_tech_contract_amount,
        case when torch_years.revenue > 0
            then {{ exact_ratio('torch_years.hitech_product_revenue', 'torch_years.revenue', 6) }}
        end as torch_hitech_revenue_share,
        torch_years.revenue as torch_revenue,
        case when torch_years.prior_revenue > 0
            then {{ exact_ratio('torch_years.revenue - torch_years.prior_revenue', 'torch_years.prior_revenue', 6) }}
        end as torch_revenue_growth,
        case when torch_years.revenue > 0
            then {{ exact_ratio('torch_years.net_profit', 'torch_years.revenue', 6) }}
        end as torch_net_profit_margin,
        case when torch_years.prior_rd_expense > 0
            then {{ exact_ratio('torch_years.rd_expense - torch_years.prior_rd_expense', 'torch_years.prior_rd_expense', 6) }}
        end as torch_rd_expense_growth,
        torch_years.equity_financing_3y as torch_equity_financing_3y,
        torch_years.tech_contract_absorbed_local as torch_tech_contract_absorbed_local,
        -- tax (税务), year Y
        tax.taxes_paid as tax_taxes_paid,
        tax.rd_super_deduction as tax_rd_super_deduction,
        -- intellectual property (知识产权)
        cast(coalesce(ip_counts.ip_valid_invention_patents, 0) as numeric) as ip_valid_invention_patents,
        cast(coalesce(ip_counts.ip_granted_3y, 0) as numeric) as ip_granted_3y,
        cast(coalesce(ip_counts.ip_pct_applications_3y, 0) as numeric) as ip_pct_applications_3y,
        -- science bureau records (科技局业务记录)
        cast(coalesce(sci_counts.sci_standards_3y, 0) as numeric) as sci_standards_3y,
        cast(coalesce(sci_counts.sci_projects_prov_plus_3y, 0) as numeric) as sci_projects_prov_plus_3y,
        cast(coalesce(sci_counts.sci_platforms_prov_plus_in_force, 0) as numeric) as sci_platforms_prov_plus_in_force,
        cast(coalesce(sci_counts.sci_cooperation_3y, 0) as numeric) as sci_cooperation_3y,
        cast(coalesce(sci_counts.sci_transformation_3y, 0) as numeric) as sci_transformation_3y,
        cast(sci_counts.sci_ladder_top_tier as numeric) as sci_ladder_top_tier,
        cast(coalesce(sci_counts.sci_digital_prov_plus_in_force, 0) as numeric) as sci_digital_prov_plus_in_force,
        cast(coalesce(sci_counts.sci_first_set_3y, 0) as numeric) as sci_first_set_3y,
        cast(coalesce(sci_counts.sci_talents_in_force, 0) as numeric) as sci_talents_in_force,
        -- qualification (科技企业资质): 2 high-tech enterprise valid on Y-12-31, 1 tech SME of Y, else 0
        cast(case
            when hte_valid.uscc is not null then 2
            when tsme.uscc is not null then 1
            else 0
        end as numeric) as tech_qualification_code,
        -- credit (信用): 1 when no administrative penalty in Y (0 penalties or no credit row)
        cast(case
            when credit.uscc is null then 1
            when credit.admin_penalties = 0 then 1
            else 0
        end as numeric) as credit_no_admin_penalty_flag
    from population
    inner join torch_years
        on torch_years.uscc = population.uscc
        and torch_years.year = population.eval_year
    left join tax
        on tax.uscc = population.uscc
        and tax.year = population.eval_year
    left join credit
        on credit.uscc = population.uscc
        and credit.year = population.eval_year
    left join ip_counts
        on ip_counts.uscc = population.uscc
        and ip_counts.eval_year = population.eval_year
    left join sci_counts
        on sci_counts.uscc = population.uscc
        and sci_counts.eval_year = population.eval_year
    left join hte_valid
        on hte_valid.uscc = population.uscc
        and hte_valid.eval_year = population.eval_year
    left join tsme
        on tsme.uscc = population.uscc
        and tsme.year = population.eval_year

)

select * from final
