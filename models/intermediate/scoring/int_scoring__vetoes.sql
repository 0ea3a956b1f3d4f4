{{ config(unlogged=true) }}
-- Vetoes (一票否决) per enterprise and evaluation year, one row per rule that holds. The
-- conditions are keyed by veto_code; the veto_rules seed names them (a rule removed from the
-- seed no longer applies).
--   V01: torch rd_expense of Y is null or <= 0 (研发费用一票否决)
--   V02: on the serious-dishonesty list for Y (严重违法失信名单)

with eval_years as (

    select distinct eval_year
    from {{ ref('int_scoring__scheme_years') }}

),

torch as (

    select * from {{ ref('int_feeds__torch') }}

),

credit as (

    select * from {{ ref('int_feeds__credit') }}

),

veto_rules as (

    select * from {{ ref('veto_rules') }}

),

conditions as (

    select torch.uscc, torch.year as eval_year, 'V01' as veto_code
    from torch
    inner join eval_years on eval_years.eval_year = torch.year
    where torch.rd_expense is null or torch.rd_expense <= 0

    union all

    select credit.uscc, credit.year as eval_year, 'V02' as veto_code
    from credit
    inner join eval_years on eval_years.eval_year = credit.year
    where credit.dishonest_listed is true

),

final as (

    select
        conditions.uscc,
        conditions.eval_year,
        conditions.veto_code,
        veto_rules.description_zh,
        veto_rules.description_en
    from conditions
    inner join veto_rules
        on veto_rules.veto_code = conditions.veto_code

)

select * from final
