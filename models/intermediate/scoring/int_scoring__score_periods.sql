-- Score periods (积分有效期): each evaluated enterprise's score of a (scheme, evaluation year) with the
-- enterprise's next evaluation year under the scheme, so "the score of its latest evaluation year
-- strictly before year Y" is the one row with eval_year < Y <= next_eval_year (next_eval_year null:
-- up to any later Y). Built with the scores: the grade a loan carried at application
-- (int_monitoring__loan_grades), rebuilt with every loans delivery, joins these narrow rows without
-- ranking every earlier year of every enterprise again.
with scores as (

    select
        scheme_code,
        uscc,
        eval_year,
        total_points,
        grade
    from {{ ref('fct_enterprise_scores') }}

),

final as (

    select
        scheme_code,
        uscc,
        eval_year,
        lead(eval_year) over (partition by scheme_code, uscc order by eval_year) as next_eval_year,
        total_points,
        grade
    from scores

)

select * from final
