"""The pydantic model of every message that crosses a process boundary, one module per topic.

- :mod:`~ghela.core.messages.scrape`: what the Scraper is asked and finds;
- :mod:`~ghela.core.messages.commands`: the Scheduler's commands and their results;
- :mod:`~ghela.core.messages.snapshots`: the Scheduler's events as others see them, and the
  changes feed;
- :mod:`~ghela.core.messages.light`: what the light is told and reports;
- :mod:`~ghela.core.messages.health`: what the health card shows (components, scrapes);
- :mod:`~ghela.core.messages.counted`: what Metrics counts, numbered per sender;
- :mod:`~ghela.core.messages.topicmodels`: each topic's model (:data:`TOPIC_MODELS`).

A process imports only the topics it uses: the API's Lambda handlers create a handful of
the 40 classes, not all of them (``bench/api.py``: their cold import).

Rules that hold for every model:

- JSON on the wire; unknown fields are refused (``extra="forbid"``) so a typo is an error,
  not a silently ignored field.
- Instants, dates, texts and ids are the field types of :mod:`ghela.core.wiretypes`: UTC
  instants and venue dates in 2000–2100, bounded strings and numbers, so a huge message is
  refused at the boundary.

Written without ``from __future__ import annotations``, as every module of the package:
pydantic would compile each field's annotation string with ``eval`` as the class is made,
about a third of the import time (``bench/api.py``: a Lambda handler's cold import).
"""

import importlib
from typing import TypeGuard

from pydantic import BaseModel, ConfigDict, ValidationError

from ghela.core.decoding import adapter_on_first_use, build_adapters
from ghela.core.wiretypes import CommandId

_COMMAND_ID = adapter_on_first_use(CommandId)


def is_command_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` is usable as a command id (to answer a sender by it)."""
    try:
        _COMMAND_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


class Message(BaseModel):
    """Base of every message: strict about unknown fields, immutable once made.

    Each model's validator is built when the model is first used, not when this module is
    imported (``defer_build``): every process loads this module and uses a few of its
    models (the CLI's start-up, ``bench/cli.py``; a Lambda handler's cold import,
    ``bench/api.py``). A component builds them all as it starts (:func:`build_models`),
    so no message's path pays for a build and no two threads race for a first build.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


def build_models() -> None:
    """Build the validator of every message model now, not on its first use (see :class:`Message`).

    A component calls this as it starts (:func:`ghela.core.component.run_component`), before
    its threads: the first command after a start then costs what every later one does, and
    no two threads race for a first build (pydantic issue #11851). The deferred adapters of
    :mod:`ghela.core.decoding` are built with them.
    """
    # The topic map imports every topic's module: every model class exists to be built.
    importlib.import_module("ghela.core.messages.topicmodels")
    pending: list[type[Message]] = [Message]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        model.model_rebuild()
    build_adapters()
