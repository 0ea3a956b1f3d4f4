-- Enterprise dimension (企业维度), SCD2: one row per version of an enterprise's registered
-- attributes from the registry snapshot. The legal representative is masked (张** : the first
-- character only) because reporting roles read this table.

with snapshot as (

    select * from {{ ref('snap_registry__enterprises') }}

),

regions as (

    select * from {{ ref('regions') }}

),

industry_sections as (

    select * from {{ ref('industry_sections') }}

),

final as (

    select
        md5(snapshot.uscc || '|' || cast(snapshot.dbt_valid_from as text)) as enterprise_version_key,
        snapshot.uscc,
        snapshot.name as enterprise_name,
        case
            when snapshot.legal_rep is null or btrim(snapshot.legal_rep) = '' then null
            else left(btrim(snapshot.legal_rep), 1) || '**'
        end as legal_rep_masked,
        snapshot.established_date,
        snapshot.deregistered_date,
        snapshot.city_code,
        regions.region_name_zh as city_name_zh,
        snapshot.industry_code,
        upper(left(snapshot.industry_code, 1)) as industry_section,
        industry_sections.section_name_zh as industry_section_name_zh,
        snapshot.registered_capital,
        snapshot.dbt_valid_from as valid_from,
        snapshot.dbt_valid_to as valid_to,
        snapshot.dbt_valid_to is null as is_current
    from snapshot
    left join regions
        on regions.region_code = snapshot.city_code
    left join industry_sections
        on industry_sections.section_code = upper(left(snapshot.industry_code, 1))

)

select * from final
