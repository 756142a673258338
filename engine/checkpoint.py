"""Checkpoints of a play-through, and resuming one from its log.

A checkpoint holds step k, the state stack (for undo), the move records, the
RNG state, the instance data and the game version; it is written atomically
(temp file + rename).  Resuming loads the game afresh, runs
``initialize_problem`` with the logged seed (so secrets kept in module globals
come back), restores the latest checkpoint if there is one, and re-applies
the log's moves after it.  With no checkpoint the whole log is re-applied.
"""
import json
import os
import tempfile

from . import serialize
from .log import FOOTER, LogWriter, drop_partial_tail, line_hash, read_events, read_lines
from .playthrough import PlayThrough, seats_after_change

FORMAT = 1


class CheckpointError(Exception):
    """A checkpoint that cannot be used (wrong game version, corrupt, ...)."""


def snapshot(pt):
    """The checkpoint of ``pt`` as JSON-ready data."""
    alias = pt.game.alias_of
    try:
        instance = serialize.encode(getattr(pt.formulation, "instance_data", None), alias)
    except serialize.SerializeError:
        instance = None   # restored by initialize_problem instead
    return {
        "format": FORMAT, "game": pt.source.slug, "game_version": pt.source.version,
        "seed": pt.seed, "k": pt.k, "version": pt.version,
        "log_seq": pt.log.next_seq - 1 if pt.log is not None else None,
        "stack": [serialize.encode(s, alias) for s in pt.stack],
        "hashes": list(pt.hashes), "moves": list(pt.moves),
        "rng_state": serialize.encode(pt.rng.getstate()),
        "instance_data": instance, "artifact_versions": dict(pt.artifact_versions),
        "state_hash": pt.hashes[-1],
    }


def sign(data, signer, line_hash):
    """Sign a checkpoint's tip: the log line it was made at (its seq and hash), its step,
    state hash and game version."""
    from .signing import tip_message
    data["line_hash"] = line_hash
    data["signature"] = signer.sign(tip_message("checkpoint", data))
    return data


def verify(data, keyring):
    """``valid`` / ``invalid`` / ``absent`` / ``unknown key`` for a checkpoint's signature."""
    return keyring.verify("checkpoint", data, data.get("signature"))


def write(path, data):
    """Write checkpoint data atomically (a reader never sees half a file)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def restore(pt, data):
    """Put a checkpoint's stack and RNG into a freshly initialised play-through."""
    if data.get("game_version") != pt.source.version:
        raise CheckpointError("the checkpoint was made with another version of the game")
    decode = serialize.Decoder(pt.game.resolve_module).decode
    try:
        stack = [decode(s) for s in data["stack"]]
    except (serialize.SerializeError, AttributeError, KeyError, TypeError) as exc:
        raise CheckpointError(f"the checkpoint's states cannot be rebuilt: {exc}") from exc
    hashes = [pt.state_hash_of(s) for s in stack]
    if hashes != data["hashes"]:
        raise CheckpointError("the rebuilt states do not match the checkpoint's hashes")
    pt.stack, pt.hashes, pt.moves = stack, hashes, list(data["moves"])
    pt.rng.setstate(decode(data["rng_state"]))
    if data.get("instance_data") is not None:
        pt.formulation.instance_data = decode(data["instance_data"])
    pt.artifact_versions = dict(data.get("artifact_versions") or {})
    pt.version = data.get("version", pt.version)
    pt._applicable.clear()
    pt.parallel_since = pt.version


def apply_recorded(pt, ev):
    """Re-apply one recorded event, trusting it (resume, determinism checks)."""
    kind = ev.get("type")
    if kind == "move":
        op, args, specs = pt.check_move(ev["actor"]["role"], ev["op"], ev["args"])
        new, message = pt.transition(op, args, specs)
        pt.message = message
        pt._push(new)
        pt.moves.append(ev)
    elif kind == "undo":
        pt.stack, pt.hashes = pt.stack[:ev["k"] + 1], pt.hashes[:ev["k"] + 1]
        pt.moves = [m for m in pt.moves if m["k"] <= ev["k"]]
        pt.version += 1
        pt.parallel_since = pt.version
    elif kind == "seat_changed":
        pt.seats = seats_after_change(pt.seats, ev)
    elif kind == "artifact_saved":
        name = ev.get("name")
        pt.artifact_versions[name] = max(pt.artifact_versions.get(name, 0), ev.get("version", 0))
    elif kind == "goal_reached":
        pt.outcome, pt.goal_message = ev.get("outcome"), ev.get("message")
    elif kind == FOOTER:
        pt.ended = ev.get("reason")


def _check_against_log(pt, events):
    recorded = [e for e in events if e["type"] in ("move", "undo")]
    if recorded and recorded[-1].get("state_hash") != pt.hashes[-1]:
        raise CheckpointError("the rebuilt play-through does not match its log")


def resume(source, log_path, checkpoint_path=None, session_folder=None,
           artifacts_dir=None, fsync=False, attach_log=True, signer=None, keyring=None):
    """A live play-through rebuilt from its log, or from a checkpoint plus the log's tail.

    Callers normally pass no checkpoint: replaying the whole log also restores
    what games keep in module globals during play.  The checkpoint path is the
    fallback for games whose replay is slow or fails.
    """
    if attach_log:
        drop_partial_tail(log_path)
    events = read_events(log_path)
    header = events[0]
    pt = PlayThrough(source, seed=header["seed"], config=header.get("config"),
                     session_folder=session_folder, seats=header.get("seats") or (),
                     artifacts_dir=artifacts_dir, auto_bookkeeping=False,
                     log_format=header.get("format"))
    after = 0
    if checkpoint_path and os.path.exists(checkpoint_path):
        data = read(checkpoint_path)
        if keyring is not None and verify(data, keyring) != "valid":
            raise CheckpointError("the checkpoint's signature is not valid under this "
                                  "portal's keys")
        seq, lines = data.get("log_seq"), read_lines(log_path)
        if data.get("line_hash") and not (type(seq) is int and 0 <= seq < len(lines)
                                          and line_hash(lines[seq]) == data["line_hash"]):
            raise CheckpointError("the checkpoint was made on another log (its line "
                                  "is not this log's)")
        restore(pt, data)
        after = data.get("log_seq") or 0
    for ev in events[after + 1:]:
        apply_recorded(pt, ev)
    for ev in events[:after + 1]:
        if ev["type"] in ("goal_reached", FOOTER):
            apply_recorded(pt, ev)
    _check_against_log(pt, events)
    pt.auto_bookkeeping = True
    if attach_log:
        pt.log = LogWriter(log_path, fsync=fsync, signer=signer)
        if not pt.ended:
            with pt._atomic():       # forced moves left pending by a crash come first
                pt.settle()
    return pt


def rebuild(source, events, session_folder=None):
    """A play-through rebuilt from a log's parsed events (trusted: the host read them
    from its own log), with no log attached; forced moves are not settled here."""
    header = events[0]
    pt = PlayThrough(source, seed=header["seed"], config=header.get("config"),
                     session_folder=session_folder, seats=header.get("seats") or (),
                     auto_bookkeeping=False, log_format=header.get("format"))
    try:
        for ev in events[1:]:
            apply_recorded(pt, ev)
        _check_against_log(pt, events)
    except BaseException:
        pt.close()
        raise
    pt.auto_bookkeeping = True
    return pt


def latest_checkpoint(folder):
    """Path of the newest checkpoint file in ``folder`` (log line first in the name), or None."""
    if not os.path.isdir(folder):
        return None
    names = sorted(n for n in os.listdir(folder) if n.startswith("s") and n.endswith(".json"))
    return os.path.join(folder, names[-1]) if names else None
