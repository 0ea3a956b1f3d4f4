-- Coverage of the evaluated enterprises by the scoring feeds (评分数据源覆盖): for each scheme, year
-- and city, the evaluated enterprises and how many of them have rows in each scoring feed for that
-- year. The scoring half of fct_feed_coverage, built with the scores: a delivery of loans, policy or
-- consents rebuilds that mart, which reads these few rows instead of every scoring feed again.
-- Built per enterprise-year first (one flag per feed), then counted: the feeds are never expanded
-- to one row per enterprise, year and feed.
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
        coalesce(sci_records.first_year <= enterprise_years.eval_year, false) as has_sci_records
    from enterprise_years
    left join torch
        on torch.uscc = enterprise_years.uscc and torch.year = enterprise_years.eval_year
    left join credit
        on credit.uscc = enterprise_years.uscc and credit.year = enterprise_years.eval_year
    left join tax
        on tax.uscc = enterprise_years.uscc and tax.year = enterprise_years.eval_year
    left join tsme
        on tsme.uscc = enterprise_years.uscc and tsme.year = enterprise_years.eval_year
    left join hte
        on hte.uscc = enterprise_years.uscc
    left join ip
        on ip.uscc = enterprise_years.uscc
    left join sci_records
        on sci_records.uscc = enterprise_years.uscc

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
        count(*) filter (where flags.has_sci_records) as sci_records
    from coverage
    inner join flags
        on flags.uscc = coverage.uscc
        and flags.eval_year = coverage.eval_year
    group by coverage.scheme_code, coverage.eval_year, coverage.city_code, coverage.city_name_zh

)

select * from counted
