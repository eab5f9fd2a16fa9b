"""Run the AlertLight component: ``python3 -u -m ghela.light``."""

from ghela.core.component import run_component
from ghela.light.config import LightConfig
from ghela.light.service import start

if __name__ == "__main__":
    run_component("AlertLight", LightConfig, start)
