-- Inputs of the scoring by evaluation year (评价年度输入指纹): one row per evaluation year with a
-- fingerprint of everything the scoring reads for that year up to fct_indicator_scores (and so
-- int_scoring__enterprise_points, incremental, which aggregates it): the evaluated enterprises with
-- their stages and vetoes, their source values, the scheme-years, and the scheme indicators,
-- weights and bands (the same for every year). A year whose fingerprint equals the one in
-- int_scoring__built_years is not computed again (macros/scoring/scoring_years.sql).
-- Order-independent: a sum of row hashes per part (sum of bigint: exact, in 128-bit integers). evaluated_id is left out: it numbers the rows of
-- all years in one sequence, so a new year would renumber the others without changing them.
{%- set evaluated_columns = [] -%}
{%- if execute -%}
    {%- for c in adapter.get_columns_in_relation(ref('int_scoring__evaluated')) if c.name != 'evaluated_id' -%}
        {%- do evaluated_columns.append(c.name) -%}
    {%- endfor -%}
{%- endif %}

with evaluated as (

    select
        eval_year,
        hash_record_extended(row({{ evaluated_columns | join(', ') if evaluated_columns else 'uscc' }}), 0) as row_hash
    from {{ ref('int_scoring__evaluated') }}

),

source_values as (

    select
        source_values.eval_year,
        hash_record_extended(source_values, 0) as row_hash
    from {{ ref('int_scoring__source_values') }} as source_values

),

scheme_years as (

    select
        scheme_years.eval_year,
        hash_record_extended(scheme_years, 0) as row_hash
    from {{ ref('int_scoring__scheme_years') }} as scheme_years

),

-- the same for every year: what a scheme weights and how
rules as (

    select hash_record_extended(scheme_indicators, 0) as row_hash
    from {{ ref('int_scoring__scheme_indicators') }} as scheme_indicators
    union all
    select hash_record_extended(scheme_weights, 0)
    from {{ ref('scheme_weights') }} as scheme_weights
    union all
    select hash_record_extended(bands, 0)
    from {{ ref('bands') }} as bands

),

parts as (

    select eval_year, 'evaluated' as part, count(*) as n_rows, sum(row_hash) as hash_sum
    from evaluated
    group by eval_year
    union all
    select eval_year, 'source_values', count(*), sum(row_hash)
    from source_values
    group by eval_year
    union all
    select eval_year, 'scheme_years', count(*), sum(row_hash)
    from scheme_years
    group by eval_year

),

rules_summary as (

    select count(*) as n_rows, coalesce(sum(row_hash), 0) as hash_sum
    from rules

),

final as (

    select
        parts.eval_year,
        md5(
            string_agg(parts.part || ':' || parts.n_rows || ':' || parts.hash_sum, '|' order by parts.part)
            || '|rules:' || min(rules_summary.n_rows) || ':' || min(rules_summary.hash_sum)
        ) as input_fingerprint
    from parts
    cross join rules_summary
    group by parts.eval_year

)

select * from final
