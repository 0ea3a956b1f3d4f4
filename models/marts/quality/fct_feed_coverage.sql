-- Per-feed coverage of the evaluated enterprises (各数据源覆盖率): for each scheme, year and city, how
-- many evaluated enterprises have rows in each feed for that year, so gaps in a delivery show up
-- before anyone reads a score built on them. Every feed is listed, one with no rows at all too.
-- The scoring feeds' counts come from int_quality__scoring_feed_coverage, built with the scores; the
-- monitoring feeds (loans, policy, consents, delivered monthly or weekly) are counted here, per
-- scheme, year and city in one pass over the evaluated enterprises: a monitoring delivery
-- rebuilds this mart without reading the scoring feeds. The feed's Chinese name comes from ref_feeds.

with coverage as (

    select scheme_code, eval_year, uscc, city_code
    from {{ ref('fct_score_coverage') }}
    where is_evaluated

),

scoring_feeds as (

    select * from {{ ref('int_quality__scoring_feed_coverage') }}

),

-- applications count in the year they were made
loans as (
    select distinct uscc, cast(extract(year from applied_date) as integer) as year
    from {{ ref('stg_loans__applications') }}
),

policy as (
    select distinct uscc, cast(extract(year from applied_date) as integer) as year
    from {{ ref('stg_policy__applications') }}
),

-- consents: present in Y when the enterprise's first consent is of Y or earlier
consents as (
    select uscc, min(cast(extract(year from granted_date) as integer)) as first_year
    from {{ ref('stg_consents__consents') }}
    group by uscc
),

feeds as (
    select feed, feed_name_zh from {{ ref('ref_feeds') }}
),

monitoring_counted as (

    -- each of loans, policy and consents has one row per (uscc, year) or per uscc: no fan-out
    select
        coverage.scheme_code,
        coverage.eval_year,
        coverage.city_code,
        count(*) filter (where loans.uscc is not null) as loans,
        count(*) filter (where policy.uscc is not null) as policy,
        count(*) filter (where consents.first_year <= coverage.eval_year) as consents
    from coverage
    left join loans
        on loans.uscc = coverage.uscc and loans.year = coverage.eval_year
    left join policy
        on policy.uscc = coverage.uscc and policy.year = coverage.eval_year
    left join consents
        on consents.uscc = coverage.uscc
    group by coverage.scheme_code, coverage.eval_year, coverage.city_code

),

counted as (

    select
        s.scheme_code,
        s.eval_year,
        s.city_code,
        s.city_name_zh,
        s.enterprises_evaluated,
        s.torch,
        s.credit,
        s.tax,
        s.tsme,
        s.hte,
        s.ip,
        s.sci_records,
        m.loans,
        m.policy,
        m.consents
    from scoring_feeds as s
    inner join monitoring_counted as m
        on m.scheme_code = s.scheme_code
        and m.eval_year = s.eval_year
        and m.city_code = s.city_code

),

final as (

    select
        counted.scheme_code,
        counted.eval_year,
        counted.city_code,
        counted.city_name_zh,
        per_feed.feed,
        feeds.feed_name_zh,
        counted.enterprises_evaluated,
        per_feed.enterprises_with_rows,
        round(cast(per_feed.enterprises_with_rows as numeric) / counted.enterprises_evaluated, 4) as coverage_share
    from counted
    cross join lateral (
        values
            ('torch', counted.torch),
            ('credit', counted.credit),
            ('tax', counted.tax),
            ('tsme', counted.tsme),
            ('hte', counted.hte),
            ('ip', counted.ip),
            ('sci_records', counted.sci_records),
            ('loans', counted.loans),
            ('policy', counted.policy),
            ('consents', counted.consents)
    ) as per_feed (feed, enterprises_with_rows)
    left join feeds
        on feeds.feed = per_feed.feed

)

select * from final
