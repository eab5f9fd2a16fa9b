"""Packaging the components for AWS IoT Greengrass, as GDK would, without needing GDK.

- :mod:`~ghela_tools.packaging.validation` — recipes and gdk-config.json files against GDK's own
  JSON schemas (in ``schemas/``), with GDK's rules (keys lower-cased, placeholders filled);
- :mod:`~ghela_tools.packaging.build` — ``ghela gdk build``: ``greengrass-build/`` with each
  recipe and its zipped artifact;
- :mod:`~ghela_tools.packaging.publish` — ``ghela gdk publish``: S3 upload, greengrassv2
  ``create_component_version``, and the deployment command for the thing group.
"""
