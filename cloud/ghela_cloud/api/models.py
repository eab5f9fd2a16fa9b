"""What every API body is built on: camelCase JSON validated with pydantic, and the error body.

The bodies of each resource live beside it (:mod:`~ghela_cloud.api.eventmodels`,
:mod:`~ghela_cloud.api.commandbodies`, :mod:`~ghela_cloud.api.jobmodels`,
:mod:`~ghela_cloud.api.devicemodels`, :mod:`~ghela_cloud.api.metricmodels`,
:mod:`~ghela_cloud.api.feedmodels`), so a Lambda handler creates only the classes of its
own routes (``bench/api.py``: its cold import).

Every model is built on first use, as the core's messages are
(:class:`~ghela.core.firstbuild.BuiltOnFirstUse`): Lambda gives an environment one request
at a time, so no two threads race for a first build there; the local server answers on
several threads, and the first build's lock keeps them from seeing a half-built validator
(pydantic issues #11851, #13419).

Written without ``from __future__ import annotations``, as :mod:`ghela.core.messages` is: pydantic
would ``eval`` every field's annotation string as the class is made (``bench/api.py``).
"""

from ghela.core.firstbuild import BuiltOnFirstUse
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

CAMEL = ConfigDict(
    alias_generator=to_camel,
    populate_by_name=True,
    serialize_by_alias=True,
    extra="forbid",
    defer_build=True,  # built on first use: a handler uses a few of the API's models
)


class ApiModel(BuiltOnFirstUse):
    model_config = CAMEL


class FieldError(ApiModel):
    field: str
    message: str


class ErrorBody(ApiModel):
    """Every error; API Gateway's own 401 (no valid token) has only ``message``."""

    status_code: int | None = None
    message: str
    errors: list[FieldError] = []
