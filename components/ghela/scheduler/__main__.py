"""``python3 -u -m ghela.scheduler``: the Scheduler component process."""

from ghela.core.component import run_component
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.service import start

if __name__ == "__main__":
    run_component("Scheduler", SchedulerConfig, start)
