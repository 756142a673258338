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
import operator
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
    (``Snapshot``): a game that keeps anything in module globals, class attributes
    or its helper modules during play gets a fresh load, as a single trace would.  A
    game whose check costs more than a load is simply loaded afresh each time."""
    out, loaded, clean, reuse = [], None, None, True
    try:
        for events in logs:
            if loaded is not None and not clean.same():
                loaded.unload()
                loaded = None
            if loaded is None and reuse:
                began = time.perf_counter()
                loaded = source.load()
                loaded_in = time.perf_counter() - began
                clean = Snapshot.of(loaded)
                if clean is not None:
                    began = time.perf_counter()
                    clean.same()
                if clean is None or time.perf_counter() - began > 2 * loaded_in:
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


def _modules_of(loaded):
    modules = [loaded.module] + list(loaded.local_modules.values())
    if not loaded._vis_pending and loaded._vis is not None:
        modules.append(loaded._vis)
    return modules


def _own_items(mapping):
    """A module's or class's names as ``fingerprint`` walks them (no dunder names)."""
    return [(k, v) for k, v in mapping.items() if not k.startswith("__")]


_is = operator.is_


_SEQ, _DICT, _SET, _OBJ = range(4)


class Snapshot:
    """What ``fingerprint`` hashes, kept as the objects themselves, so a later check
    costs a shallow comparison per container instead of a walk that prints every value.

    ``Snapshot.of(loaded)`` walks the same objects as ``fingerprint`` (module globals,
    class attributes, what is reachable from them by value) and keeps, for every
    container on the way, its type and its children as they were (a list's items, a
    dict's keys and values, an object's ``__dict__`` and slots, a set's members).
    ``same()`` compares every container's children now with those: a child that is
    still the very same object is unchanged if its own children are (each container is
    checked); a child replaced by another object (a game's ``initialize_problem``
    storing a new initial state in a module global, say) is compared by value with
    what was there, as ``fingerprint`` would print them: same types, same plain values
    (by ``repr``), same structure.  Plain values (``None``, numbers, strings, bytes)
    cannot change in place.  So ``same()`` true means the fingerprint would be
    unchanged (up to which sub-objects are shared); a change it cannot rule out counts
    as a change, and the load is simply not reused.  None when the modules are too
    large or too deep to walk, as for ``fingerprint``."""

    __slots__ = ("loaded", "modules", "owns", "checks", "index")

    @classmethod
    def of(cls, loaded):
        self = cls()
        self.loaded = loaded
        self.modules = _modules_of(loaded)
        self.owns, self.checks, self.index = [], [], {}
        budget = [MAX_NODES]
        index, checks = self.index, self.checks

        def walk(value, depth):
            t = type(value)
            if t in _PLAIN:
                return
            budget[0] -= 1
            if budget[0] < 0 or depth > 40:
                raise OverflowError
            if isinstance(value, _SKIP) or id(value) in index:
                return
            if isinstance(value, (list, tuple)):
                record = (_SEQ, value, t, tuple(value))
                children = record[3]
            elif isinstance(value, dict):
                record = (_DICT, value, t, tuple(value), tuple(value.values()))
                children = record[3] + record[4]          # keys too: printed by repr
            elif isinstance(value, (set, frozenset)):
                record = (_SET, value, t, tuple(value))
                children = record[3]
            else:
                attrs = getattr(value, "__dict__", None)
                slots = getattr(t, "__slots__", ())
                names = tuple(slots if isinstance(slots, (list, tuple)) else (slots,))
                held = tuple(getattr(value, name, None) for name in names)
                record = (_OBJ, value, t, attrs, names, held)
                children = (attrs,) + held
            index[id(value)] = record
            if not isinstance(value, (tuple, frozenset)) or record[0] == _OBJ:
                checks.append(record)
            for v in children:
                if type(v) not in _PLAIN:
                    walk(v, depth + 1)

        try:
            for module in self.modules:
                items = _own_items(vars(module))
                self.owns.append((vars(module), items))
                for name, value in items:
                    if isinstance(value, type):
                        attrs = _own_items(vars(value))
                        self.owns.append((vars(value), attrs))
                        for _, v in attrs:
                            walk(v, 1)
                    else:
                        walk(value, 0)
        except (OverflowError, RecursionError, TypeError, ValueError):
            return None
        return self

    def same(self):
        """True when nothing the snapshot holds has changed (see the class)."""
        try:
            now = _modules_of(self.loaded)
            if len(now) != len(self.modules) or not all(map(_is, now, self.modules)):
                return False
            for mapping, items in self.owns:
                current = _own_items(mapping)
                if len(current) != len(items):
                    return False
                for (name, value), (was_name, was) in zip(current, items):
                    if name != was_name or (value is not was and not self._equal(value, was)):
                        return False
            for record in self.checks:               # the common case inline: unchanged
                kind, value, t = record[0], record[1], record[2]
                if type(value) is t:
                    if kind == _SEQ:
                        items = record[3]
                        if len(value) == len(items) and all(map(_is, value, items)):
                            continue
                    elif kind == _DICT:
                        keys = record[3]
                        if len(value) == len(keys) and all(map(_is, value, keys)) \
                                and all(map(_is, value.values(), record[4])):
                            continue
                    elif kind == _OBJ:
                        if getattr(value, "__dict__", None) is record[3] and not record[4]:
                            continue
                if not self._holds(value, record, 0):
                    return False
        except Exception:  # a container that cannot be read back: not the same
            return False
        return True

    def _holds(self, live, record, depth):
        """Does ``live`` (of the record's type) hold what the record kept?"""
        kind, t = record[0], record[2]
        if type(live) is not t:
            return False
        if kind == _SEQ:
            return self._all_equal(live, record[3], depth)
        if kind == _DICT:
            keys = record[3]
            return (len(live) == len(keys) and all(map(_is, live, keys))
                    and self._all_equal(live.values(), record[4], depth))
        if kind == _SET:
            members = record[3]
            if len(live) != len(members):
                return False
            if all(map(_is, live, members)):
                return True
            if all(type(v) in _PLAIN for v in members) and all(type(v) in _PLAIN for v in live):
                return ({(type(v), repr(v)) for v in live}
                        == {(type(v), repr(v)) for v in members})
            return False
        attrs, names, held = record[3], record[4], record[5]
        now = getattr(live, "__dict__", None)
        if (now is None) != (attrs is None):
            return False
        if now is not attrs and not self._equal(now, attrs, depth + 1):
            return False
        return self._all_equal([getattr(live, name, None) for name in names], held, depth)

    def _all_equal(self, live, kept, depth):
        live = tuple(live)
        if len(live) != len(kept):
            return False
        if all(map(_is, live, kept)):
            return True
        return all(a is b or self._equal(a, b, depth + 1) for a, b in zip(live, kept))

    def _equal(self, live, was, depth=0):
        """``live`` (a new object) against ``was`` (an object of the snapshot, whose
        contents the snapshot kept): equal as ``fingerprint`` prints them."""
        t = type(was)
        if type(live) is not t:
            return False
        if t in _PLAIN:
            return live == was and repr(live) == repr(was)
        if isinstance(was, _SKIP):
            return True                       # fingerprint does not print these
        if depth > 40:
            return False
        record = self.index.get(id(was))
        if record is None:
            return False
        return self._holds(live, record, depth)


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
