"""The sender's input is hostile like any other: whatever a schedule's Input or an invoke
payload holds, it decodes to a notification or to a rejection naming the field, never
an exception (a raise would make Lambda and the Scheduler retry it for an hour)."""

from __future__ import annotations

from typing import Any

from ghela_cloud.notify.messages import Notification, decode_notification
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.hostile import json_text, raw_bodies, with_hostile_field

VALID: dict[str, Any] = {
    "kind": "alert",
    "device": "ghela-office-pi",
    "event_id": 12,
    "alert_id": 31,
    "revision": 5,
    "starts_at": "2026-12-20T13:30:00+00:00",
}


def test_a_valid_notification_decodes_as_object_and_as_text() -> None:
    notice = decode_notification(VALID)
    assert isinstance(notice, Notification) and decode_notification(json_text(VALID)) == notice


@settings(max_examples=200, deadline=None)
@given(case=with_hostile_field(VALID))
def test_a_hostile_field_is_refused_naming_it(case: tuple[dict[str, Any], str, Any]) -> None:
    payload, field, _ = case  # as Lambda hands the sender an invoke's or a schedule's JSON
    result = decode_notification(payload)
    if isinstance(result, str):
        assert result.startswith((field, "(notification)")), (field, result)


@settings(max_examples=100, deadline=None)
@given(raw=st.one_of(raw_bodies(), st.none(), st.integers(), st.lists(st.integers(), max_size=3)))
def test_anything_else_is_refused(raw: Any) -> None:
    assert isinstance(decode_notification(raw), str)


def test_an_alert_without_its_start_and_a_late_change_with_one_are_refused() -> None:
    assert decode_notification({**VALID, "starts_at": None}) == (
        "(notification): Value error, an alert notification has alert_id and starts_at; a late change neither"
    )
    late = {**VALID, "kind": "late-change"}
    assert isinstance(decode_notification(late), str)
    assert isinstance(
        decode_notification({k: v for k, v in late.items() if k not in ("alert_id", "starts_at")}),
        Notification,
    )
