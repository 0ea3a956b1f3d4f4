{#-
    The end of a monitoring feed's coverage model (int_quality__<feed>_coverage): the CTEs
    `coverage` (the evaluated enterprises of fct_score_coverage) and `counted` (per scheme,
    evaluation year and city, how many of them the feed covers). `feed_rows` names a CTE with one row
    per enterprise (uscc) and year of the feed, each once; `year_rule` says which evaluation years a
    row covers, e.g. "applications.year = coverage.eval_year". The model ends with
    `select * from counted`; a cell the feed does not cover has no row.
-#}
{% macro evaluated_enterprises_covered(feed_rows, year_rule) %}
coverage as (

    select scheme_code, eval_year, uscc, city_code
    from {{ ref('fct_score_coverage') }}
    where is_evaluated

),

counted as (

    select
        coverage.scheme_code,
        coverage.eval_year,
        coverage.city_code,
        count(*) as enterprises_with_rows
    from coverage
    inner join {{ feed_rows }}
        on {{ feed_rows }}.uscc = coverage.uscc
        and {{ year_rule }}
    group by coverage.scheme_code, coverage.eval_year, coverage.city_code

)
{% endmacro %}
