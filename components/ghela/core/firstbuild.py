"""pydantic validators built on their first use, safely from any thread.

Every process loads the message models (:mod:`ghela.core.messages`) and uses a few of them:
a component its topics' models, the CLI one command, a Lambda handler its route's. Building
them all as a component started cost each of the five about 5 MiB it never used
(``bench/footprint.py``). So a model or adapter made here is built when it is first used
(``defer_build``), and that first build holds :data:`BUILD_LOCK`.

The lock is what makes deferring safe in a component, which validates on several threads
(IPC handlers, workers): pydantic's own rebuild is not thread-safe in the version locked
here; two threads' first uses of one model can see each other's half-built state
(pydantic issue #13419, "dictionary changed size during iteration", fixed upstream by
locking inside ``model_rebuild`` in pull request #13438). pydantic reaches a deferred
build only through ``cls.model_rebuild(...)`` / ``adapter.rebuild(...)``
(``pydantic/_internal/_mock_val_ser.py``, ``set_model_mocks`` and
``set_type_adapter_mocks``), and the mocks stay in place until the build has replaced
them (``BaseModel.model_rebuild`` deletes only real validators), so a second thread that
arrives meanwhile waits at the lock, finds the model complete and uses the new validator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

BUILD_LOCK = threading.RLock()
"""Held by every first build of a model or adapter of this module (re-entrant: building a
model can build another)."""


def _built_under_lock(build: Callable[..., bool | None], options: dict[str, Any]) -> bool | None:
    """``build(**options)`` (pydantic's own rebuild) holding :data:`BUILD_LOCK`.

    pydantic reads its caller's namespace ``_parent_namespace_depth`` frames up; between
    that caller and pydantic now stand the override and this function, so the depth it
    asked for is counted past both.
    """
    depth = options.get("_parent_namespace_depth", 2)
    if depth > 0:
        options["_parent_namespace_depth"] = depth + 2
    with BUILD_LOCK:
        return build(**options)


class BuiltOnFirstUse(BaseModel):
    """A model whose validator and serializer are built on first use, under :data:`BUILD_LOCK`."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def model_rebuild(cls, **options: Any) -> bool | None:
        return _built_under_lock(super().model_rebuild, options)


def adapter_on_first_use(kind: Any) -> TypeAdapter[Any]:
    """A ``TypeAdapter`` for ``kind`` built on its first use, under :data:`BUILD_LOCK`.

    ``TypeAdapter`` is final, so its ``rebuild`` is wrapped on the instance, where the
    adapter's mocks look it up (``adapter.rebuild(...)``).
    """
    adapter: TypeAdapter[Any] = TypeAdapter(kind, config=ConfigDict(defer_build=True))
    unlocked = adapter.rebuild

    def rebuild(**options: Any) -> bool | None:
        return _built_under_lock(unlocked, options)

    setattr(adapter, "rebuild", rebuild)  # noqa: B010  (mypy forbids assigning to a method)
    return adapter
