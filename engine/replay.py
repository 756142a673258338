"""Strict replay of a canonical log: is it legal, complete and untampered?

``validate(log, resolve)`` checks the log's structure (JSON, seq, hash chain,
header, footer, event types), then replays every recorded move in a fresh load
of the exact game version, and stops at the first failure, reporting one of
the defect classes of DESIGN.md with an aspect / recorded / replayed table.
Replay never injects, coerces or skips a move.
"""
import contextlib
import hashlib
import json
import os
import tempfile
import time

from . import ENGINE_VERSION, LOG_FORMAT_VERSION
from . import log as logmod
from .checkpoint import apply_recorded
from .playthrough import (Actor, MoveError, PlayThrough, goal_message, is_goal,
                          state_phase, state_to_move)

CLASSES = ("structure", "illegal_move", "wrong_turn", "missing_bookkeeping",
           "spurious_bookkeeping", "state_mismatch", "bad_ending", "nondeterminism")
_MOVE_ERROR_CLASS = {"wrong_turn": "wrong_turn"}


class Failure(Exception):
    """The first defect found: class, step and the aspects that differ."""

    def __init__(self, cls, message, seq=None, step=None, event=None, diff=()):
        super().__init__(message)
        self.cls, self.message, self.seq, self.step = cls, message, seq, step
        self.event = event or {}
        self.diff = [{"aspect": a, "recorded": r, "replayed": p} for a, r, p in diff]

    def as_dict(self):
        return {"class": self.cls, "step": self.step, "seq": self.seq,
                "event": self.event.get("type"), "operator": self.event.get("op"),
                "op_name": self.event.get("op_name"), "args": self.event.get("args"),
                "message": self.message, "diff": self.diff}


def check_structure(lines, allow_open=False):
    """Parse and chain-check raw lines; returns the events or raises Failure."""
    events, prev = [], logmod.GENESIS
    for i, raw in enumerate(lines):
        try:
            ev = json.loads(raw)
        except ValueError as exc:
            raise Failure("structure", f"line {i + 1} is not valid JSON ({exc})", seq=i)
        if not isinstance(ev, dict):
            raise Failure("structure", f"line {i + 1} is not a JSON object", seq=i)
        if ev.get("seq") != i:
            raise Failure("structure", f"line {i + 1} has seq {ev.get('seq')!r}, expected {i}"
                          " (a line is missing, duplicated or out of order)", seq=i,
                          diff=[("seq", ev.get("seq"), i)])
        if ev.get("prev") != prev:
            raise Failure("structure", f"the hash chain breaks before line {i + 1}: line {i} "
                          "was changed, or a line was removed or inserted", seq=max(i - 1, 0),
                          diff=[("prev", ev.get("prev"), prev)])
        if ev.get("type") not in logmod.EVENT_TYPES:
            raise Failure("structure", f"line {i + 1} has unknown event type "
                          f"{ev.get('type')!r}", seq=i, event=ev)
        if (ev["type"] == logmod.HEADER) != (i == 0):
            raise Failure("structure", "the header must be the first line and only there", seq=i)
        if i and events[-1]["type"] == logmod.FOOTER:
            raise Failure("structure", f"line {i + 1} follows the footer", seq=i)
        events.append(ev)
        prev = logmod.line_hash(raw)
    if not events:
        raise Failure("structure", "the log is empty", seq=0)
    if events[-1]["type"] != logmod.FOOTER and not allow_open:
        raise Failure("structure", "the log has no footer (truncated or still open)",
                      seq=len(events))
    return events


class Replayer:
    """Replays validated-structure events against a fresh play-through."""

    def __init__(self, source, events, session_folder):
        header = events[0]
        self.events = events
        self.pt = PlayThrough(source, seed=header.get("seed", 0), config=header.get("config"),
                              session_folder=session_folder, auto_bookkeeping=False)
        self.hash_trail = [self.pt.hashes[-1]]
        self.phase_after = header.get("phase")
        self.goal_seen = False
        self.steps = 0

    def run(self, stop_at=None):
        self._check_header(self.events[0])
        for ev in self.events[1:stop_at]:
            handler = getattr(self, "_on_" + ev["type"], None)
            if handler is not None:
                handler(ev)
        return self

    def _compare(self, ev, cls, aspects):
        diff = [(a, r, p) for a, r, p in aspects if r != p]
        if diff:
            names = ", ".join(a for a, _, _ in diff)
            raise Failure(cls, f"replay disagrees with the record on {names}",
                          seq=ev["seq"], step=ev.get("k"), event=ev, diff=diff)

    def _check_header(self, h):
        pt = self.pt
        if h.get("game_version") != pt.source.version:
            raise Failure("structure", "the game version differs from the log's", seq=0,
                          diff=[("game_version", h.get("game_version"), pt.source.version)])
        self._compare(h, "state_mismatch", [
            ("state_hash", h.get("state_hash"), pt.hashes[-1]),
            ("phase", h.get("phase"), state_phase(pt.state)),
            ("to_move", h.get("to_move"), state_to_move(pt.state))])

    def _on_move(self, ev):
        pt, seq, k = self.pt, ev["seq"], ev.get("k")
        if is_goal(pt.state) or self.goal_seen:
            raise Failure("bad_ending", "a move is recorded after the goal was reached",
                          seq=seq, step=k, event=ev)
        if ev.get("phase_before") != self.phase_after:
            raise Failure("missing_bookkeeping", "this move starts in another phase than the "
                          "previous one ended: a phase was skipped without a recorded move",
                          seq=seq, step=k, event=ev,
                          diff=[("phase_before", ev.get("phase_before"), self.phase_after)])
        actor = ev.get("actor") or {}
        role, op_index, args = actor.get("role"), ev.get("op"), ev.get("args")
        self._check_bookkeeping(ev, role, op_index)
        try:
            op, args_ok, specs = pt.check_move(role, op_index, args)
        except MoveError as exc:
            self._illegal(ev, role, exc)
        if args_ok != args:
            raise Failure("illegal_move", "the arguments are not in their declared types",
                          seq=seq, step=k, event=ev, diff=[("args", args, args_ok)])
        try:
            new, message = pt.transition(op, args_ok, specs)
        except MoveError as exc:
            raise Failure("illegal_move", exc.message, seq=seq, step=k, event=ev)
        pt._push(new)
        pt.moves.append(ev)
        self.steps += 1
        self.hash_trail.append(pt.hashes[-1])
        self._compare(ev, "state_mismatch", [
            ("k", k, pt.k), ("phase_after", ev.get("phase_after"), state_phase(new)),
            ("to_move_after", ev.get("to_move_after"), state_to_move(new)),
            ("state_hash", ev.get("state_hash"), pt.hashes[-1]),
            ("message", ev.get("message"), message)])
        self.phase_after = ev.get("phase_after")

    def _check_bookkeeping(self, ev, role, op_index):
        pt, ops = self.pt, self.pt.operators
        op = ops[op_index] if type(op_index) is int and 0 <= op_index < len(ops) else None
        is_bk_op = bool(getattr(op, "bookkeeping", False))
        if ev.get("bookkeeping") or is_bk_op:
            if pt.forced_move(role) is None and role in pt.roles_to_move():
                choices = [i for i in pt.applicable(role)
                           if not getattr(ops[i], "bookkeeping", False)]
                if choices:
                    raise Failure("spurious_bookkeeping", "a bookkeeping move is recorded "
                                  "while the player had a real choice", seq=ev["seq"],
                                  step=ev.get("k"), event=ev,
                                  diff=[("choices available", 0, len(choices))])
            if ev.get("bookkeeping") and op is not None and not is_bk_op:
                raise Failure("spurious_bookkeeping", "a real decision is recorded as "
                              "bookkeeping", seq=ev["seq"], step=ev.get("k"), event=ev)
        elif op is None or not pt._precondition(op, pt.state):
            for r in pt.roles_to_move():
                forced = pt.forced_move(r)
                if forced is not None:
                    raise Failure("missing_bookkeeping", "a bookkeeping move was required "
                                  "here and something else was recorded", seq=ev["seq"],
                                  step=ev.get("k"), event=ev,
                                  diff=[("operator", op_index, forced)])

    def _illegal(self, ev, role, exc):
        cls = _MOVE_ERROR_CLASS.get(exc.code, "illegal_move")
        diff = []
        if cls == "wrong_turn":
            diff = [("to_move", role, self.pt.roles_to_move())]
        raise Failure(cls, exc.message, seq=ev["seq"], step=ev.get("k"), event=ev, diff=diff)

    def _on_undo(self, ev):
        pt, k = self.pt, ev.get("k")
        if self.goal_seen or type(k) is not int or not 0 <= k < pt.k:
            raise Failure("illegal_move", f"undo to step {k!r} is impossible at step {pt.k}",
                          seq=ev["seq"], step=k, event=ev)
        pt.undo_to(Actor(None, "", "host"), k)
        self.hash_trail.append(pt.hashes[-1])
        self._compare(ev, "state_mismatch", [
            ("state_hash", ev.get("state_hash"), pt.hashes[-1]),
            ("phase", ev.get("phase"), state_phase(pt.state)),
            ("to_move", ev.get("to_move"), state_to_move(pt.state))])
        self.phase_after = ev.get("phase")

    def _on_goal_reached(self, ev):
        pt = self.pt
        if not is_goal(pt.state):
            raise Failure("bad_ending", "the log records a goal the replay did not reach",
                          seq=ev["seq"], step=ev.get("k"), event=ev)
        self.goal_seen = True
        self._compare(ev, "bad_ending", [
            ("k", ev.get("k"), pt.k), ("message", ev.get("message"), goal_message(pt.state)),
            ("outcome", ev.get("outcome"), pt.outcome_for_roles())])

    def _on_artifact_saved(self, ev):
        args = self.pt.moves[-1].get("args") if self.pt.moves else None
        texts = [a for a in (args or []) if isinstance(a, str)]
        digests = {hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts}
        if args is None or ev.get("sha256") not in digests:
            raise Failure("state_mismatch", "the saved artifact is not the text of the move",
                          seq=ev["seq"], step=ev.get("k"), event=ev,
                          diff=[("sha256", ev.get("sha256"), sorted(digests))])

    def _on_playthrough_ended(self, ev):
        pt, reason = self.pt, ev.get("reason")
        reached = is_goal(pt.state)
        if reason not in logmod.END_REASONS:
            raise Failure("structure", f"unknown end reason {reason!r}", seq=ev["seq"], event=ev)
        if reached and not self.goal_seen:
            raise Failure("bad_ending", "the goal was reached but not recorded",
                          seq=ev["seq"], step=pt.k, event=ev, diff=[("reason", reason, "goal")])
        if self.goal_seen and reason != "goal":
            raise Failure("bad_ending", f"the goal was reached but the play-through ended as "
                          f"{reason!r}", seq=ev["seq"], step=pt.k, event=ev,
                          diff=[("reason", reason, "goal")])
        if reason == "goal" and not self.goal_seen:
            raise Failure("bad_ending", "the play-through ended as 'goal' without reaching it",
                          seq=ev["seq"], step=pt.k, event=ev)
        if reason == "stalled" and any(pt.applicable(r) for r in pt.roles_to_move()):
            raise Failure("bad_ending", "recorded as stalled, but a move was possible",
                          seq=ev["seq"], step=pt.k, event=ev)
        self._compare(ev, "state_mismatch", [
            ("k", ev.get("k"), pt.k), ("state_hash", ev.get("state_hash"), pt.hashes[-1])])


def _session_folder(source):
    """A fresh temporary session folder, only for games that use one."""
    if getattr(source, "uses_session_folder", True):
        return tempfile.TemporaryDirectory(prefix="szreplay-")
    return contextlib.nullcontext(os.path.join(tempfile.gettempdir(), "szreplay-unused"))


def _replay_once(source, events, stop_at=None):
    with _session_folder(source) as folder:
        replayer = Replayer(source, events, folder)
        try:
            return replayer.run(stop_at)
        finally:
            replayer.pt.close()


def _trail_only(source, events, stop_at):
    """Hashes of a trusting replay up to ``stop_at`` (for the determinism check)."""
    with _session_folder(source) as folder:
        pt = PlayThrough(source, seed=events[0].get("seed", 0), config=events[0].get("config"),
                         session_folder=folder, auto_bookkeeping=False)
        trail = [pt.hashes[-1]]
        try:
            for ev in events[1:stop_at]:
                if ev["type"] in ("move", "undo"):
                    apply_recorded(pt, ev)
                    trail.append(pt.hashes[-1])
        except (MoveError, KeyError, TypeError):
            pass
        finally:
            pt.close()
        return trail


def validate(source_log, resolve, allow_open=False, twice=False):
    """Validate one log; ``resolve(slug, version)`` returns a GameSource or None."""
    started = time.perf_counter()
    report = {"status": "canonical", "first_failure": None, "counts": {},
              "steps_replayed": 0, "seconds": 0.0, "game": None,
              "versions": {"engine": ENGINE_VERSION, "format": LOG_FORMAT_VERSION,
                           "game": None}}
    try:
        _validate_into(report, source_log, resolve, allow_open, twice)
    except Failure as failure:
        report["status"] = "non_canonical"
        report["first_failure"] = failure.as_dict()
        report["counts"] = {failure.cls: 1}
    except Exception as exc:  # the validator could not run (e.g. the game fails to load)
        report["status"] = "error"
        report["error"] = f"{type(exc).__name__}: {exc}"
    report["seconds"] = round(time.perf_counter() - started, 6)
    return report


def _validate_into(report, source_log, resolve, allow_open, twice):
    try:
        lines = logmod.read_lines(source_log)
    except OSError as exc:
        raise Failure("structure", f"the log cannot be read: {exc}", seq=0)
    events = check_structure(lines, allow_open)
    header = events[0]
    report["game"] = header.get("game")
    report["versions"]["game"] = header.get("game_version")
    if header.get("format") != LOG_FORMAT_VERSION:
        raise Failure("structure", f"unknown log format {header.get('format')!r}", seq=0)
    source = resolve(header.get("game"), header.get("game_version"))
    if source is None:
        raise Failure("structure", "unknown game version: no installed game "
                      f"{header.get('game')!r} has version {header.get('game_version')}", seq=0)
    first = None
    try:
        first = _replay_once(source, events)
    except Failure as failure:
        if failure.cls == "state_mismatch":
            _check_determinism(source, events, failure)
        raise
    finally:
        report["steps_replayed"] = first.steps if first else 0
    if twice:
        second = _trail_only(source, events, None)
        if second != first.hash_trail:
            step = next(i for i, (a, b) in enumerate(zip(first.hash_trail, second)) if a != b)
            raise Failure("nondeterminism", "two replays of the same log disagree",
                          step=step, diff=[("state_hash", first.hash_trail[step], second[step])])


def _check_determinism(source, events, failure):
    stop = failure.seq + 1 if failure.seq is not None else None
    a = _trail_only(source, events, stop)
    b = _trail_only(source, events, stop)
    if a != b:
        step = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        raise Failure("nondeterminism", "two replays of the same log disagree: the game "
                      "is not deterministic under its seed", seq=failure.seq, step=step,
                      event=failure.event,
                      diff=[("state_hash (replay 1 vs 2)", a[step] if step < len(a) else None,
                             b[step] if step < len(b) else None)])


def batch_summary(reports):
    """Sum a batch of reports: classes counted, every play-through tagged."""
    counts = {}
    for r in reports:
        for cls, n in r["counts"].items():
            counts[cls] = counts.get(cls, 0) + n
    statuses = [r["status"] for r in reports]
    status = ("canonical" if reports and all(s == "canonical" for s in statuses)
              else "error" if "error" in statuses or not reports else "non_canonical")
    return {"status": status, "logs": len(reports), "counts": counts,
            "canonical": statuses.count("canonical"), "reports": reports,
            "seconds": round(sum(r["seconds"] for r in reports), 6),
            "steps_replayed": sum(r["steps_replayed"] for r in reports)}
