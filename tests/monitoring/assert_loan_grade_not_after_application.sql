-- A loan's grade at application never looks ahead (metrics.md "Credit quality"): a grade that does
-- not come from a publication comes from an evaluation year strictly before the year of application
-- (year Y is scored from Y's data, known only after Y ends), and a publication used was published on
-- or before the application date. Returns the (scheme, loan) rows that break either rule.
with loans as (

    select
        scheme_code,
        loan_app_id,
        applied_date,
        applied_year,
        grade_source,
        grade_eval_year,
        grade_publication_id
    from {{ ref('fct_loan_applications') }}

),

publications as (

    select
        publication_id,
        published_at
    from {{ ref('stg_publications__publications') }}

)

select
    l.scheme_code,
    l.loan_app_id,
    l.applied_date,
    l.grade_source,
    l.grade_eval_year,
    p.published_at
from loans as l
left join publications as p
    on p.publication_id = l.grade_publication_id
where (
        l.grade_publication_id is null
        and l.grade_eval_year >= l.applied_year
    )
    or (
        l.grade_publication_id is not null
        and (p.publication_id is null or p.published_at::date > l.applied_date)
    )
    or (l.grade_source = 'none' and l.grade_eval_year is not null)
