-- Coverage of the evaluated enterprises by the loans feed (贷款数据覆盖): per scheme, evaluation
-- year and city, how many evaluated enterprises applied for a loan in that year. One model per
-- monitoring feed, so a delivery of loans counts loans only and the policy and consents counts
-- stay as they are (fct_feed_coverage puts the feeds side by side). Counted from the feed's
-- enterprise-years, each one once: a cell with no application has no row here.
with applications as (

    select distinct
        uscc,
        cast(extract(year from applied_date) as integer) as year
    from {{ ref('stg_loans__applications') }}

),

{{ evaluated_enterprises_covered('applications', 'applications.year = coverage.eval_year') }}

select * from counted
