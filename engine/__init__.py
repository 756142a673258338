"""The game engine: load SOLUZION6 games, run play-throughs, keep canonical logs.

Pure Python: no Flask, Redis or SQL.  Usable alone by game authors (``szportal
games check``) and by the validator (``szportal validate``).
"""

ENGINE_VERSION = "2.0.0"
LOG_FORMAT_VERSION = 2
