"""GET /device's component reports (what CloudSync copies from each component's own
ComponentHealth, ghela.core.selfreport): state and restarts per component, and a stored row
that is hostile never breaks the answer or hides the readable reports beside it (through
the handler: tests/cloud/test_handlers.py)."""

from __future__ import annotations

import json
from typing import Any

from ghela.core.decoding import read_json
from ghela.core.errors import InvalidInput
from ghela_cloud.api.routes.device import _components
from hypothesis import HealthCheck, given, settings

from tests.support import hostile

VALID = {
    "component": "Scheduler",
    "state": "RUNNING",
    "starts": 3,
    "started_at": "2026-11-25T11:00:00+00:00",
    "at": "2026-11-25T11:30:00+00:00",
}


def _object_text(entry: dict[str, Any]) -> str:
    """``entry`` as a JSON object, each value written as hostile.json_text writes it."""
    fields = (f"{json.dumps(key)}:{hostile.json_text(value)}" for key, value in entry.items())
    return "{" + ",".join(fields) + "}"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(hostile.with_hostile_field(VALID))
def test_a_hostile_report_is_left_out_and_the_readable_one_beside_it_still_shows(
    case: tuple[dict[str, Any], str, Any],
) -> None:
    entry, _, _ = case
    good = {**VALID, "component": "CloudSync"}
    text = f"[{_object_text(entry)},{json.dumps(good)}]"
    reports = _components(text)
    try:
        read_json(text, "text")
    except InvalidInput:  # not JSON at all (NaN, a 5000-digit number): nothing can be read
        assert reports == []
        return
    assert reports[-1].component == "CloudSync" and reports[-1].restarts == 2
    assert len(reports) in (1, 2)


def test_a_stored_list_that_is_not_a_list_of_reports_reads_as_none() -> None:
    for text in ("[" * 5000, "NaN", '{"a": 1}', "9" * 5000, "\ud800", json.dumps([VALID] * 1000)[:-1]):
        assert _components(text) == []
    assert len(_components(json.dumps([VALID] * 1000))) == 20  # more than a device has: cut
