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
import os
import tempfile

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


def trace(source, events, explain_at=None, scan_all=False):
    """Facts of every event of ``events`` (parsed, schema-checked); see the module."""
    header = events[0]
    with session_folder(source) as folder:
        try:
            pt = PlayThrough(source, seed=header["seed"], config=header.get("config"),
                             session_folder=folder, auto_bookkeeping=False,
                             log_format=header.get("format"))
        except MoveError as exc:
            return {"version": TRACE_VERSION, "start_error": exc.message}
        try:
            return Tracer(pt, scan_all).run(events, explain_at)
        finally:
            pt.close()


class Tracer:
    def __init__(self, pt, scan_all=False):
        self.pt = pt
        self.scan_all = scan_all
        self.ops = pt.operators
        self.bk = [bool(getattr(op, "bookkeeping", False)) for op in self.ops]

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
            i = pt.forced_move(r)
            if i is not None:
                found.append([_plain(r), i])
        return found

    def probe(self):
        pt = self.pt
        if is_goal(pt.state):
            return {"goal": True, "forced": [], "any_applicable": False}
        return {"goal": False, "forced": self.forced(),
                "any_applicable": any(pt.applicable(r) for r in pt.roles_to_move())}

    def legal(self):
        """What could have been recorded here: each role to move's applicable moves."""
        pt = self.pt
        if is_goal(pt.state):
            return {"goal": True, "moves": []}
        moves = []
        for r in pt.roles_to_move():
            for i in pt.applicable(r):
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
            before["choices"] = [i for i in pt.applicable(role) if not self.bk[i]] \
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
