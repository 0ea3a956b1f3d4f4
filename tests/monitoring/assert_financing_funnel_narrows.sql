-- fct_financing_funnel is a real funnel: within every (scheme, year, city, bank) the applications
-- never increase from one stage to the next, every stage of ref_financing_funnel_stages is there, and
-- stage 1 equals the count of fct_loan_applications rows applied for in that year. Returns the groups
-- that break a rule, with the reason.
with funnel as (

    select
        scheme_code,
        eval_year,
        city_code,
        bank_code,
        stage_order,
        applications,
        lag(applications) over (
            partition by scheme_code, eval_year, city_code, bank_code
            order by stage_order
        ) as previous_stage_applications
    from {{ ref('fct_financing_funnel') }}

),

stages as (

    select count(*) as n_stages
    from {{ ref('ref_financing_funnel_stages') }}

),

first_stage as (

    select min(stage_order) as stage_order
    from {{ ref('ref_financing_funnel_stages') }}

),

received as (

    select
        scheme_code,
        applied_year as eval_year,
        city_code,
        bank_code,
        count(*) as applications
    from {{ ref('fct_loan_applications') }}
    group by 1, 2, 3, 4

),

stage_one as (

    select f.*
    from funnel as f
    inner join first_stage as s
        on s.stage_order = f.stage_order

),

increases as (

    select
        scheme_code,
        eval_year,
        city_code,
        bank_code,
        'applications increase at stage ' || stage_order as problem
    from funnel
    where applications > previous_stage_applications

),

missing_stages as (

    select
        f.scheme_code,
        f.eval_year,
        f.city_code,
        f.bank_code,
        'has ' || count(*) || ' stages' as problem
    from funnel as f
    group by 1, 2, 3, 4
    having count(*) <> (select n_stages from stages)

),

stage_one_mismatch as (

    select
        coalesce(o.scheme_code, r.scheme_code) as scheme_code,
        coalesce(o.eval_year, r.eval_year) as eval_year,
        coalesce(o.city_code, r.city_code) as city_code,
        coalesce(o.bank_code, r.bank_code) as bank_code,
        'stage 1 ' || coalesce(o.applications::text, 'missing')
        || ' <> applications received ' || coalesce(r.applications::text, 'none') as problem
    from stage_one as o
    full outer join received as r
        on r.scheme_code = o.scheme_code
        and r.eval_year = o.eval_year
        and r.city_code = o.city_code
        and r.bank_code = o.bank_code
    where o.applications is distinct from r.applications

)

select * from increases
union all
select * from missing_stages
union all
select * from stage_one_mismatch
