-- fct_policy_yearly follows one cohort of applications: on every row paid <= approved <= received,
-- the backlog is exactly the approved not paid, and its parts (on time, overdue) fit in their
-- wholes. Returns the rows that break it.
with yearly as (

    select * from {{ ref('fct_policy_yearly') }}

)

select *
from yearly
where not (
    applications_disbursed <= applications_approved
    and applications_approved <= applications_received
    and backlog = applications_approved - applications_disbursed
    and disbursed_on_time <= applications_disbursed
    and backlog_overdue <= backlog
    and backlog_amount <= amount_approved
)
