"""Stream records are hostile input: the planner's decoder rejects, naming the field, and
never raises (a raise would stop the shard until the record expires)."""

from __future__ import annotations

from typing import Any

from ghela_cloud.notify.stream import EventChange, Rejected, decode_record
from hypothesis import given, settings
from hypothesis import strategies as st

_attribute = st.recursive(
    st.fixed_dictionaries({"S": st.text(max_size=20)})
    | st.fixed_dictionaries(
        {"N": st.text(max_size=30) | st.sampled_from(["1e999999", "9" * 400, "-0", "NaN"])}
    )
    | st.fixed_dictionaries({"BOOL": st.booleans() | st.integers()})
    | st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
    lambda inner: (
        st.fixed_dictionaries({"L": st.lists(inner, max_size=3)})
        | st.fixed_dictionaries({"M": st.dictionaries(st.text(max_size=8), inner, max_size=3)})
    ),
    max_leaves=15,
)
_image = st.dictionaries(
    st.sampled_from(["event_id", "kind", "key", "title", "start", "state", "revision", "alerts", "x"]),
    _attribute,
    max_size=8,
)


def _keys(device: Any = "pi", sk: Any = "event#0000000012") -> dict[str, Any]:
    return {"device": {"S": device}, "sk": {"S": sk}}


@settings(max_examples=300, deadline=None)
@given(
    record=st.one_of(
        st.none(),
        st.text(max_size=5),
        st.fixed_dictionaries(
            {
                "dynamodb": st.fixed_dictionaries(
                    {"Keys": st.just(_keys())},
                    optional={"NewImage": _image, "OldImage": _image | st.text(max_size=3)},
                )
            }
        ),
        st.fixed_dictionaries({"dynamodb": st.dictionaries(st.text(max_size=8), _attribute, max_size=3)}),
    )
)
def test_any_record_is_decoded_or_rejected_with_a_field(record: Any) -> None:
    result = decode_record(record)
    assert result is None or isinstance(result, EventChange | Rejected)
    if isinstance(result, Rejected):
        assert result.field and result.reason


def test_a_deeply_nested_image_is_rejected() -> None:
    deep: dict[str, Any] = {"S": "x"}
    for _ in range(5000):
        deep = {"L": [deep]}
    result = decode_record({"dynamodb": {"Keys": _keys(), "NewImage": {"alerts": deep}}})
    assert isinstance(result, Rejected) and result.field.startswith("dynamodb.NewImage")


def test_a_number_too_big_for_an_id_names_the_field() -> None:
    image = {
        "event_id": {"N": "9" * 300},
        "kind": {"S": "game"},
        "key": {"S": "k"},
        "title": {"S": "t"},
        "state": {"S": "scheduled"},
        "revision": {"N": "1"},
    }
    result = decode_record({"dynamodb": {"Keys": _keys(), "NewImage": image}})
    assert isinstance(result, Rejected) and result.field == "dynamodb.NewImage.event_id"


def test_the_status_item_is_not_an_event() -> None:
    assert decode_record({"dynamodb": {"Keys": _keys(sk="status"), "NewImage": {}}}) is None
