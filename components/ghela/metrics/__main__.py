"""Run the Metrics component: ``python3 -u -m ghela.metrics``."""

from ghela.core.component import run_component
from ghela.metrics.config import MetricsConfig
from ghela.metrics.service import start

if __name__ == "__main__":
    run_component("Metrics", MetricsConfig, start)
