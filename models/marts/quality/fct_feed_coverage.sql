-- Per-feed coverage of the evaluated enterprises (各数据源覆盖率): for each scheme, year and city, how
-- many evaluated enterprises have rows in each feed for that year, so gaps in a delivery show up
-- before anyone reads a score built on them. Every feed is listed, one with no rows at all too.
-- The scoring feeds' counts come from int_quality__scoring_feed_coverage, built with the scores; each
-- monitoring feed (loans, policy, consents, delivered monthly or weekly) is counted by a model of its
-- own (int_quality__<feed>_coverage), so a delivery of one feed counts that feed only and this mart
-- only puts the counts side by side. The feed's Chinese name comes from ref_feeds.

with scoring_feeds as (

    select * from {{ ref('int_quality__scoring_feed_coverage') }}

),

loans as (

    select * from {{ ref('int_quality__loans_coverage') }}

),

policy as (

    select * from {{ ref('int_quality__policy_coverage') }}

),

consents as (

    select * from {{ ref('int_quality__consents_coverage') }}

),

feeds as (
    select feed, feed_name_zh from {{ ref('ref_feeds') }}
),

counted as (

    -- every evaluated cell (scheme, year, city) is a row of scoring_feeds; a monitoring feed has no
    -- row for a cell none of whose enterprises it covers
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
        coalesce(loans.enterprises_with_rows, 0) as loans,
        coalesce(policy.enterprises_with_rows, 0) as policy,
        coalesce(consents.enterprises_with_rows, 0) as consents
    from scoring_feeds as s
    left join loans
        on loans.scheme_code = s.scheme_code
        and loans.eval_year = s.eval_year
        and loans.city_code = s.city_code
    left join policy
        on policy.scheme_code = s.scheme_code
        and policy.eval_year = s.eval_year
        and policy.city_code = s.city_code
    left join consents
        on consents.scheme_code = s.scheme_code
        and consents.eval_year = s.eval_year
        and consents.city_code = s.city_code

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
