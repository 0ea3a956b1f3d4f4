-- Coverage of the evaluated enterprises by the policy feed (政策兑现数据覆盖): per scheme, evaluation
-- year and city, how many evaluated enterprises applied for a policy benefit in that year. One model per
-- monitoring feed, so a delivery of policy counts policy only and the loans and consents counts
-- stay as they are (fct_feed_coverage puts the feeds side by side). Counted from the feed's
-- enterprise-years, each one once: a cell with no application has no row here.
with applications as (

    select distinct
        uscc,
        cast(extract(year from applied_date) as integer) as year
    from {{ ref('stg_policy__applications') }}

),

{{ evaluated_enterprises_covered('applications', 'applications.year = coverage.eval_year') }}

select * from counted
