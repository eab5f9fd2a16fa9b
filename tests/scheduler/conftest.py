"""Fixtures of the Scheduler tests: a fresh database file and a command handler."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ghela.scheduler.commands import CommandHandler
from ghela.scheduler.config import SchedulerConfig
from ghela.scheduler.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "ghela.db")
    yield store
    store.close()


@pytest.fixture
def config() -> SchedulerConfig:
    return SchedulerConfig()


@pytest.fixture
def handler(store: Store, config: SchedulerConfig) -> CommandHandler:
    return CommandHandler(store, config)
