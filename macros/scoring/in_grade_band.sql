{#-
    in_grade_band(band, total, max_points, is_vetoed): true when `band` (a row of
    int_scoring__grade_bands) is the grade of an enterprise with this total, maximum and veto flag:
    the veto band when vetoed, else the scored band whose range holds total / max_points, compared
    without dividing (total >= min_share_of_max × max_points).
-#}
{% macro in_grade_band(band, total, max_points, is_vetoed) -%}
(
    ({{ is_vetoed }} and {{ band }}.is_veto_grade)
    or (not {{ is_vetoed }}
        and not {{ band }}.is_veto_grade
        and {{ total }} >= {{ band }}.min_share_of_max * {{ max_points }}
        and ({{ band }}.next_min_share_of_max is null
             or {{ total }} < {{ band }}.next_min_share_of_max * {{ max_points }}))
)
{%- endmacro %}
