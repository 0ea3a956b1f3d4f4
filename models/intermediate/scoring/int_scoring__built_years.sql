-- depends_on: {{ ref('int_scoring__enterprise_points') }}
-- Years as built (已构建年度): the input fingerprint of each evaluation year that the incremental
-- scoring models hold now, built after all of them (the depends_on list) in the same build. The next
-- build keeps a year whose int_scoring__year_inputs fingerprint is still this one
-- (macros/scoring/scoring_years.sql). Not built when one of them failed, so the next build computes
-- their changed years again.

select
    eval_year,
    input_fingerprint
from {{ ref('int_scoring__year_inputs') }}
