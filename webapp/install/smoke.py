"""Run ``games check`` on an unpacked game in a sandboxed game process.

The check runs in a game process (``engine.gameproc.checks``): the sandbox's
view of the machine, no network unless an admin granted it to the game, the
game's own settings (a game that needs an API key can pass its check), a time
limit; then one play-through is replayed in a second process with another
string hash seed.  Nothing of the server (its key, database, Redis) is visible.
"""
import pathlib

from flask import current_app

from engine.gameproc import checks
from engine.loader import GameLoadError, GameSource

OUTPUT_LIMIT = 4000


def failed(message, traceback=""):
    return checks.failed(message, traceback)


def check_folder(folder, seconds=None, memory=None):
    """The check's result for ``folder``, plus ``error`` and ``traceback`` for people."""
    from ..games import sandbox_config, settings_of
    folder = pathlib.Path(folder)
    seconds = seconds or current_app.config.get("INSTALL_CHECK_SECONDS") or 120
    try:
        source = GameSource(folder)
    except GameLoadError as exc:
        return failed(str(exc))
    config = sandbox_config(current_app._get_current_object())
    if memory:
        config.memory_bytes = int(memory)
    result = checks.check_folder(source.folder, source.slug, source.version, config,
                                 settings_of(source.slug), runs=2, seconds=seconds)
    result.setdefault("error", None)
    result["traceback"] = (result.get("traceback") or "")[-OUTPUT_LIMIT:]
    if not result.get("ok") and not result.get("error"):
        bad = next((r for r in result.get("rows", []) if not r["ok"]), None)
        result["error"] = bad and f"{bad['check']}: {bad['detail']}"
    return result
