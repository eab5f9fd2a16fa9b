"""``python3 -u -m ghela.cloudsync``: the CloudSync component process."""

from ghela.cloudsync.config import CloudSyncConfig
from ghela.cloudsync.service import start
from ghela.core.component import run_component

run_component("CloudSync", CloudSyncConfig, start)
