-- ref_risk_pool_rules repeats pool_size_yuan on every loan-type row of a pool: the copies must agree,
-- or the pool's size is ambiguous. Returns the pools whose rows disagree.
select
    pool_code,
    count(distinct pool_size_yuan) as sizes
from {{ ref('ref_risk_pool_rules') }}
group by pool_code
having count(distinct pool_size_yuan) > 1
