"""What every component shares: contracts (topics and messages), the IPC seam, the clock,
configuration, logging and the error types. Nothing here knows a component's domain."""
