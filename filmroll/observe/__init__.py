"""Observability at the bottom of the stack: metrics, the request ID, logs, error reports."""
