"""The pydantic model of every message that crosses a process boundary, one module per topic.

- :mod:`~ghela.core.messages.scrape`: what the Scraper is asked and finds;
- :mod:`~ghela.core.messages.changes`: what a new alert is, what a change of an event or
  an alert sets (the parts of the commands the API's bodies reuse);
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

from typing import TypeGuard

from pydantic import ConfigDict, ValidationError

from ghela.core.firstbuild import BuiltOnFirstUse, adapter_on_first_use
from ghela.core.wiretypes import CommandId

_COMMAND_ID = adapter_on_first_use(CommandId)


def is_command_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` is usable as a command id (to answer a sender by it)."""
    try:
        _COMMAND_ID.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


class Message(BuiltOnFirstUse):
    """Base of every message: strict about unknown fields, immutable once made.

    Each model's validator is built when the model is first used, not when this module is
    imported nor when a component starts (:class:`~ghela.core.firstbuild.BuiltOnFirstUse`):
    every process loads this package and uses a few of its models. (ruff's RUF012 cannot
    see a pydantic base imported from another module: pyproject.toml turns it off here.)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
