"""Apache Superset as code: environment, setup, serve, asset bundle, roles and RLS, benchmark."""
