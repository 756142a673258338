"""``games check`` in game processes: the check runs in a sandboxed process; one of
its play-throughs is then replayed in a second process with another string hash
seed, so a game whose moves depend on set order is named, not blamed on its logs."""
import os
import tempfile

from .host import GameDied, GameTimeout
from .logs import check as check_call
from .logs import trail
from .pool import GamePool
from .protocol import CallError
from .remote import GameRef
from .sandbox import GameSettings, SandboxConfig

OTHER_HASH_SEED = "12345"


def check_folder(folder, slug, version, config=None, settings=None, runs=2, seconds=120,
                 root=None, logs_dir=None):
    """The check's result ({"ok", "game", "rows", "warnings", "output"}), never raising."""
    config = config or SandboxConfig.detect()
    settings = settings or GameSettings()
    root = root or tempfile.mkdtemp(prefix="szcheck-")
    game = GameRef(str(folder), slug, version)
    first = GamePool(os.path.join(root, "a"), config, settings_for=lambda s: settings,
                     spare=False, load_seconds=seconds)
    try:
        result = _run_check(first, game, runs, seconds, logs_dir is not None)
        for name, text in (result.pop("kept_logs", None) or {}).items():
            path = os.path.join(logs_dir, os.path.normpath(name).lstrip("./"))
            if os.path.realpath(path).startswith(os.path.realpath(logs_dir) + os.sep):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
        if logs_dir is not None:
            result["logs"] = logs_dir
        if result.get("ok") and result.get("sample_log"):
            warning = _cross_process(config, settings, root, game, result["sample_log"],
                                     trail(first, game, result["sample_log"]))
            if warning:
                result.setdefault("warnings", []).append(warning)
    finally:
        first.close()
    result.pop("sample_log", None)
    return result


def _run_check(pool, game, runs, seconds, return_logs=False):
    try:
        return check_call(pool, game, runs=runs, timeout=seconds, return_logs=return_logs)
    except GameTimeout:
        return failed(f"The game's check did not finish within {seconds:g} seconds and "
                      "was stopped (does the game loop forever?).")
    except GameDied:
        return failed("The game's process ended during the check (it exited, crashed or "
                      "ran out of memory).")
    except CallError as exc:
        return failed(exc.message, exc.detail or "", "load" if exc.code == "load" else "check")


def _cross_process(config, settings, root, game, log_text, expected):
    other = GameSettings(env=dict(settings.env, PYTHONHASHSEED=OTHER_HASH_SEED),
                         network=settings.network, move_seconds=settings.move_seconds)
    pool = GamePool(os.path.join(root, "b"), config, settings_for=lambda s: other,
                    spare=False)
    try:
        replayed = trail(pool, game, log_text)
    except (CallError, GameTimeout, GameDied) as exc:
        return f"Replaying in a second process failed: {getattr(exc, 'message', exc)}"
    finally:
        pool.close()
    if replayed != expected:
        step = next((i for i, (a, b) in enumerate(zip(expected, replayed)) if a != b),
                    min(len(expected), len(replayed)))
        return ("nondeterministic across processes: a play-through replayed in a process "
                f"with another string hash seed differs from step {step} (the game's moves "
                "depend on the order of a set or dict of strings). The portal fixes the "
                "seed, so play here is deterministic, but the game is not portable.")
    return None


def failed(message, traceback="", check="load"):
    return {"ok": False, "game": None, "error": message, "traceback": traceback,
            "rows": [{"check": check, "ok": False, "detail": message}], "warnings": []}
