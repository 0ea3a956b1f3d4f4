-- Coverage of the evaluated enterprises by the policy feed (政策兑现数据覆盖): per scheme, evaluation
-- year and city, how many evaluated enterprises applied for a policy benefit in that year. One model per
-- monitoring feed, so a delivery of policy counts policy only and the loans and consents counts
-- stay as they are (fct_feed_coverage puts the feeds side by side). Counted from the feed's
-- enterprise-years, each one once: a cell with no application has no row here.
with applications as (

    select distinct
        uscc,
        cast(extract(year from applied_date) as integer) as eval_year
    from {{ ref('stg_policy__applications') }}

),

coverage as (

    select scheme_code, eval_year, uscc, city_code
    from {{ ref('fct_score_coverage') }}
    where is_evaluated

),

counted as (

    select
        coverage.scheme_code,
        coverage.eval_year,
        coverage.city_code,
        count(*) as enterprises_with_rows
    from coverage
    inner join applications
        on applications.uscc = coverage.uscc
        and applications.eval_year = coverage.eval_year
    group by coverage.scheme_code, coverage.eval_year, coverage.city_code

)

select * from counted
