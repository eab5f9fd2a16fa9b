"""The cloud side on one machine: moto provisioning, JWT checks, the local API server."""
