{#- The window's sort leaves the rows in (uscc, scheme_code, eval_year) order, so the key's unique
    index is built from presorted rows: cheaper than the GROUP BY of a primary_key test over every
    score (nationally 16.8 s). -#}
{{ config(
    indexes=[{'columns': ['uscc', 'scheme_code', 'eval_year'], 'unique': true}],
) }}
-- Score periods (积分有效期): each evaluated enterprise's score of a (scheme, evaluation year) with the
-- enterprise's previous and next evaluation years under the scheme, so "the score of its latest
-- evaluation year strictly before year Y" is the one row with eval_year < Y <= next_eval_year
-- (next_eval_year null: up to any later Y). Built with the scores, in one sort of them: the grade a
-- loan carried at application (int_monitoring__loan_grades), rebuilt with every loans delivery,
-- joins these narrow rows without ranking every earlier year of every enterprise again, and the
-- year-on-year grade movement (fct_grade_migration) reads each score's neighbour years here.
with scores as (

    select
        scheme_code,
        uscc,
        eval_year,
        city_code,
        total_points,
        grade
    from {{ ref('fct_enterprise_scores') }}

),

final as (

    select
        scheme_code,
        uscc,
        eval_year,
        lag(eval_year) over by_enterprise as previous_eval_year,
        lag(grade) over by_enterprise as previous_grade,
        lead(eval_year) over by_enterprise as next_eval_year,
        city_code,
        total_points,
        grade
    from scores
    -- uscc first: the sort compares (abbreviated) uscc keys, not a scheme code shared by a third
    -- of the rows
    window by_enterprise as (partition by uscc, scheme_code order by eval_year)

)

select * from final
