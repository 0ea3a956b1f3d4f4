{#-
    exact_ratio(numerator, denominator, places): numerator / denominator in exact decimal
    arithmetic, rounded half away from zero to `places` decimals (PostgreSQL round(numeric) rounds
    half away from zero). The numerator is first given 30 decimal places so the quotient carries
    30 decimals whatever the operands' magnitude (numeric division otherwise keeps only about 16
    significant digits), which is far more than any rounding at 6 places can be disturbed by.
    A zero or null denominator gives null.
-#}
{% macro exact_ratio(numerator, denominator, places) -%}
round(round(cast({{ numerator }} as numeric), 30) / nullif(cast({{ denominator }} as numeric), 0), {{ places }})
{%- endmacro %}
