"""Talking to the task queue: send a task or refuse at once, and a running task's heartbeat.

Not a Django app and no models: the apps' services call it, so it sits below them all."""
