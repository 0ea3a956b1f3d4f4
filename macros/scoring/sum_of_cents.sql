{#-
    sum_of_cents(amount): the exact sum of an amount kept in whole cents (points, weights), added as
    integers and given back with scale 2. A numeric sum per group keeps a large state (at one group
    per enterprise nationally, a hash table four times the size); an integer sum does not. Only for
    amounts with at most two decimals: points are rounded to 2 decimals where they are computed, and
    the scheme_weights seed tests its weights so. int4 cents hold amounts up to 21 million.
-#}
{% macro sum_of_cents(amount) -%}
sum(cast({{ amount }} * 100 as integer)) * 0.01
{%- endmacro %}
