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

{{ evaluated_enterprises_covered('first_consents', 'first_consents.first_year <= coverage.eval_year') }}

select * from counted
