"""innopoints: warehouse, scoring and dashboards for the enterprise innovation points programme."""

__version__ = "0.1.0"
