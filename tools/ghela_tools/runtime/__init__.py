"""The local Greengrass runtime: what stands in for the nucleus off the Pi.

The IPC server here speaks the real event-stream RPC protocol on a Unix socket, so the
unchanged awsiotsdk ``GreengrassCoreIPCClientV2`` in every component connects to it:

- :mod:`~ghela_tools.runtime.eventstream` — the frame codec;
- :mod:`~ghela_tools.runtime.rpc` — message types, flags and the frames the server sends;
- :mod:`~ghela_tools.runtime.ipcserver` — :class:`~ghela_tools.runtime.ipcserver.IpcServer`, the server
  the supervisor starts (components, tokens, configuration, state callback);
- :mod:`~ghela_tools.runtime.ipcconnection` — one client connection (handshake, calls, streams);
- :mod:`~ghela_tools.runtime.operations` — what each IPC operation does, and
  :mod:`~ghela_tools.runtime.ipcerrors` — the errors it answers with;
- :mod:`~ghela_tools.runtime.authz` — ``accessControl`` as the nucleus checks it;
- :mod:`~ghela_tools.runtime.pubsub`, :mod:`~ghela_tools.runtime.iotcore` — local pub/sub and the
  local stand-in for AWS IoT Core's MQTT broker (:mod:`~ghela_tools.runtime.topicnames` checks
  topic names and filters);
- :mod:`~ghela_tools.runtime.configstore` — each component's configuration and its watchers.

:mod:`~ghela_tools.runtime.nucleus` puts it together with the supervisor
(:mod:`~ghela_tools.runtime.supervisor`: recipes, lifecycle, restart rules) and the IoT Jobs
endpoint (:mod:`~ghela_tools.runtime.iotjobs`).
"""
