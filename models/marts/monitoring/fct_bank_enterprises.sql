{{ config(
    indexes=[
        {'columns': ['bank_code', 'scheme_code', 'uscc'], 'unique': true},
        {'columns': ['uscc']},
    ],
) }}
-- Enterprises a bank can serve (银行可服务企业名单): per partner bank, the enterprises whose consent to
-- it is in force on the as-of date (dim_bank_consents.is_in_force), each with its score under every
-- scheme in that scheme's latest evaluation year (one row per bank, scheme and enterprise; an
-- enterprise not evaluated in a scheme's latest year has no row for that scheme). Row-level
-- security (bank_code and uscc): a bank login reads its own bank's rows of enterprises consenting now.

with consents as (

    select * from {{ ref('dim_bank_consents') }}
    where is_in_force

),

banks as (

    select * from {{ ref('ref_banks') }}

),

scores as (

    select * from {{ ref('fct_enterprise_scores') }}

),

-- each scheme's latest evaluation year (a scheme may end before the warehouse's latest year)
scheme_latest as (

    select
        scheme_code,
        max(eval_year) as eval_year
    from scores
    group by scheme_code

),

latest_scores as (

    select scores.*
    from scores
    inner join scheme_latest
        on scheme_latest.scheme_code = scores.scheme_code
        and scheme_latest.eval_year = scores.eval_year

),

final as (

    select
        consents.bank_code,
        banks.bank_name_zh,
        consents.uscc,
        latest_scores.enterprise_name,
        latest_scores.city_code,
        latest_scores.city_name_zh,
        latest_scores.scheme_code,
        latest_scores.scheme_name_zh,
        latest_scores.eval_year,
        latest_scores.stage_name_zh,
        latest_scores.total_points,
        latest_scores.grade,
        latest_scores.grade_display_zh,
        latest_scores.rank_in_region,
        latest_scores.evaluated_in_region,
        latest_scores.band_name_zh,
        latest_scores.is_vetoed,
        latest_scores.veto_reasons_zh,
        consents.granted_date,
        consents.as_of_date
    from consents
    inner join banks
        on banks.bank_code = consents.bank_code
    inner join latest_scores
        on latest_scores.uscc = consents.uscc

)

select * from final
