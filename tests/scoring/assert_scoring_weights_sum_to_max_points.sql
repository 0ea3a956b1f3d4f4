-- Configuration check: in every scheme, each stage's weights add up to the scheme's max_points,
-- so an enterprise at the top of every indicator scores exactly max_points (scoring.md, Checks).
with schemes as (
    select * from {{ ref('schemes') }}
),

weights as (
    select scheme_code, stage, sum(weight) as weight_total
    from {{ ref('scheme_weights') }}
    group by scheme_code, stage
)

select schemes.scheme_code, weights.stage, schemes.max_points, weights.weight_total
from schemes
left join weights
    on weights.scheme_code = schemes.scheme_code
where weights.weight_total is null
   or weights.weight_total <> schemes.max_points
