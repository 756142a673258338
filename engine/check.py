"""``games check``: load a game folder and prove it works with this host.

Loads the game, lists its metadata, roles and operators, plays K bot
play-throughs with every role seated, writes and validates their logs,
replays each twice for determinism and round-trips a checkpoint.  Every
failure becomes a row with a plain message, never a traceback.
"""
import os
import random
import shutil
import tempfile
import time

from . import bots, checkpoint, replay, views
from .loader import GameLoadError, GameSource
from .log import LogWriter
from .playthrough import MoveError, PlayThrough


def explain(exc):
    """A one-line reason for a failure in game code, naming missing things."""
    if isinstance(exc, GameLoadError) and exc.__cause__ is not None:
        return f"{exc} ({explain(exc.__cause__)})"
    if isinstance(exc, ModuleNotFoundError):
        return (f"the game needs the Python package {exc.name!r}, "
                "which is not installed on this machine")
    if isinstance(exc, (ConnectionError, TimeoutError)) or "unreachable" in str(exc):
        return f"the game needs a network service this machine cannot reach: {exc}"
    if isinstance(exc, KeyError) and str(exc).strip("'").isupper():
        return f"the game needs the setting {exc} (an environment variable or API key)"
    if isinstance(exc, MoveError):
        cause = exc.__cause__
        return explain(cause) if cause is not None and not isinstance(cause, MoveError) \
            else exc.message
    return f"{type(exc).__name__}: {exc}"


def describe(source):
    """Metadata, roles and operators of a game (after one initialize_problem)."""
    with tempfile.TemporaryDirectory(prefix="szcheck-") as folder:
        pt = PlayThrough(source, seed=0, session_folder=folder)
        try:
            meta = pt.formulation.metadata
            spec = getattr(pt.formulation, "roles_spec", None)
            return {
                "slug": source.slug, "version": source.version,
                "name": str(getattr(meta, "name", source.slug)),
                "brief_desc": str(getattr(meta, "brief_desc", "") or ""),
                "authors": [str(a) for a in (getattr(meta, "authors", None) or [])],
                "problem_version": str(getattr(meta, "problem_version", "") or ""),
                "roles": [r.as_dict() | {"description": r.description} for r in pt.roles],
                "min_players_to_start": getattr(spec, "min_players_to_start", 1),
                "max_players": getattr(spec, "max_players", None),
                "operators": [{"index": i, "name": views.op_name(op, pt.state),
                               "role": getattr(op, "role", None),
                               "bookkeeping": bool(getattr(op, "bookkeeping", False))}
                              for i, op in enumerate(pt.operators)],
                "vis": source.vis_path.name if source.vis_path else None,
            }
        finally:
            pt.close()


def _resolver(source):
    return lambda slug, version: source if version == source.version else None


def _play_one(source, seed, logs_dir, max_moves):
    folder = os.path.join(logs_dir, f"run-{seed:03d}")
    os.makedirs(folder, exist_ok=True)
    log_path = os.path.join(folder, "log.jsonl")
    pt = PlayThrough(source, seed=seed, session_folder=os.path.join(folder, "session"),
                     log_writer=LogWriter(log_path), artifacts_dir=os.path.join(folder, "artifacts"),
                     check_purity=True).start()
    try:
        moves = bots.play_out(pt, max_moves=max_moves, rnd=random.Random(seed))
        return pt, log_path, moves
    finally:
        pt.close()


def _checkpoint_roundtrip(source, log_path, folder):
    """Checkpoint half-way, resume both ways, and compare."""
    from .log import read_events
    events = read_events(log_path)
    moves = [e for e in events if e["type"] == "move"]
    if not moves:
        return "no moves to checkpoint"
    upto = moves[len(moves) // 2]["seq"]
    partial = os.path.join(folder, "partial.jsonl")
    with open(log_path, "rb") as src, open(partial, "wb") as dst:
        dst.writelines(line for i, line in enumerate(src) if i <= upto)
    from_log = checkpoint.resume(source, partial, session_folder=os.path.join(folder, "a"))
    cp_path = os.path.join(folder, "checkpoint.json")
    checkpoint.write(cp_path, checkpoint.snapshot(from_log))
    from_cp = checkpoint.resume(source, partial, cp_path, session_folder=os.path.join(folder, "b"))
    try:
        if from_cp.hashes != from_log.hashes or from_cp.rng.getstate() != from_log.rng.getstate():
            return "a restored checkpoint differs from the replayed log"
        return None
    finally:
        from_log.close()
        from_cp.close()


def collect_logs(folder, limit=4 * 1024 * 1024):
    """The logs written in ``folder`` (relative path -> text), each up to ``limit``."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            if name == "log.jsonl" and os.path.getsize(path) < limit:
                with open(path, encoding="utf-8") as f:
                    found[os.path.relpath(path, folder)] = f.read()
    return found


def check_game(path, runs=3, logs_dir=None, max_moves=2000, slug=None, return_logs=False):
    """Run every check; returns {"ok", "game", "rows": [{check, ok, detail}], ...}."""
    result = {"ok": False, "game": None, "rows": [], "logs": None}
    rows = result["rows"]

    def row(name, ok, detail=""):
        rows.append({"check": name, "ok": bool(ok), "detail": detail})
        return ok

    try:
        source = GameSource(path, slug=slug)
        row("load", True, f"{source.pff_path.name}; version {source.version[:12]}")
        result["game"] = describe(source)
        row("initialize", True, f"{len(result['game']['operators'])} operators, "
            f"{len(result['game']['roles'])} roles")
    except Exception as exc:       # GameLoadError, MoveError or the game's own
        row("load", False, explain(exc))
        return result
    keep = logs_dir is not None
    logs_dir = logs_dir or tempfile.mkdtemp(prefix="szcheck-logs-")
    result["logs"] = logs_dir if keep else None
    try:
        all_ok = _run_plays(source, runs, logs_dir, max_moves, row, rows)
        result["ok"] = all_ok and all(r["ok"] for r in rows)
        result["notes"] = sorted({r["note"] for r in rows if r.get("note")})
        logs = collect_logs(logs_dir)
        result["sample_log"] = logs.get(os.path.join("run-001", "log.jsonl"))
        if return_logs:
            result["kept_logs"] = logs
    finally:
        if not keep:
            shutil.rmtree(logs_dir, ignore_errors=True)
    return result


def open_ended_note(ended, moves, max_moves):
    """A play-through the bots played to the move cap with no goal and no error is an
    open-ended game's (a pass, with this note: an author whose goal test is broken sees
    it); None for every other ending."""
    if ended == "abandoned" and moves >= max_moves:
        return f"open-ended: no goal in {max_moves:,} moves"
    return None


def _run_plays(source, runs, logs_dir, max_moves, row, rows):
    ok = True
    for seed in range(1, runs + 1):
        started = time.perf_counter()
        try:
            pt, log_path, moves = _play_one(source, seed, logs_dir, max_moves)
        except Exception as exc:
            ok = row(f"play #{seed}", False, explain(exc)) and ok
            continue
        ended = pt.ended
        detail = (f"{moves} moves, ended: {ended}, outcome: {pt.outcome}, "
                  f"{time.perf_counter() - started:.2f}s")
        note = open_ended_note(ended, moves, max_moves)
        ok = row(f"play #{seed}", ended in ("goal", "stalled") or note is not None,
                 detail + (f"; {note}" if note else "")) and ok
        if note:
            rows[-1]["note"] = note
        report = replay.validate(log_path, _resolver(source), twice=True)
        failure = report["first_failure"]
        ok = row(f"validate #{seed}", report["status"] == "canonical",
                 f"{report['steps_replayed']} steps replayed twice"
                 if failure is None and report["status"] == "canonical"
                 else (failure and f"{failure['class']} at step {failure['step']}: "
                       f"{failure['message']}") or report.get("error", "")) and ok
        if seed == 1:
            try:
                problem = _checkpoint_roundtrip(source, log_path, os.path.dirname(log_path))
            except Exception as exc:
                problem = explain(exc)
            ok = row("checkpoint round-trip", problem is None,
                     problem or "restored stack and RNG equal the replayed ones") and ok
    return ok
