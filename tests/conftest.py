"""Fixtures every test area shares."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from ghela.core.clock import FrozenClock

from tests.support.moto import MotoServer, use_dummy_aws_credentials

# No test may ever reach a real AWS account.
use_dummy_aws_credentials()


@pytest.fixture(scope="session", autouse=True)
def locator_outside_the_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runtimes started by tests (and their children) record themselves in a scratch locator,
    never in the repo's ``.ghela/running.json`` (see :mod:`ghela.locator`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GHELA_LOCATOR", str(tmp_path_factory.mktemp("locator") / "running.json"))
        yield


@pytest.fixture
def clock() -> FrozenClock:
    """A frozen clock at a Wednesday noon in November 2026 (UTC); tests step it."""
    return FrozenClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """A moto server over HTTP on a free loopback port, for the whole test session.

    AWS clients in tests and in component processes reach it through ``endpoint_url``;
    dummy credentials are set so no real account can be touched.
    """
    with MotoServer() as server:
        yield server
