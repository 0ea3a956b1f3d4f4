{#-
    The value_source codes that int_scoring__source_values derives (one column each). An indicator
    row in the indicators seed names one of these; adding a derivation means a column there and a
    name here.
-#}
{% macro scoring_value_sources() -%}
{{ return([
    'torch_rd_expense', 'torch_rd_intensity', 'torch_rd_staff', 'torch_rd_staff_share',
    'ip_valid_invention_patents', 'ip_granted_3y', 'torch_tech_contract_amount',
    'torch_hitech_revenue_share', 'sci_standards_3y', 'torch_revenue', 'torch_revenue_growth',
    'torch_net_profit_margin', 'torch_rd_expense_growth', 'torch_equity_financing_3y',
    'tax_taxes_paid', 'sci_projects_prov_plus_3y', 'sci_platforms_prov_plus_in_force',
    'tech_qualification_code', 'sci_cooperation_3y', 'torch_tech_contract_absorbed_local',
    'sci_transformation_3y', 'sci_ladder_top_tier', 'sci_digital_prov_plus_in_force',
    'sci_first_set_3y', 'sci_talents_in_force', 'tax_rd_super_deduction',
    'ip_pct_applications_3y', 'credit_no_admin_penalty_flag'
]) }}
{%- endmacro %}
