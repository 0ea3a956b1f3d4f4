-- Configuration check: every bands-method indicator a scheme weights has at least one band, and
-- band ratios never fall as the value rises.
with indicators as (
    select * from {{ ref('indicators') }}
),

weights as (
    select distinct indicator_code from {{ ref('scheme_weights') }}
),

bands as (
    select *, lag(ratio) over (partition by indicator_code order by min_value) as previous_ratio
    from {{ ref('bands') }}
)

select indicators.indicator_code, 'no bands' as problem
from indicators
inner join weights on weights.indicator_code = indicators.indicator_code
where indicators.method = 'bands'
  and not exists (select 1 from bands where bands.indicator_code = indicators.indicator_code)

union all

select indicator_code, 'ratio falls at ' || min_value as problem
from bands
where ratio < previous_ratio
