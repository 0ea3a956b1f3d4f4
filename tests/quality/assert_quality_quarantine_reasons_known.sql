-- Every quarantine reason is recognised as one of the importer's categories (ref_quarantine_reasons):
-- a row that only the catch-all 'other' matched means the importer writes a message the seed does not
-- know yet, shown as 其他原因 on the 数据质量 dashboard. A warning: the row is still counted and named.
{{ config(severity='warn') }}

with summary as (

    select * from {{ ref('fct_quarantine_summary') }}

)

select
    batch_id,
    feed,
    reason
from summary
where reason_code = 'other'
