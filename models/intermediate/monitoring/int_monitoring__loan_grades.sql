{#- rebuilt by loan: a delivery of loans computes only the loans it changed (macros/monitoring/loans_delta.sql) -#}
{{ config(**rebuilt_by_loan()) }}
-- depends_on: {{ ref('int_monitoring__loan_changes') }}
-- The grade a loan application carried (申请时等级), per scheme covering the enterprise's city,
-- point in time (metrics.md "Credit quality"): the grade in the scheme's latest publication on or
-- before applied_date (grade_source 'publication', or 'not_in_publication' when that publication
-- does not list the enterprise: no grade); when no publication precedes the application, the
-- enterprise's score of its latest evaluation year strictly before the year of application
-- ('prior_year_score': year Y is scored from Y's annual data, known only after Y ends); 'none'
-- when there is neither. Nothing scored later than the application decides its grade.
with loans as (

    select
        loan_app_id,
        uscc,
        city_code,
        applied_date
    from {{ ref('int_monitoring__loans') }}
    where {{ loans_to_build() }}

),

scheme_cities as (

    select
        scheme_code,
        city_code
    from {{ ref('int_regions__scheme_cities') }}
    where is_scheme_region

),

publications as (

    select
        publication_id,
        scheme_code,
        eval_year,
        published_at
    from {{ ref('stg_publications__publications') }}
    -- the grade a bank had: final lists only (a publicity list is never pushed)
    where kind = 'final'

),

published_scores as (

    select
        publication_id,
        uscc,
        total_points,
        grade
    from {{ ref('stg_publications__scores') }}
    -- the enterprises with loans only: the join is by enterprise, and a final list has them all
    where uscc in (select uscc from loans)

),

score_periods as (

    -- each score with the enterprise's next evaluation year under the scheme, built with the scores
    select
        scheme_code,
        uscc,
        eval_year,
        next_eval_year,
        total_points,
        grade
    from {{ ref('int_scoring__score_periods') }}
    -- the enterprises with loans only (read by their index): every enterprise has a score per year
    where uscc in (select uscc from loans)

),

scheme_loans as (

    select
        sc.scheme_code,
        l.loan_app_id,
        l.uscc,
        l.applied_date
    from loans as l
    inner join scheme_cities as sc
        on sc.city_code = l.city_code

),

publication_periods as (

    -- the days each final list is the scheme's latest: from its publication date until the date of
    -- the scheme's next one (in the order published_at, publication_id: of two on one day the later
    -- one, whose period starts that day, and the earlier one's is empty)
    select
        publication_id,
        scheme_code,
        eval_year,
        published_at::date as in_force_from,
        lead(published_at::date) over (
            partition by scheme_code
            order by published_at, publication_id
        ) as in_force_until
    from publications

),

latest_publication as (

    select
        sl.scheme_code,
        sl.loan_app_id,
        p.publication_id,
        p.eval_year
    from scheme_loans as sl
    inner join publication_periods as p
        on p.scheme_code = sl.scheme_code
        and p.in_force_from <= sl.applied_date
        and (p.in_force_until is null or sl.applied_date < p.in_force_until)

),

prior_year_score as (

    -- the score of the enterprise's latest evaluation year strictly before the year of application:
    -- the one period with eval_year < that year <= next_eval_year
    select
        sl.scheme_code,
        sl.loan_app_id,
        s.eval_year,
        s.total_points,
        s.grade
    from scheme_loans as sl
    inner join score_periods as s
        on s.scheme_code = sl.scheme_code
        and s.uscc = sl.uscc
        and s.eval_year < extract(year from sl.applied_date)
        and (s.next_eval_year is null or s.next_eval_year >= extract(year from sl.applied_date))

),

resolved as (

    select
        sl.scheme_code,
        sl.loan_app_id,
        case
            when lp.publication_id is not null and ps.uscc is not null then 'publication'
            when lp.publication_id is not null then 'not_in_publication'
            when prior.eval_year is not null then 'prior_year_score'
            else 'none'
        end as grade_source,
        lp.publication_id as grade_publication_id,
        case
            when lp.publication_id is not null then lp.eval_year
            else prior.eval_year
        end as grade_eval_year,
        case
            when lp.publication_id is not null then ps.grade
            else prior.grade
        end as grade_at_application,
        case
            when lp.publication_id is not null then ps.total_points
            else prior.total_points
        end as total_points_at_application
    from scheme_loans as sl
    left join latest_publication as lp
        on lp.scheme_code = sl.scheme_code
        and lp.loan_app_id = sl.loan_app_id
    left join published_scores as ps
        on ps.publication_id = lp.publication_id
        and ps.uscc = sl.uscc
    left join prior_year_score as prior
        on prior.scheme_code = sl.scheme_code
        and prior.loan_app_id = sl.loan_app_id

)

select * from resolved
