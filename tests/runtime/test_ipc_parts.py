"""The IPC server's parts on their own: authorization, configuration store, pub/sub, IoT Core."""

from __future__ import annotations

import pytest
from ghela.core.bus import topic_matches
from ghela_tools.runtime.authz import MQTTPROXY, PUBSUB, authorize, resource_covers
from ghela_tools.runtime.configstore import ConfigStore, changed_paths
from ghela_tools.runtime.iotcore import LocalIotCore
from ghela_tools.runtime.ipcerrors import ResourceNotFoundError, UnauthorizedError
from ghela_tools.runtime.ipcserver import IpcServer
from ghela_tools.runtime.pubsub import LocalPubSub, PubSubMessage

PUBLISH = "aws.greengrass#PublishToTopic"
SUBSCRIBE = "aws.greengrass#SubscribeToTopic"
IOT_PUBLISH = "aws.greengrass#PublishToIoTCore"
IOT_SUBSCRIBE = "aws.greengrass#SubscribeToIoTCore"


def access(service: str, operations: list[str], resources: list[str]) -> dict:
    return {service: {"p:1": {"policyDescription": "test", "operations": operations, "resources": resources}}}


# --------------------------------------------------------------------------- authorization


@pytest.mark.parametrize(
    ("service", "allowed", "requested", "expected"),
    [
        (PUBSUB, "ghela/light/set", "ghela/light/set", True),
        (PUBSUB, "ghela/light/set", "ghela/light/state", False),
        (PUBSUB, "*", "anything/at/all", True),
        (PUBSUB, "ghela/*", "ghela/light/set", True),
        (PUBSUB, "ghela/*/set", "ghela/light/set", True),
        (PUBSUB, "ghela/*/set", "ghela/light/state", False),
        (PUBSUB, "ghela/#", "ghela/light/set", False),  # MQTT wildcards are literal for pubsub
        (PUBSUB, "ghela/#", "ghela/#", True),
        (MQTTPROXY, "$aws/things/pi/jobs/#", "$aws/things/pi/jobs/notify-next", True),
        (MQTTPROXY, "$aws/things/pi/jobs/#", "$aws/things/pi/jobs", True),
        (MQTTPROXY, "$aws/things/pi/jobs/#", "$aws/things/other/jobs/notify-next", False),
        (MQTTPROXY, "$aws/things/+/jobs/notify-next", "$aws/things/pi/jobs/notify-next", True),
        (MQTTPROXY, "$aws/things/+/jobs/notify-next", "$aws/things/+/jobs/notify-next", True),
        (MQTTPROXY, "$aws/things/pi/jobs/+", "$aws/things/pi/jobs/#", False),
        (MQTTPROXY, "a/+", "a/b/c", False),
        (MQTTPROXY, "a/*", "a/b/c", True),
    ],
)
def test_resource_matching(service: str, allowed: str, requested: str, expected: bool) -> None:
    assert resource_covers(service, allowed, requested) is expected


def test_filter_covers_is_about_every_topic_the_request_can_match() -> None:
    assert topic_matches("#", "a/#")
    assert topic_matches("a/#", "a/+/c")
    assert not topic_matches("a/+/c", "a/#")
    assert not topic_matches("a/b", "a/b/c")


def test_an_allowed_call_returns_and_a_refused_one_names_principal_operation_and_resource() -> None:
    policy = access(PUBSUB, [PUBLISH], ["ghela/light/set"])
    authorize("com.x.Scheduler", policy, PUBLISH, "ghela/light/set")

    with pytest.raises(UnauthorizedError) as refused:
        authorize("com.x.Scheduler", policy, SUBSCRIBE, "ghela/light/set")
    assert str(refused.value) == (
        "Principal com.x.Scheduler is not authorized to perform "
        "aws.greengrass.ipc.pubsub:aws.greengrass#SubscribeToTopic on resource ghela/light/set"
    )


def test_policies_of_one_service_do_not_authorize_another() -> None:
    policy = access(PUBSUB, ["*"], ["*"])
    authorize("c", policy, SUBSCRIBE, "x")
    with pytest.raises(UnauthorizedError):
        authorize("c", policy, IOT_SUBSCRIBE, "x")


def test_no_or_broken_access_control_refuses_everything() -> None:
    for broken in (None, {}, {PUBSUB: "nope"}, {PUBSUB: {"p": {"operations": "*", "resources": ["*"]}}}):
        with pytest.raises(UnauthorizedError):
            authorize("c", broken, PUBLISH, "t")


def test_any_of_several_policies_may_allow() -> None:
    policy = {
        MQTTPROXY: {
            "sub": {"operations": [IOT_SUBSCRIBE], "resources": ["$aws/things/pi/jobs/notify-next"]},
            "pub": {"operations": [IOT_PUBLISH], "resources": ["$aws/things/pi/jobs/+/update"]},
        }
    }
    authorize("c", policy, IOT_PUBLISH, "$aws/things/pi/jobs/j1/update")
    authorize("c", policy, IOT_SUBSCRIBE, "$aws/things/pi/jobs/notify-next")
    with pytest.raises(UnauthorizedError):
        authorize("c", policy, IOT_PUBLISH, "$aws/things/pi/jobs/notify-next")


# --------------------------------------------------------------------------- configuration store


def test_changed_paths_finds_leaves_and_replaced_branches() -> None:
    old = {"a": {"b": 1, "c": 2}, "d": [1], "gone": {"x": 1}}
    new = {"a": {"b": 1, "c": 3}, "d": [1, 2], "new": True, "gone": 5}
    assert changed_paths(old, new) == [("a", "c"), ("d",), ("gone",), ("new",)]
    assert changed_paths(new, new) == []


def test_watchers_hear_only_about_their_part() -> None:
    store = ConfigStore()
    store.set("c", {"a": {"b": 1}, "z": 0})
    heard: dict[str, list] = {"all": [], "a": [], "a.b": [], "z": [], "other": []}
    store.watch("c", (), lambda name, path: heard["all"].append(path))
    store.watch("c", ("a",), lambda name, path: heard["a"].append(path))
    stop = store.watch("c", ("a", "b"), lambda name, path: heard["a.b"].append(path))
    store.watch("c", ("z",), lambda name, path: heard["z"].append(path))
    store.watch("d", (), lambda name, path: heard["other"].append(path))

    store.set("c", {"a": {"b": 2}, "z": 0})
    stop()
    store.set("c", {"a": 7, "z": 0})

    assert heard["all"] == [("a", "b"), ("a",)]
    assert heard["a"] == [("a", "b"), ("a",)]
    assert heard["a.b"] == [("a", "b")]
    assert heard["z"] == heard["other"] == []


def test_get_returns_copies_and_names_what_is_missing() -> None:
    store = ConfigStore()
    store.set("c", {"a": {"b": [1, 2]}})
    store.get("c", ("a",))["b"].append(3)
    assert store.get("c", ("a", "b")) == [1, 2]
    with pytest.raises(ResourceNotFoundError, match="a/x"):
        store.get("c", ("a", "x"))
    with pytest.raises(ResourceNotFoundError, match="component nope"):
        store.get("nope")


# --------------------------------------------------------------------------- pub/sub and IoT Core


def test_pubsub_delivers_to_exact_and_wildcard_subscribers_and_respects_receive_mode() -> None:
    bus = LocalPubSub()
    got: list[tuple[str, str, PubSubMessage]] = []
    bus.subscribe("x/y", lambda t, m: got.append(("exact", t, m)), subscriber="A")
    bus.subscribe("x/+", lambda t, m: got.append(("plus", t, m)), subscriber="B")
    stop = bus.subscribe("x/#", lambda t, m: got.append(("hash", t, m)), subscriber="C")
    bus.subscribe("x/y", lambda t, m: got.append(("not-own", t, m)), subscriber="A", include_own=False)

    message = PubSubMessage(json={"k": 1})
    assert bus.publish("x/y", message, sender="A") == 3
    stop()
    assert bus.publish("x/z", PubSubMessage(binary=b"\x00"), sender="A") == 1

    assert [(k, t) for k, t, _ in got] == [
        ("exact", "x/y"),
        ("plus", "x/y"),
        ("hash", "x/y"),
        ("plus", "x/z"),
    ]


def test_pubsub_refuses_bad_topics_and_messages() -> None:
    bus = LocalPubSub()
    with pytest.raises(ValueError, match="wildcard"):
        bus.publish("x/+", PubSubMessage(json={}), sender="A")
    with pytest.raises(ValueError, match="whole level"):
        bus.subscribe("x/a+", lambda t, m: None, subscriber="A")
    with pytest.raises(ValueError, match="last level"):
        bus.subscribe("x/#/y", lambda t, m: None, subscriber="A")
    with pytest.raises(ValueError, match="exactly one"):
        PubSubMessage()


def test_unsubscribing_twice_does_not_drop_a_newer_subscription() -> None:
    bus = LocalPubSub()
    first = bus.subscribe("t", lambda t, m: None, subscriber="A")
    first()
    got: list[str] = []
    bus.subscribe("t", lambda t, m: got.append(t), subscriber="B")
    first()
    bus.publish("t", PubSubMessage(json={}), sender="A")
    assert got == ["t"]


def test_local_iot_core_matches_filters_and_survives_a_failing_subscriber() -> None:
    core = LocalIotCore()
    got: list[tuple[str, bytes]] = []

    def broken(topic: str, payload: bytes) -> None:
        raise RuntimeError("boom")

    core.subscribe("$aws/things/+/jobs/#", broken)
    stop = core.subscribe("$aws/things/+/jobs/#", lambda t, p: got.append((t, p)))
    core.subscribe("other", lambda t, p: got.append((t, p)))

    core.publish("$aws/things/pi/jobs/notify-next", b"{}", sender="test")
    stop()
    core.publish("$aws/things/pi/jobs/notify-next", b"again", sender="test")

    assert got == [("$aws/things/pi/jobs/notify-next", b"{}")]
    assert core.subscription_count() == 2


# --------------------------------------------------------------------------- server API


def test_the_server_refuses_a_socket_path_over_the_unix_limit() -> None:
    with pytest.raises(ValueError, match="107 bytes"):
        IpcServer("/tmp/" + "x" * 120)


def test_registration_gives_tokens_environment_and_configuration() -> None:
    server = IpcServer("/tmp/ghela-never-started.sock")
    token = server.register("c.One", configuration={"k": {"v": 1}})
    server.register("c.Two", token="fixed-token")

    assert server.components() == ["c.One", "c.Two"]
    assert server.environment("c.Two") == {
        "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT": "/tmp/ghela-never-started.sock",
        "SVCUID": "fixed-token",
    }
    assert len(token) >= 24 and server.token("c.One") == token
    assert server.get_configuration("c.One", ("k",)) == {"v": 1}
    assert server.set_configuration("c.One", {"k": {"v": 2}}) == [("k", "v")]
    with pytest.raises(ValueError, match=r"belongs to component c\.Two"):
        server.register("c.Three", token="fixed-token")
    with pytest.raises(KeyError):
        server.set_configuration("c.Unknown", {})
