"""``ghela up``: the whole system on one machine with one command.

- :mod:`~ghela.up.children`  child processes in their own process group, stopped cleanly
- :mod:`~ghela.up.stale`     what a crashed ``ghela up`` left behind, found and cleared
- :mod:`~ghela.up.progress`  the start-up progress display and the summary
- :mod:`~ghela.up.moto`      moto's server as a child process
- :mod:`~ghela.up.demo`      the demo feed whose first alert starts shortly after start-up
- :mod:`~ghela.up.overrides` the runtime's deployment-style configuration override
- :mod:`~ghela.up.lightwatch` the light's state, printed when it changes
- :mod:`~ghela.up.stack`     the order things start and stop in
- :mod:`~ghela.up.cli`       the ``ghela up`` subcommand
"""
