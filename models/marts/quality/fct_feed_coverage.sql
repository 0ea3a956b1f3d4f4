-- Per-feed coverage of the evaluated enterprises (各数据源覆盖率): for each scheme, year and city, how
-- many evaluated enterprises have rows in each feed for that year, so gaps in a delivery show up
-- before anyone reads a score built on them.

with coverage as (

    select scheme_code, eval_year, uscc, city_code, city_name_zh
    from {{ ref('fct_score_coverage') }}
    where is_evaluated

),

torch as (
    select distinct uscc, year as eval_year, 'torch' as feed from {{ ref('stg_torch__statistics') }}
),

credit as (
    select distinct uscc, year as eval_year, 'credit' as feed from {{ ref('stg_credit__records') }}
),

tax as (
    select distinct uscc, year as eval_year, 'tax' as feed from {{ ref('stg_tax__records') }}
),

tsme as (
    select distinct uscc, year as eval_year, 'tsme' as feed from {{ ref('stg_tsme__registrations') }}
),

years as (
    select distinct eval_year from coverage
),

-- feeds without a year of their own: present in Y when a row is known by the end of Y
hte as (
    select distinct h.uscc, y.eval_year, 'hte' as feed
    from {{ ref('stg_hte__certificates') }} as h
    inner join years as y on extract(year from h.certified_date) <= y.eval_year
),

ip as (
    select distinct i.uscc, y.eval_year, 'ip' as feed
    from {{ ref('stg_ip__rights') }} as i
    inner join years as y on extract(year from i.application_date) <= y.eval_year
),

sci_records as (
    select distinct s.uscc, y.eval_year, 'sci_records' as feed
    from {{ ref('stg_sci_records__records') }} as s
    inner join years as y on s.year <= y.eval_year
),

loans as (
    select distinct uscc, extract(year from applied_date)::integer as eval_year, 'loans' as feed
    from {{ ref('stg_loans__applications') }}
),

policy as (
    select distinct uscc, extract(year from applied_date)::integer as eval_year, 'policy' as feed
    from {{ ref('stg_policy__applications') }}
),

consents as (
    select distinct c.uscc, y.eval_year, 'consents' as feed
    from {{ ref('stg_consents__consents') }} as c
    inner join years as y on extract(year from c.granted_date) <= y.eval_year
),

presence as (
    select * from torch
    union all select * from credit
    union all select * from tax
    union all select * from tsme
    union all select * from hte
    union all select * from ip
    union all select * from sci_records
    union all select * from loans
    union all select * from policy
    union all select * from consents
),

feeds as (
    select distinct feed from presence
),

grid as (
    select
        c.scheme_code,
        c.eval_year,
        c.city_code,
        c.city_name_zh,
        f.feed,
        c.uscc
    from coverage as c
    cross join feeds as f
),

final as (

    select
        g.scheme_code,
        g.eval_year,
        g.city_code,
        g.city_name_zh,
        g.feed,
        count(*) as enterprises_evaluated,
        count(p.uscc) as enterprises_with_rows,
        round(count(p.uscc)::numeric / count(*), 4) as coverage_share
    from grid as g
    left join presence as p
        on p.uscc = g.uscc
        and p.eval_year = g.eval_year
        and p.feed = g.feed
    group by g.scheme_code, g.eval_year, g.city_code, g.city_name_zh, g.feed

)

select * from final
