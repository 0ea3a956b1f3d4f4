"""The data-quality gate (数据质量门禁): Great Expectations suites kept as code, the `validate` step
that runs them with dbt source freshness, and the record of every run in audit.dq_runs/dq_results.

Nothing is published unless the latest validation passed on exactly the data being published.
"""
