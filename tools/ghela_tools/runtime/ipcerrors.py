"""The errors an IPC call answers with, each named by its Greengrass model shape.

The server turns an :class:`IpcError` into an application-error frame whose
``service-model-type`` is :attr:`IpcError.shape`; the Python client raises the class of the
same name (``awsiot.greengrasscoreipc.model.UnauthorizedError`` …)::

    IpcError (GhelaError)
    ├── ServiceError            the runtime cannot do it (an unsupported operation)
    ├── UnauthorizedError       outside the component's accessControl
    ├── ResourceNotFoundError   no such component or configuration key
    └── InvalidArgumentsError   a request that is missing or has a wrong field
"""

from __future__ import annotations

from typing import ClassVar

from ghela.core.errors import GhelaError


class IpcError(GhelaError):
    shape: ClassVar[str] = "aws.greengrass#ServiceError"

    @property
    def message(self) -> str:
        return str(self)


class ServiceError(IpcError):
    shape = "aws.greengrass#ServiceError"


class UnauthorizedError(IpcError, PermissionError):
    shape = "aws.greengrass#UnauthorizedError"


class ResourceNotFoundError(IpcError, LookupError):
    shape = "aws.greengrass#ResourceNotFoundError"


class InvalidArgumentsError(IpcError, ValueError):
    shape = "aws.greengrass#InvalidArgumentsError"
