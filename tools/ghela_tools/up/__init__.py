"""``ghela up``: the whole system on one machine with one command.

- :mod:`~ghela_tools.up.children`  child processes in their own process group, stopped cleanly
- :mod:`~ghela_tools.up.stale`     what a crashed ``ghela up`` left behind, found and cleared
- :mod:`~ghela_tools.up.progress`  the start-up progress display and the summary
- :mod:`~ghela_tools.up.moto`      moto's server as a child process
- :mod:`~ghela_tools.up.demo`      the demo feed whose first alert starts shortly after start-up
- :mod:`~ghela_tools.up.overrides` the runtime's deployment-style configuration override
- :mod:`~ghela_tools.up.lightwatch` the light's state, printed when it changes
- :mod:`~ghela_tools.up.stack`     the order things start and stop in
- :mod:`~ghela_tools.up.cli`       the ``ghela up`` subcommand
"""
