"""The game's side of validation: replay a log's moves and say what the game says.

``trace`` runs where the game's code runs (a game process, for the portal): it
applies the recorded moves and undos to a fresh load of the game, in one call
for the whole log, and returns per event the facts the host's rules need —
state hashes, phases, who is to move, whether the move was legal, and, where the
rules look at bookkeeping, which moves were applicable and which was forced.
It judges nothing: the rules (``engine.replay``) run in the host, where the
game cannot reach them.  It stops at the first move the game refuses.

Scanning every operator's precondition is what costs most, so the trace scans
only where a rule needs it: moves claimed as bookkeeping (by flag, by the host's
kind, or by the operator), moves the game refuses, moves of a simultaneous phase,
the first non-move event after moves (was a forced move left pending?), and the
end of the log.
"""
import contextlib
import hashlib
import os
import tempfile
import time
import types

from . import rng as rng_mod
from . import serialize, views
from .log import FOOTER
from .playthrough import (GAME_ERRORS, Actor, MoveError, PlayThrough, goal_message, is_goal,
                          state_parallel, state_phase, state_to_move)

TRACE_VERSION = 1


def session_folder(source):
    """A fresh temporary session folder, only for games that use one."""
    if getattr(source, "uses_session_folder", True):
        return tempfile.TemporaryDirectory(prefix="szreplay-")
    return contextlib.nullcontext(os.path.join(tempfile.gettempdir(), "szreplay-unused"))


def trace(source, events, explain_at=None, scan_all=False, loaded=None):
    """Facts of every event of ``events`` (parsed, schema-checked); see the module.
    ``loaded``: a clean load of the game to use (else a fresh one, unloaded after)."""
    header = events[0]
    with session_folder(source) as folder:
        try:
            pt = PlayThrough(source, seed=header.get("seed"), config=header.get("config"),
                             session_folder=folder, auto_bookkeeping=False,
                             log_format=header.get("format"), loaded=loaded)
        except MoveError as exc:
            return {"version": TRACE_VERSION, "start_error": exc.message}
        try:
            return Tracer(pt, scan_all).run(events, explain_at)
        finally:
            if loaded is None:
                pt.close()


def trace_many(source, logs):
    """Traces of many logs of one game version, in one call.  A load of the game is
    reused for the next log only while its modules' state is as it was when loaded
    (``fingerprint``): a game that keeps anything in module globals, class attributes
    or its helper modules during play gets a fresh load, as a single trace would.  A
    game whose fingerprint costs more than a load is simply loaded afresh each time."""
    out, loaded, clean, reuse = [], None, None, True
    try:
        for events in logs:
            if loaded is not None and fingerprint(loaded) != clean:
                loaded.unload()
                loaded = None
            if loaded is None and reuse:
                began = time.perf_counter()
                loaded = source.load()
                loaded_in = time.perf_counter() - began
                clean = fingerprint(loaded)
                if clean is None or time.perf_counter() - began > 3 * loaded_in:
                    reuse = False
                    loaded.unload()
                    loaded = None
            out.append(trace(source, events, loaded=loaded))
    finally:
        if loaded is not None:
            loaded.unload()
    return out


_SKIP = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType,
         type, types.CodeType, property, staticmethod, classmethod)
MAX_NODES = 50_000


_PLAIN = frozenset({type(None), bool, int, float, str, bytes, complex})


def _sorted(keys):
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)


def fingerprint(loaded):
    """A hash of everything a game's modules hold by value (module globals, class
    attributes, objects reachable from them), or None when it is too large or strange
    to walk: then no load is reused.  (Closures and default arguments of functions are
    not walked: a game that keeps state only there is not told apart; its next log then
    replays on a load that is not fresh, which a state mismatch would reveal and the
    validator's re-trace in a fresh process would settle.)"""
    parts, seen = [], set()
    budget = [MAX_NODES]
    append = parts.append

    def walk(value, depth):
        t = type(value)
        if t in _PLAIN:
            append(repr(value))
            return
        budget[0] -= 1
        if budget[0] < 0 or depth > 40:
            raise OverflowError
        if isinstance(value, _SKIP):
            return
        if id(value) in seen:
            append("@")
            return
        seen.add(id(value))
        append(t.__qualname__)
        if isinstance(value, (list, tuple)):
            if all(type(v) in _PLAIN for v in value):      # a row of plain values: at once
                append(repr(value))
            else:
                for v in value:
                    walk(v, depth + 1)
        elif isinstance(value, dict):
            keys = _sorted(value)
            if all(type(value[k]) in _PLAIN for k in keys):
                append(repr([(k, value[k]) for k in keys]))
            else:
                for k in keys:
                    append(repr(k))
                    walk(value[k], depth + 1)
        elif isinstance(value, (set, frozenset)):
            for v in _sorted(value):
                walk(v, depth + 1)
        else:
            attrs = getattr(value, "__dict__", None)
            if attrs is not None:
                walk(attrs, depth + 1)
            slots = getattr(t, "__slots__", ())
            for name in (slots if isinstance(slots, (list, tuple)) else (slots,)):
                walk(getattr(value, name, None), depth + 1)
        append(")")

    modules = [loaded.module] + list(loaded.local_modules.values())
    if not loaded._vis_pending and loaded._vis is not None:
        modules.append(loaded._vis)
    try:
        for module in modules:
            for name, value in sorted(vars(module).items()):
                if name.startswith("__"):
                    continue
                append(name)
                if isinstance(value, type):
                    for attr, v in sorted(vars(value).items()):
                        if not attr.startswith("__"):
                            append(attr)
                            walk(v, 1)
                else:
                    walk(value, 0)
    except (OverflowError, RecursionError, TypeError, ValueError):
        return None
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()


class Tracer:
    def __init__(self, pt, scan_all=False):
        self.pt = pt
        self.scan_all = scan_all
        self.ops = pt.operators
        self.bk = [bool(getattr(op, "bookkeeping", False)) for op in self.ops]
        self._by_role = {}
        self._scans = {}           # (state version, role) -> applicable operator indexes

    def applicable(self, role):
        """``PlayThrough.applicable`` for the current state, scanned faster: the game's
        context is set once per scan, not once per operator, and each role's operators
        are listed once."""
        pt = self.pt
        key = (pt.version, role)
        found = self._scans.get(key)
        if found is not None:
            return found
        if role not in pt.roles_to_move():
            found = []
        else:
            ops = self._by_role.get(role)
            if ops is None:
                ops = self._by_role[role] = [
                    (i, getattr(op, "precond_func", None)) for i, op in enumerate(self.ops)
                    if getattr(op, "role", None) in (None, role)]
            state, found = pt.state, []
            token = rng_mod.current.set(pt.view_rng)
            game_token = rng_mod.current_game.set(pt.game)
            try:
                for i, fn in ops:
                    if fn is None:
                        found.append(i)
                        continue
                    try:
                        if fn(state):
                            found.append(i)
                    except GAME_ERRORS:
                        pass
            finally:
                rng_mod.current.reset(token)
                rng_mod.current_game.reset(game_token)
                if pt.game._served:
                    pt.game.privatize_new_imports()
        if len(self._scans) > 8:
            self._scans.clear()
        self._scans[key] = found
        return found

    def forced_of(self, role):
        found = self.applicable(role)
        if found and all(self.bk[i] for i in found):
            return found[0]
        return None

    def run(self, events, explain_at=None):
        pt = self.pt
        out = {"version": TRACE_VERSION, "initial": self.now(),
               "ops": [{"bookkeeping": b, "allow_undo": bool(getattr(op, "allow_undo", False)),
                        "role": _plain(getattr(op, "role", None))}
                       for b, op in zip(self.bk, self.ops)],
               "roles": [r.as_dict() for r in pt.roles],
               "steps": [None], "stop": None, "end": None, "explain": None}
        dirty = True
        for i in range(1, len(events)):
            ev = events[i]
            if i == explain_at:
                out["explain"] = self.legal()
                return out
            kind = ev["type"]
            if kind == "move":
                facts = self.move(ev)
                dirty = True
            elif kind == "undo":
                facts = self.undo(ev, dirty)
                dirty = True
            elif kind == "goal_reached":
                facts = {"goal": is_goal(pt.state), "message": goal_message(pt.state),
                         "outcome": pt.outcome_for_roles()}
            elif kind == "artifact_saved":
                facts = None
            elif dirty or kind == FOOTER:
                facts = self.probe()
                dirty = False
            else:
                facts = None
            out["steps"].append(facts)
            if facts is not None and facts.get("ok") is False:
                out["stop"] = i
                out["explain"] = self.legal()
                return out
        out["end"] = self.probe()
        if explain_at is not None and explain_at >= len(events):
            out["explain"] = self.legal()
        return out

    # -- facts -----------------------------------------------------------------------
    def now(self):
        pt, state = self.pt, self.pt.state
        return {"k": pt.k, "state_hash": pt.hashes[-1], "phase": _plain(state_phase(state)),
                "to_move": _plain(state_to_move(state)), "parallel": state_parallel(state),
                "goal": is_goal(state), "roles_to_move": _plain(pt.roles_to_move())}

    def forced(self):
        """[role, operator] of every role to move whose only moves are bookkeeping, in
        the order the host settles them."""
        pt = self.pt
        found = []
        for r in pt.roles_to_move():
            i = self.forced_of(r)
            if i is not None:
                found.append([_plain(r), i])
        return found

    def probe(self):
        pt = self.pt
        if is_goal(pt.state):
            return {"goal": True, "forced": [], "any_applicable": False}
        return {"goal": False, "forced": self.forced(),
                "any_applicable": any(self.applicable(r) for r in pt.roles_to_move())}

    def legal(self):
        """What could have been recorded here: each role to move's applicable moves."""
        pt = self.pt
        if is_goal(pt.state):
            return {"goal": True, "moves": []}
        moves = []
        for r in pt.roles_to_move():
            for i in self.applicable(r):
                moves.append({"role": _plain(r), "op": i,
                              "op_name": views.op_name(self.ops[i], pt.state)[:200],
                              "bookkeeping": self.bk[i]})
        return {"goal": False, "moves": moves[:200], "more": max(0, len(moves) - 200)}

    def move(self, ev):
        pt = self.pt
        actor = ev["actor"]
        role, op_index, args = actor.get("role"), ev["op"], ev["args"]
        state = pt.state
        is_bk = 0 <= op_index < len(self.ops) and self.bk[op_index]
        roles_before = pt.roles_to_move()
        before = {"phase": _plain(state_phase(state)), "to_move": _plain(state_to_move(state)),
                  "parallel": state_parallel(state), "roles_to_move": _plain(roles_before),
                  "goal": is_goal(state)}
        if 0 <= op_index < len(self.ops):
            before["op_name"] = views.op_name(self.ops[op_index], state)
        if (self.scan_all or is_bk or ev["bookkeeping"] or actor.get("kind") == "host"
                or len(roles_before) > 1):
            before["forced"] = self.forced()
            before["choices"] = [i for i in self.applicable(role) if not self.bk[i]] \
                if role in roles_before else []
        try:
            op, args_ok, specs = pt.check_move(role, op_index, args)
            new, message = pt.transition(op, args_ok, specs)
            state_hash = pt.state_hash_of(new)
        except MoveError as exc:
            before.setdefault("forced", self.forced())
            return {"ok": False, "code": exc.code, "message": exc.message[:500],
                    "before": before}
        except serialize.SerializeError as exc:
            return {"ok": False, "code": "game_error",
                    "message": f"the new state cannot be recorded: {exc}"[:500],
                    "before": before}
        pt._push(new, state_hash)
        pt.moves.append(ev)
        after = self.now()
        after.update(ok=True, before=before, message=message, args=_plain(list(args_ok)),
                     bookkeeping_op=is_bk)
        return after

    def undo(self, ev, dirty):
        pt, k = self.pt, ev["k"]
        pending = self.forced() if dirty and not is_goal(pt.state) else []
        if not 0 <= k < pt.k:
            return {"ok": False, "code": "undo", "message": f"no step {k} to go back to",
                    "before": {"k": pt.k}}
        try:
            pt.undo_to(Actor(None, "", "host"), k)
        except GAME_ERRORS as exc:  # the game's state could not be read back
            return {"ok": False, "code": "game_error", "message": str(exc)[:500],
                    "before": {"k": pt.k}}
        facts = self.now()
        facts.update(ok=True, forced_before=pending)
        return facts


def _plain(value):
    """A value as JSON carries it (tuples become lists), for comparing with the log."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
