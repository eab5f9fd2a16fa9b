"""The developer's tools, which never run on a Pi: the local Greengrass runtime
(:mod:`ghela_tools.runtime`), ``ghela up`` (:mod:`ghela_tools.up`) and the packager
(:mod:`ghela_tools.packaging`: ``ghela gdk build|publish|deployment``).

The dependency points one way: these may import the device package ``ghela`` and the
cloud side ``ghela_cloud``; ``ghela`` imports neither (``tests/unit/test_layering.py``).
The ``ghela`` command offers their subcommands when this package is installed.
"""
