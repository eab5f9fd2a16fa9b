"""The environment variables the nucleus sets for every component process: the contract's names.

The device side reads them (the IPC bus, the thing name, the region); the local runtime,
which plays the nucleus, sets exactly these. Written once here, as the nucleus names them
(github.com/aws-greengrass/aws-greengrass-nucleus, commit a28341c):

- ``IPCEventStreamService.java``: ``NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT``, set in
  the ``setenv`` namespace for every component.
- ``lifecyclemanager/ShellRunner.java``: ``SVCUID`` (the component's IPC token) and
  ``GG_ROOT_CA_PATH``, set on each lifecycle script.
- ``deployment/DeviceConfiguration.java``: ``AWS_IOT_THING_NAME_ENV``, and the region as
  ``AWS_DEFAULT_REGION`` and ``SdkSystemSetting.AWS_REGION`` (``AWS_REGION``).
- ``lifecyclemanager/Kernel.java``: ``GGC_VERSION_ENV`` (the nucleus's version).
"""

from __future__ import annotations

SOCKET_ENV = "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT"
"""The path of the nucleus's IPC Unix socket."""
TOKEN_ENV = "SVCUID"
"""The component's IPC token, sent with the event-stream CONNECT."""
THING_NAME_ENV = "AWS_IOT_THING_NAME"
REGION_ENV = "AWS_REGION"
DEFAULT_REGION_ENV = "AWS_DEFAULT_REGION"
NUCLEUS_VERSION_ENV = "GGC_VERSION"
ROOT_CA_ENV = "GG_ROOT_CA_PATH"
