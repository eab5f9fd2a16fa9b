"""The Lambda entry points, one per function in ``cloud/template.yaml``."""
