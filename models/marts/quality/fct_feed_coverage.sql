-- Per-feed coverage of the evaluated enterprises (各数据源覆盖率): for each scheme, year and city, how
-- many evaluated enterprises have rows in each feed for that year, so gaps in a delivery show up
-- before anyone reads a score built on them. Every feed is listed, one with no rows at all too.
-- Built per enterprise-year first (one flag per feed), then counted: the feeds are never expanded
-- to one row per enterprise, year and feed. The feed's Chinese name comes from ref_feeds.

with coverage as (

    select scheme_code, eval_year, uscc, city_code, city_name_zh
    from {{ ref('fct_score_coverage') }}
    where is_evaluated

),

enterprise_years as (

    select distinct uscc, eval_year
    from coverage

),

-- year-bound feeds: one row per (uscc, year) already (their primary key)
torch as (
    select uscc, year from {{ ref('int_feeds__torch') }}
),

credit as (
    select uscc, year from {{ ref('int_feeds__credit') }}
),

tax as (
    select uscc, year from {{ ref('int_feeds__tax') }}
),

tsme as (
    select uscc, year from {{ ref('int_feeds__tsme') }}
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

-- feeds without a year of their own: present in Y when a row is known by the end of Y, that is
-- when the enterprise's first row is of Y or earlier
hte as (
    select uscc, min(cast(extract(year from certified_date) as integer)) as first_year
    from {{ ref('int_feeds__hte') }}
    group by uscc
),

ip as (
    select uscc, min(cast(extract(year from application_date) as integer)) as first_year
    from {{ ref('int_feeds__ip') }}
    group by uscc
),

sci_records as (
    select uscc, min(year) as first_year
    from {{ ref('int_feeds__sci_records') }}
    group by uscc
),

consents as (
    select uscc, min(cast(extract(year from granted_date) as integer)) as first_year
    from {{ ref('stg_consents__consents') }}
    group by uscc
),

feeds as (
    select feed, feed_name_zh from {{ ref('ref_feeds') }}
),

flags as (

    select
        enterprise_years.uscc,
        enterprise_years.eval_year,
        torch.uscc is not null as has_torch,
        credit.uscc is not null as has_credit,
        tax.uscc is not null as has_tax,
        tsme.uscc is not null as has_tsme,
        coalesce(hte.first_year <= enterprise_years.eval_year, false) as has_hte,
        coalesce(ip.first_year <= enterprise_years.eval_year, false) as has_ip,
        coalesce(sci_records.first_year <= enterprise_years.eval_year, false) as has_sci_records,
        loans.uscc is not null as has_loans,
        policy.uscc is not null as has_policy,
        coalesce(consents.first_year <= enterprise_years.eval_year, false) as has_consents
    from enterprise_years
    left join torch
        on torch.uscc = enterprise_years.uscc and torch.year = enterprise_years.eval_year
    left join credit
        on credit.uscc = enterprise_years.uscc and credit.year = enterprise_years.eval_year
    left join tax
        on tax.uscc = enterprise_years.uscc and tax.year = enterprise_years.eval_year
    left join tsme
        on tsme.uscc = enterprise_years.uscc and tsme.year = enterprise_years.eval_year
    left join loans
        on loans.uscc = enterprise_years.uscc and loans.year = enterprise_years.eval_year
    left join policy
        on policy.uscc = enterprise_years.uscc and policy.year = enterprise_years.eval_year
    left join hte
        on hte.uscc = enterprise_years.uscc
    left join ip
        on ip.uscc = enterprise_years.uscc
    left join sci_records
        on sci_records.uscc = enterprise_years.uscc
    left join consents
        on consents.uscc = enterprise_years.uscc

),

counted as (

    select
        coverage.scheme_code,
        coverage.eval_year,
        coverage.city_code,
        coverage.city_name_zh,
        count(*) as enterprises_evaluated,
        count(*) filter (where flags.has_torch) as torch,
        count(*) filter (where flags.has_credit) as credit,
        count(*) filter (where flags.has_tax) as tax,
        count(*) filter (where flags.has_tsme) as tsme,
        count(*) filter (where flags.has_hte) as hte,
        count(*) filter (where flags.has_ip) as ip,
        count(*) filter (where flags.has_sci_records) as sci_records,
        count(*) filter (where flags.has_loans) as loans,
        count(*) filter (where flags.has_policy) as policy,
        count(*) filter (where flags.has_consents) as consents
    from coverage
    inner join flags
        on flags.uscc = coverage.uscc
        and flags.eval_year = coverage.eval_year
    group by coverage.scheme_code, coverage.eval_year, coverage.city_code, coverage.city_name_zh

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
