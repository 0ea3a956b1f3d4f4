-- The one-year LPR as periods: each seed row is in force from its month until the next row's month.
with lpr as (

    select
        effective_month,
        lpr_1y_pct
    from {{ ref('lpr_1y') }}

),

dated as (

    select
        to_date(effective_month || '-01', 'YYYY-MM-DD') as effective_from,
        lpr_1y_pct
    from lpr

),

periods as (

    select
        effective_from,
        lead(effective_from) over (order by effective_from) as effective_until,
        lpr_1y_pct
    from dated

)

select * from periods
