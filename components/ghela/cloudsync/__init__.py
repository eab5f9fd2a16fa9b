"""CloudSync: IoT Jobs in (commands to the Scheduler, job status back), the DynamoDB read
copy out, and an on-disk outbox so nothing is lost while the Pi is offline.

It never changes local data itself: every change goes to the Scheduler as a command.
"""
