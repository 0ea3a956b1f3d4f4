-- In fct_leadership_headline, the additive figures of a scheme's own region (e.g. the province)
-- equal the sum over its city rows. Returns the (year, scheme) rows that do not reconcile.
with headline as (

    select * from {{ ref('fct_leadership_headline') }}

),

scheme_region as (

    select
        scheme_code,
        region_code as scheme_region_code
    from {{ ref('schemes') }}

),

own_region as (

    select h.*
    from headline as h
    inner join scheme_region as s
        on s.scheme_code = h.scheme_code
        and s.scheme_region_code = h.region_code

),

cities as (

    select
        h.eval_year,
        h.scheme_code,
        sum(h.enterprises_evaluated) as enterprises_evaluated,
        sum(h.enterprises_vetoed) as enterprises_vetoed,
        sum(h.loans_disbursed) as loans_disbursed,
        sum(h.amount_disbursed) as amount_disbursed,
        sum(h.applications_decided) as applications_decided,
        sum(h.policy_applications_disbursed) as policy_applications_disbursed
    from headline as h
    inner join scheme_region as s
        on s.scheme_code = h.scheme_code
        and s.scheme_region_code <> h.region_code
    group by 1, 2

)

select
    o.eval_year,
    o.scheme_code
from own_region as o
left join cities as c
    on c.eval_year = o.eval_year
    and c.scheme_code = o.scheme_code
where c.scheme_code is not null
    and (
        o.enterprises_evaluated <> c.enterprises_evaluated
        or o.enterprises_vetoed <> c.enterprises_vetoed
        or o.loans_disbursed <> c.loans_disbursed
        or o.amount_disbursed <> c.amount_disbursed
        or o.applications_decided <> c.applications_decided
        or o.policy_applications_disbursed <> c.policy_applications_disbursed
    )
