{#-
    Row-level security of one mart, put on it by dbt in the same transaction that builds it (post-hook
    of every model under models/marts), so no reader ever sees the table without its policies.

    Forced, so the owner (the transformer that builds it) is bound too and reads it through its own
    policy. The audiences (scripts/innopoints/sql/bootstrap/60_access.sql):
      innopoints_read_all   every row (province officers, leadership, analysts; the publisher too);
      innopoints_read_city  rows of the login's city (city_code); reference tables whole;
      innopoints_read_bank  the score tables (var access.bank_enterprise_marts): enterprises whose
                            consent to the login's bank is in force now; tables keyed by bank: that
                            bank's rows (and consenting enterprises where the table names one);
                            reference tables whole; nothing else.
    A reference table is a dimension without a city or enterprise column (indicators, schemes, regions,
    banks and their products). The filter-values tables (var access.open_marts) are read whole by city and bank logins
    alike. Any other table (data quality, import bookkeeping) is read by innopoints_read_all only.
-#}
{% macro apply_access() %}
    {%- set access = var('access') -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- set has_city = 'city_code' in columns -%}
    {%- set has_uscc = 'uscc' in columns -%}
    {%- set has_bank = 'bank_code' in columns -%}
    {%- set is_open = this.identifier in access.open_marts -%}
    {%- set is_reference = this.identifier.startswith('dim_') and not (has_city or has_uscc) -%}
    {%- set consented = "uscc in (select access.my_consented_usccs())" -%}

    {%- if is_open or is_reference -%}
        {%- set city_rule = 'true' -%}
    {%- elif has_city -%}
        {%- set city_rule = 'city_code = access.my_city()' -%}
    {%- else -%}
        {%- set city_rule = none -%}
    {%- endif -%}

    {%- if is_open or is_reference -%}
        {%- set bank_rule = 'true' -%}
    {%- elif this.identifier in access.bank_enterprise_marts -%}
        {%- set bank_rule = consented -%}
    {%- elif has_bank -%}
        {%- set bank_rule = 'bank_code = access.my_bank()' ~ (' and ' ~ consented if has_uscc else '') -%}
    {%- else -%}
        {%- set bank_rule = none -%}
    {%- endif -%}

    alter table {{ this }} enable row level security;
    alter table {{ this }} force row level security;
    drop policy if exists builder on {{ this }}; create policy builder on {{ this }} for all to {{ target.user }} using (true) with check (true);
    drop policy if exists read_all on {{ this }}; create policy read_all on {{ this }} for select to innopoints_read_all, innopoints_publisher using (true);
    {% if city_rule %}drop policy if exists read_city on {{ this }}; create policy read_city on {{ this }} for select to innopoints_read_city using ({{ city_rule }});{% endif %}
    {% if bank_rule %}drop policy if exists read_bank on {{ this }}; create policy read_bank on {{ this }} for select to innopoints_read_bank using ({{ bank_rule }});{% endif %}
    grant select on {{ this }} to innopoints_read_all, innopoints_read_city, innopoints_read_bank
{%- endmacro %}
