"""Game processes: game code runs only here, in a sandbox, never in a host.

A host (the web process, an RQ worker, the command line) keeps one game process
per game version (``pool.GamePool``), started from a warm spare; it talks to it
over one socket (``protocol``) with a time limit on every call (``host``), and
keeps a proxy per play-through (``remote.RemotePlayThrough``) whose canonical log
the host writes itself.  The game process (``python -m engine.gameproc``,
``server``) holds the play-throughs' engine objects (``calls``).  A game process
that misbehaves is killed and replaced; its play-throughs are rebuilt from their
logs.  ``sandbox`` builds the bubblewrap command line and the limits.
"""
