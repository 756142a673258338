"""The web process's game processes (``engine.gameproc``): one pool per process.

Game code never runs in a web or worker process: play-throughs, bots, metadata,
replays, checkpoints and validation all go to game processes.  Per-game settings
(an admin's environment variables, network access, time per move) are kept in
memory here, filled when a session's rows are read, so that starting a process
never reads the database.
"""
import os
import pathlib
import threading

from flask import current_app

from engine.gameproc import sandbox
from engine.gameproc.pool import GamePool
from engine.gameproc.remote import GameRef

_settings = {}
_settings_lock = threading.Lock()


def pool(app=None):
    """This process's GamePool (made on first use, after gunicorn's fork)."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("games")
    if found is None or found.closed_pid():
        with _settings_lock:
            found = app.extensions.get("games")
            if found is None or found.closed_pid():
                found = app.extensions["games"] = make_pool(app)
    return found


def sandbox_config(app):
    """The sandbox game processes of this app get (what this machine offers)."""
    return sandbox.SandboxConfig.detect(
        use_bwrap=app.config["SANDBOX"], memory_bytes=app.config["GAME_MEMORY_MB"] * 1024 ** 2,
        processes=app.config["GAME_PROCESSES"])


def make_pool(app):
    config = sandbox_config(app)
    limits = {"state_bytes": app.config["GAME_STATE_MAX_BYTES"],
              "message_chars": app.config["GAME_MESSAGE_MAX_CHARS"],
              "view_chars": app.config["GAME_VIEW_MAX_CHARS"]}
    root = pathlib.Path(app.config["GAME_PROCESS_DIR"] or
                        os.path.join(app.config["DATA_DIR"], "sandbox"))
    return GamePool(root, config, limits, settings_for=settings_of,
                    idle_seconds=app.config["GAME_IDLE_SECONDS"],
                    spare=app.config["GAME_SPARE"])


def remember_settings(slug, data, default_seconds=10.0):
    """Keep a game's admin settings in memory (read with a session's rows)."""
    data = data or {}
    settings = sandbox.GameSettings(env=dict(data.get("env") or {}),
                                    network=bool(data.get("network")),
                                    move_seconds=float(data.get("move_seconds")
                                                       or default_seconds))
    with _settings_lock:
        _settings[slug] = settings
    return settings


def settings_of(slug):
    with _settings_lock:
        return _settings.get(slug) or sandbox.GameSettings()


def ref(folder, slug, version):
    return GameRef(str(folder), slug, version)


def close(app):
    found = app.extensions.pop("games", None)
    if found is not None:
        found.close()
