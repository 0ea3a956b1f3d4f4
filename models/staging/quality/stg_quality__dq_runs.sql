with source as (

    select * from {{ source('quality', 'dq_runs') }}

),

renamed as (

    select
        run_id,
        started_at,
        finished_at,
        success,
        gx_success,
        freshness_success,
        scoring_success,
        monitoring_success,
        n_warnings,
        n_checks,
        n_failed,
        covered_batches,
        max_batch_id,
        marts_fingerprint,
        code_version,
        run_by
    from source

)

select * from renamed
