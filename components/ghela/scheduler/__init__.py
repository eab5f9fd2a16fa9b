"""The Scheduler: the SQLite source of truth for events and alerts, and the light decision."""
