"""Calls on whole logs, made by hosts that look back (viewers, jobs, the command line):
each runs in the game process of the log's game version, with a generous time limit."""
from .host import GameDied, GameTimeout
from .protocol import CallError

LOG_SECONDS = 600.0


def _call(pool, game, name, timeout=LOG_SECONDS, **args):
    proc = pool.process(game.folder, game.slug, game.version)
    try:
        return proc.call(name, timeout, **args)
    except (GameTimeout, GameDied):
        pool.drop(proc)
        raise


def metadata(pool, game):
    """The game's catalog facts (read by its process when it loaded the game)."""
    return dict(pool.process(game.folder, game.slug, game.version).metadata or {})


def validate(pool, game, log_text, allow_open=False, twice=False):
    """The validation report of one log of this game version."""
    if isinstance(log_text, bytes):
        log_text = log_text.decode("utf-8", "replace")
    return _call(pool, game, "validate", log_text=log_text, allow_open=allow_open,
                 twice=twice)


def checkpoint_of(pool, game, events):
    return _call(pool, game, "checkpoint_of", events=events)


def replay_view(pool, game, key, events, upto, roles=(), base_url=""):
    return _call(pool, game, "replay_view", timeout=120.0, key=key, events=events,
                 upto=upto, roles=list(roles), base_url=base_url)


def trail(pool, game, log_text):
    return _call(pool, game, "trail", log_text=log_text)


def check(pool, game, runs=2, max_moves=2000, timeout=LOG_SECONDS, return_logs=False):
    return _call(pool, game, "check", timeout=timeout, runs=runs, max_moves=max_moves,
                 return_logs=return_logs)


__all__ = ["CallError", "GameDied", "GameTimeout", "metadata", "validate", "checkpoint_of",
           "replay_view", "trail", "check"]


def as_ref(found):
    """A GameRef from what a resolver returns (a GameRef, a GameSource, or None)."""
    from ..loader import GameSource
    from .remote import GameRef
    if found is None or isinstance(found, GameRef):
        return found
    if isinstance(found, GameSource):
        return GameRef(str(found.folder), found.slug, found.version)
    raise TypeError(f"a resolver returned {type(found).__name__}")


def validate_with(pool, resolve, log, allow_open=False, twice=False):
    """``engine.replay.validate`` with the replay run in the log's game process.

    A log whose header cannot be read, or whose game version ``resolve(slug,
    version)`` does not know, is judged here without any game code."""
    import json

    from .. import replay
    from ..log import read_lines
    try:
        lines = read_lines(log)
        header = json.loads(lines[0]) if lines else None
    except (OSError, ValueError, IndexError):
        header = None
    game = None
    if isinstance(header, dict) and isinstance(header.get("game"), str) \
            and isinstance(header.get("game_version"), str):
        game = as_ref(resolve(header["game"], header["game_version"]))
    if game is None:
        return replay.validate(log, lambda slug, version: None, allow_open=allow_open)
    text = b"".join(line + b"\n" for line in lines)
    try:
        return validate(pool, game, text, allow_open=allow_open, twice=twice)
    except CallError as exc:
        return {"status": "error", "error": f"the game failed: {exc.message}",
                "first_failure": None, "counts": {}, "steps_replayed": 0, "seconds": 0.0,
                "game": header.get("game"),
                "versions": {"game": header.get("game_version")}}
