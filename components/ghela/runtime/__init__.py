"""The local Greengrass runtime: what stands in for the nucleus off the Pi.

The IPC server here speaks the real event-stream RPC protocol on a Unix socket, so the
unchanged awsiotsdk ``GreengrassCoreIPCClientV2`` in every component connects to it:

- :mod:`~ghela.runtime.eventstream` — the frame codec;
- :mod:`~ghela.runtime.rpc` — message types, flags and the frames the server sends;
- :mod:`~ghela.runtime.ipcserver` — :class:`~ghela.runtime.ipcserver.IpcServer`, the server
  the supervisor starts (components, tokens, configuration, state callback);
- :mod:`~ghela.runtime.ipcconnection` — one client connection (handshake, calls, streams);
- :mod:`~ghela.runtime.operations` — what each IPC operation does, and
  :mod:`~ghela.runtime.ipcerrors` — the errors it answers with;
- :mod:`~ghela.runtime.authz` — ``accessControl`` as the nucleus checks it;
- :mod:`~ghela.runtime.pubsub`, :mod:`~ghela.runtime.iotcore` — local pub/sub and the
  local stand-in for AWS IoT Core's MQTT broker (:mod:`~ghela.runtime.topicnames` checks
  topic names and filters);
- :mod:`~ghela.runtime.configstore` — each component's configuration and its watchers.

:mod:`~ghela.runtime.nucleus` puts it together with the supervisor
(:mod:`~ghela.runtime.supervisor`: recipes, lifecycle, restart rules) and the IoT Jobs
endpoint (:mod:`~ghela.runtime.iotjobs`).
"""
