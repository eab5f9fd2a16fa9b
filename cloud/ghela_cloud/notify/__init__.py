"""Notifications planned in the cloud from the synced read copy, so they go out when the Pi
is offline: DynamoDB Streams → :mod:`planner` (one EventBridge Scheduler schedule per
alert) → :mod:`sender` (e-mail, Teams/Slack webhook, Web Push), each delivery sent once."""
