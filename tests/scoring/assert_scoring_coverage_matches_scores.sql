-- Every evaluated row of the coverage has a score and every score is an evaluated coverage row.
with coverage as (
    select * from {{ ref('fct_score_coverage') }}
    where is_evaluated
),

scores as (
    select * from {{ ref('fct_enterprise_scores') }}
)

select coalesce(coverage.scheme_code, scores.scheme_code) as scheme_code,
       coalesce(coverage.eval_year, scores.eval_year) as eval_year,
       coalesce(coverage.uscc, scores.uscc) as uscc,
       coverage.uscc is not null as in_coverage,
       scores.uscc is not null as in_scores
from coverage
full outer join scores
    on scores.scheme_code = coverage.scheme_code
    and scores.eval_year = coverage.eval_year
    and scores.uscc = coverage.uscc
where coverage.uscc is null or scores.uscc is null
