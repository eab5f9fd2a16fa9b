"""The error types of Ghelamco Alert.

Every error the project raises on purpose derives from :class:`GhelaError`, and where a
built-in exception means the same thing it inherits that too, so callers can catch either::

    GhelaError
    ├── InvalidInput (ValueError)        bad input at a boundary; names the field
    │   └── InvalidCommand               a command that cannot be applied as given
    ├── NotFound (LookupError)           an id that does not exist (event 12, alert 31)
    ├── ConfigurationError (ValueError)  a configuration value that is missing or wrong
    ├── StorageError                     the database refused or is damaged
    ├── TransientError                   a fault worth retrying (network, throttling, IPC)
    └── PermanentError                   a refusal no retry can change (dead-lettered)
"""

from __future__ import annotations


class GhelaError(Exception):
    """Base class of every error Ghelamco Alert raises on purpose."""


class InvalidInput(GhelaError, ValueError):
    """Input at a boundary was wrong; ``field`` names what, when one field is to blame."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidCommand(InvalidInput):
    """A command that cannot be applied as given (for example a start in the past)."""


class NotFound(GhelaError, LookupError):
    """A referenced thing does not exist; ``field`` names the reference, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConfigurationError(GhelaError, ValueError):
    """A configuration value is missing or wrong; the message names the key."""


class StorageError(GhelaError):
    """The database refused an operation or failed its integrity check."""


class TransientError(GhelaError):
    """A fault that may go away on retry: network, AWS throttling, a dropped IPC socket."""


class PermanentError(GhelaError):
    """The receiver refused this for good (not authorized, invalid): retrying the same
    request cannot succeed, so it is set aside with the reason instead (CloudSync's outbox)."""
