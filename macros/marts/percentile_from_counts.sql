{#-
    marts.percentile_from_counts(values, counts, fraction): the continuous percentile (as
    percentile_cont) of a distribution given as distinct values and how many rows hold each.
    The dashboards' medians read pre-counted marts (fct_score_distribution: enterprises per exact
    total) instead of sorting every enterprise; their metric is
        marts.percentile_from_counts(array_agg(total_points), array_agg(enterprises), 0.5)
    which equals percentile_cont(0.5) within group (order by total_points) over the enterprises.
    Created by on-run-start so every build (and every test that reads it) has it; executable by
    every role that can read the marts.
-#}
{% macro create_percentile_from_counts() %}
create or replace function marts.percentile_from_counts(
    vals numeric[], counts bigint[], fraction double precision
) returns numeric
language sql immutable parallel safe
as $fn$
    with running as (
        select
            val,
            sum(n) over (order by val rows between unbounded preceding and current row) as rows_upto
        from unnest(vals, counts) as u (val, n)
        where val is not null and n > 0
    ),

    position as (
        select (max(rows_upto) - 1) * fraction as at_row
        from running
    ),

    ends as (
        select
            (select min(val) from running where rows_upto > floor(position.at_row)) as low_value,
            (select min(val) from running where rows_upto > ceil(position.at_row)) as high_value,
            position.at_row - floor(position.at_row) as between_share
        from position
    )

    select low_value + (high_value - low_value) * between_share::numeric
    from ends
$fn$;
comment on function marts.percentile_from_counts(numeric[], bigint[], double precision) is
    'Continuous percentile (as percentile_cont) of a distribution given as distinct values and their row counts; dashboards use it for medians over pre-counted marts.';
{% endmacro %}
