"""The fault-injection campaign (see :mod:`tests.chaos.campaign`), asserted as a user would.

Quick by default (one alert, its kills, one cloud cut: about two minutes, part of
``./dev test``). Longer on demand: ``GHELA_CHAOS_KILLS=120 ./dev test tests/chaos -s``
keeps going, alert after alert, until 120 kills were made; ``GHELA_CHAOS_SEED`` replays
a campaign's random choices. The figures are printed either way.
"""

from __future__ import annotations

import os

import pytest

from tests.chaos.campaign import GRACE, Campaign

KILLS = int(os.environ.get("GHELA_CHAOS_KILLS", "12"))
SEED = int(os.environ["GHELA_CHAOS_SEED"]) if os.environ.get("GHELA_CHAOS_SEED") else None

pytestmark = [pytest.mark.runtime, pytest.mark.moto, pytest.mark.timeout(300 + KILLS * 8)]


def test_every_fault_heals_to_the_right_light_and_nothing_is_counted_twice_or_lost(
    tmp_path, capsys: pytest.CaptureFixture
) -> None:
    campaign = Campaign(tmp_path, kills=KILLS, seed=SEED)
    figures = campaign.run()
    with capsys.disabled():
        print(f"\nchaos: seed {campaign.seed} (GHELA_CHAOS_SEED={campaign.seed} replays it)")
        print(figures.report())
    assert not getattr(campaign, "failure", None), f"a campaign thread failed: {campaign.failure!r}"
    assert figures.total_kills >= min(KILLS, 10)
    assert figures.lost == [] and figures.doubled == [], (figures.lost, figures.doubled)
    assert figures.jobs_unfinished == []
    assert figures.worst_light_wrong <= GRACE, figures.light_wrong
    assert figures.unexpected_restarts == {}
    assert figures.runtime_thread_deaths == []
    assert figures.orphans == []
    assert (figures.counts_lost, figures.counts_doubled) == (0, 0)
