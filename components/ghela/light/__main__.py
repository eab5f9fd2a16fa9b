"""Run the AlertLight component: ``python3 -u -m ghela.light``."""

from ghela.core.component import run_component
from ghela.light.config import LightConfig
from ghela.light.service import start

run_component("AlertLight", LightConfig, start)
