-- Each scored (non-vetoed) enterprise has exactly one indicator row per indicator its scheme
-- weights for its stage, with that weight.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
    where not is_vetoed
),

weights as (
    select * from {{ ref('scheme_weights') }}
),

indicator_scores as (
    select * from {{ ref('fct_indicator_scores') }}
),

expected as (
    select scores.scheme_code, scores.eval_year, scores.uscc, weights.indicator_code, weights.weight
    from scores
    inner join weights
        on weights.scheme_code = scores.scheme_code
        and weights.stage = scores.stage
)

select
    coalesce(expected.scheme_code, indicator_scores.scheme_code) as scheme_code,
    coalesce(expected.eval_year, indicator_scores.eval_year) as eval_year,
    coalesce(expected.uscc, indicator_scores.uscc) as uscc,
    coalesce(expected.indicator_code, indicator_scores.indicator_code) as indicator_code,
    expected.weight as expected_weight,
    indicator_scores.weight as actual_weight
from expected
full outer join indicator_scores
    on indicator_scores.scheme_code = expected.scheme_code
    and indicator_scores.eval_year = expected.eval_year
    and indicator_scores.uscc = expected.uscc
    and indicator_scores.indicator_code = expected.indicator_code
where expected.uscc is null
   or indicator_scores.uscc is null
   or expected.weight <> indicator_scores.weight
