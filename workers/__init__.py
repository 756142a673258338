"""RQ jobs: checkpoints, ZIP exports, validation of stored play-throughs (+ their CLI).

Jobs run inside an app context (``workers.app``) and use the app's models and
the engine; the web process enqueues them by dotted name only.
"""
