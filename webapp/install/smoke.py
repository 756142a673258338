"""Run ``games check`` on an unpacked game in a separate, limited process.

The child gets a time limit (killed with its process group on timeout), an
address-space limit, and an environment without the server's secrets.
"""
import json
import os
import pathlib
import resource
import signal
import subprocess
import sys

from ..config import REPO_DIR, env_int

CHECK_SECONDS = env_int("INSTALL_CHECK_SECONDS", 60)
CHECK_MEMORY_BYTES = env_int("INSTALL_CHECK_MEMORY_MB", 1024) * 1024 ** 2
TRACE_PROBE = pathlib.Path(__file__).with_name("trace_probe.py")
OUTPUT_LIMIT = 4000


def child_env():
    """Only what Python needs: no SECRET_KEY, DATABASE_URL, REDIS_URL or tokens."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "PYTHONPATH": str(REPO_DIR), "PYTHONDONTWRITEBYTECODE": "1"}


def limit_memory(max_bytes):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_limited(args, cwd, seconds, memory):
    """(returncode or None on timeout, stdout, stderr) of a child in its own process group."""
    proc = subprocess.Popen(args, cwd=cwd, env=child_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=limit_memory(memory))
    try:
        out, err = proc.communicate(timeout=seconds)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err


def failed(message, traceback=""):
    return {"ok": False, "game": None, "error": message, "traceback": traceback,
            "rows": [{"check": "load", "ok": False, "detail": message}]}


def check_folder(folder, seconds=None, memory=None):
    """The ``games check --json`` result of ``folder``, plus ``error`` and ``traceback``."""
    seconds = seconds or CHECK_SECONDS
    memory = memory or CHECK_MEMORY_BYTES
    folder = pathlib.Path(folder)
    code, out, err = run_limited([sys.executable, "-m", "engine.cli", "games", "check",
                                  str(folder), "--json", "--runs", "2"],
                                 folder.parent, seconds, memory)
    if code is None:
        return failed(f"The game's check did not finish within {seconds} seconds "
                      "and was stopped (does the game loop forever?).")
    try:
        result = json.loads(out)
    except ValueError:
        hint = "ran out of memory" if "MemoryError" in err else f"exit code {code}"
        return failed(f"The check process failed ({hint}).", err[-OUTPUT_LIMIT:])
    result.setdefault("error", None)
    result["traceback"] = ""
    if not result.get("ok"):
        bad = next((r for r in result.get("rows", []) if not r["ok"]), None)
        result["error"] = bad and f"{bad['check']}: {bad['detail']}"
        if result.get("game") is None:
            result["traceback"] = load_traceback(folder, seconds, memory)
    return result


def load_traceback(folder, seconds, memory):
    """The traceback of loading the game, limited to the game's own files."""
    code, out, err = run_limited([sys.executable, str(TRACE_PROBE), str(folder)],
                                 folder.parent, seconds, memory)
    return (out or err or "")[-OUTPUT_LIMIT:] if code is not None else ""
