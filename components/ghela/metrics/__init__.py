"""Metrics: counts what the other components report and pushes it to CloudWatch."""
