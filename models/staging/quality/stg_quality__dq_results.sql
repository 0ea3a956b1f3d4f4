with source as (

    select * from {{ source('quality', 'dq_results') }}

),

renamed as (

    select
        result_id,
        run_id,
        suite_name,
        area,
        asset_name,
        feed,
        expectation_type,
        check_name,
        column_name,
        description,
        success,
        severity,
        purpose,
        observed_value,
        unexpected_count,
        unexpected_percent,
        element_count,
        exception_message,
        covered_batch_id,
        gx_batch_id,
        run_time
    from source

)

select * from renamed
