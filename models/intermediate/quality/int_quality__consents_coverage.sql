-- Coverage of the evaluated enterprises by the consents feed (企业授权数据覆盖): per scheme,
-- evaluation year and city, how many evaluated enterprises had given a consent by the end of that
-- year (their first consent is of that year or earlier). One model per monitoring feed, so a
-- delivery of consents counts consents only (fct_feed_coverage puts the feeds side by side). A cell
-- where no enterprise had consented has no row here.
with first_consents as (

    select
        uscc,
        min(cast(extract(year from granted_date) as integer)) as first_year
    from {{ ref('stg_consents__consents') }}
    group by uscc

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
    inner join first_consents
        on first_consents.uscc = coverage.uscc
        and first_consents.first_year <= coverage.eval_year
    group by coverage.scheme_code, coverage.eval_year, coverage.city_code

)

select * from counted
