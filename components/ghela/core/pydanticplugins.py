"""pydantic without its plugin search, in every process of ours.

The first time pydantic builds a validator it looks for plugins
(``pydantic/plugin/_schema_validator.py``, ``create_schema_validator``: ``from ._loader
import get_plugins``), and ``pydantic/plugin/_loader.py`` imports ``importlib.metadata`` at
module level to read every installed distribution's entry points. That import alone (with
``email``, ``zipfile``, ``csv`` and ``pathlib`` under it) is 4.5 MiB and about 34 ms in
each process: a sixth of a component's own memory on the Pi, a seventh of a Lambda
handler's cold import (``bench/footprint.py``, ``bench/api.py``). pydantic's own switch,
``PYDANTIC_DISABLE_PLUGINS=__all__``, skips the search but not that import.

Ghelamco Alert installs no pydantic plugin (``tests/unit/test_pydantic_plugins.py`` checks
that no installed distribution declares one), so :func:`search_no_plugins` puts in the
loader's place a module whose ``get_plugins`` finds none: what the search would have found,
without the import. The ``ghela`` package calls it as it is imported, so before any module
of ours builds a model (``ghela_cloud`` imports ``ghela`` first); a process that loaded
pydantic's own loader before keeps it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from types import ModuleType

PYDANTIC_PLUGIN_LOADER = "pydantic.plugin._loader"


def get_plugins() -> Iterable[object]:
    """No plugins: the answer pydantic's search gives where none is installed."""
    return ()


def search_no_plugins() -> None:
    """Answer pydantic's plugin search with :func:`get_plugins`, unless its loader is loaded."""
    if PYDANTIC_PLUGIN_LOADER in sys.modules:
        return
    loader = ModuleType(PYDANTIC_PLUGIN_LOADER, __doc__)
    loader.get_plugins = get_plugins  # type: ignore[attr-defined]
    sys.modules[PYDANTIC_PLUGIN_LOADER] = loader
