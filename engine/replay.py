"""Validation of a canonical log: legal, complete and untampered, or where it is not.

``validate(log, resolve)`` checks, in this order and stopping at the first
failure: the log's structure (JSON, seq, hash chain, then every event's fields
against its format's schema, ``engine.schema``), the header against the game,
then the host's rules event by event (``Rules``): seats and actors, turn,
bookkeeping, undo, pause and resume, goal and end, every recorded field
compared.  What the game says at each step comes from one ``trace`` of the
whole log (``engine.trace``), made where the game's code runs (a game process
in the portal); the rules here never run game code, so a game cannot bend them.

Reports are typed: ``line`` is 1-based everywhere, ``step`` is the step number
the replay reached (an integer or null, never a value copied from the log),
``steps_replayed`` counts the moves replayed before the failure, and
``explain`` lists the moves that were legal where the log went wrong.
"""
import contextlib
import json
import os
import tempfile
import time

from . import ENGINE_VERSION, LOG_FORMAT_VERSION
from . import log as logmod
from . import schema
from .checkpoint import apply_recorded
from .playthrough import MoveError, PlayThrough

CLASSES = ("structure", "illegal_move", "wrong_turn", "missing_bookkeeping",
           "spurious_bookkeeping", "state_mismatch", "bad_ending", "nondeterminism")
FORMATS = (1, 2)
REPORT_SCHEMA = "szportal.validation.v2"
VALIDATOR_VERSION = "2.0.0"
_MOVE_ERROR_CLASS = {"wrong_turn": "wrong_turn", "wrong_role": "illegal_move"}


def _safe(value, limit=300):
    """A recorded value fit for a report: plain values as they are, anything bigger as
    short text (a forger's structure is never echoed as structure)."""
    if value is None or type(value) in (bool, int, float):
        return value
    if type(value) is str:
        return value if len(value) <= limit else value[:limit - 1] + "…"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        return type(value).__name__
    if len(text) <= limit:
        return value
    return text[:limit - 1] + "…"


def same(a, b, depth=0):
    """Equal as JSON values, types included: 23 and 23.0, 1 and true, are not the same
    recorded value (a tuple and a list are: JSON has only arrays)."""
    ta, tb = type(a), type(b)
    if ta in (list, tuple) and tb in (list, tuple):
        return len(a) == len(b) and depth < 64 and all(
            same(x, y, depth + 1) for x, y in zip(a, b))
    if ta is not tb:
        return False
    if ta is dict:
        return (len(a) == len(b) and depth < 64
                and all(k in b and same(v, b[k], depth + 1) for k, v in a.items()))
    return a == b


class Failure(Exception):
    """The first defect found: class, where, and the aspects that differ."""

    def __init__(self, cls, message, seq=None, step=None, event=None, diff=()):
        super().__init__(message)
        self.cls, self.message = cls, message
        self.seq = seq if type(seq) is int else None
        self.step = step if type(step) is int else None
        self.event = event if isinstance(event, dict) else {}
        self.diff = [{"aspect": a, "recorded": _safe(r), "replayed": _safe(p)}
                     for a, r, p in diff]
        self.explain = None

    def as_dict(self):
        ev = self.event
        kind = ev.get("type")
        return {"class": self.cls, "step": self.step, "seq": self.seq,
                "line": self.seq + 1 if self.seq is not None else None,
                "event": kind if kind in logmod.EVENT_TYPES else None,
                "operator": ev.get("op") if type(ev.get("op")) is int else None,
                "op_name": _safe(ev.get("op_name"), 200) if type(ev.get("op_name")) is str
                else None,
                "args": _safe(ev.get("args")) if type(ev.get("args")) is list else None,
                "message": self.message, "diff": self.diff, "explain": self.explain}


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


# NaN and Infinity are not JSON: the log writer refuses them (allow_nan=False).
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _parse(raw, i):
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        ev = _DECODER.decode(text)
        if "\\ud" in text or "\\uD" in text:
            # an escaped surrogate: a pair is one character, a lone one is not text
            # (the writer, which writes UTF-8, cannot have written it)
            json.dumps(ev, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise Failure("structure", f"line {i + 1} holds text that is not Unicode (a lone "
                      "surrogate, or bytes that are not UTF-8)", seq=i) from None
    except RecursionError:
        raise Failure("structure", f"line {i + 1} is nested too deeply to be a log line",
                      seq=i) from None
    except ValueError as exc:
        raise Failure("structure", f"line {i + 1} is not valid JSON ({exc})", seq=i) from None
    if not isinstance(ev, dict):
        raise Failure("structure", f"line {i + 1} is not a JSON object", seq=i)
    return ev


def check_structure(lines, allow_open=False):
    """Parse and chain-check raw lines, then check every event against its format's
    schema; returns the events or raises Failure (class ``structure``)."""
    events, prev = [], logmod.GENESIS
    for i, raw in enumerate(lines):
        ev = _parse(raw, i)
        if ev.get("seq") != i or type(ev.get("seq")) is not int:
            raise Failure("structure", f"line {i + 1} has seq {schema.short(ev.get('seq'))}, "
                          f"expected {i} (a line is missing, duplicated or out of order)",
                          seq=i, diff=[("seq", ev.get("seq"), i)])
        if ev.get("prev") != prev:
            raise Failure("structure", f"the hash chain breaks after line {i}: line {i} was "
                          "changed, or a line was removed or inserted", seq=max(i - 1, 0),
                          diff=[("prev", ev.get("prev"), prev)])
        if ev.get("type") not in logmod.EVENT_TYPES:
            raise Failure("structure", f"line {i + 1} has unknown event type "
                          f"{schema.short(ev.get('type'))}", seq=i)
        if (ev["type"] == logmod.HEADER) != (i == 0):
            raise Failure("structure", f"line {i + 1}: the header must be the first line "
                          "and only there", seq=i)
        if i and events[-1]["type"] == logmod.FOOTER:
            raise Failure("structure", f"line {i + 1} follows the footer", seq=i)
        events.append(ev)
        prev = logmod.line_hash(raw)
    if not events:
        raise Failure("structure", "the log is empty", seq=0)
    fmt = events[0].get("format")
    if type(fmt) is not int or fmt not in FORMATS:
        raise Failure("structure", f"unknown log format {schema.short(fmt)} (this validator "
                      f"reads formats {', '.join(map(str, FORMATS))})", seq=0)
    try:
        for i, ev in enumerate(events):
            schema.check_event(ev, fmt, i + 1)
        schema.check_times(events)
    except schema.SchemaError as exc:
        line = int(str(exc).split(":")[0].split()[-1])
        raise Failure("structure", str(exc), seq=line - 1, event=events[line - 1]) from None
    if events[-1]["type"] != logmod.FOOTER and not allow_open:
        raise Failure("structure", "the log has no footer (truncated, or still open)",
                      seq=len(events) - 1)
    return events


def tip_of(lines):
    """(seq, hash) of a log's last line: what a row or a verdict knows of the chain."""
    return (len(lines) - 1, logmod.line_hash(lines[-1])) if lines else (None, None)


class Rules:
    """The host's rules, event by event, against the game's trace of the log."""

    def __init__(self, events, trace, allow_open=False):
        self.events, self.trace, self.allow_open = events, trace, allow_open
        header = events[0]
        self.fmt = header["format"]
        self.ops = trace["ops"]
        self.roles = {r["num"]: r for r in header["roles"]}
        self.active = list(header["config"].get("active_roles") or [])
        self.seats = {}
        for seat in header["seats"]:
            self.seats.setdefault(seat["role"], []).append(seat)
        now = trace["initial"]
        self.k, self.parallel, self.phase = 0, now["parallel"], now["phase"]
        self.roles_to_move = now["roles_to_move"]
        self.goal_now = now["goal"]
        self.hashes = [now["state_hash"]]       # state hash at each step of the stack
        self.moves = []                         # the recorded moves on the stack
        self.at_seq = {0: (0, now["state_hash"])}
        self.paused = False
        self.goal_seen = False
        self.steps = 0
        self.artifacts = {}

    # -- helpers ------------------------------------------------------------------------
    def fail(self, cls, message, ev, diff=()):
        """Stop at ``ev``; its step is the one a move would make, else the step reached."""
        step = self.k + 1 if ev.get("type") == "move" else self.k
        raise Failure(cls, message, seq=ev["seq"], step=step, event=ev, diff=diff)

    def compare(self, ev, cls, aspects):
        diff = [(a, r, p) for a, r, p in aspects if not same(r, p)]
        if diff:
            names = ", ".join(a for a, _, _ in diff)
            self.fail(cls, f"line {ev['seq'] + 1}: the replay disagrees with the record on "
                      f"{names}", ev, diff)

    def role_name(self, r):
        role = self.roles.get(r)
        return role["name"] if role else f"role {r}"

    # -- header -------------------------------------------------------------------------
    def header(self, source_version):
        h, now = self.events[0], self.trace["initial"]
        if h["game_version"] != source_version:
            raise Failure("structure", "the game version differs from the log's", seq=0,
                          diff=[("game_version", h["game_version"], source_version)])
        roles = self.trace["roles"]
        if not same(h["roles"], roles):
            raise Failure("structure", "line 1: the header's roles are not the game's",
                          seq=0, event=h, diff=[("roles", h["roles"], roles)])
        players = {r["num"] for r in roles if not r["observer"]}
        active = h["config"].get("active_roles")
        if type(active) is not list or not active or any(type(r) is not int for r in active) \
                or not set(active) <= players or len(set(active)) != len(active):
            raise Failure("structure", "line 1: the active roles must be some of the game's "
                          "playing roles", seq=0, event=h,
                          diff=[("active_roles", active, sorted(players))])
        numbers = {r["num"] for r in roles}
        for seat in h["seats"]:          # (an observer's seat is a seat too)
            if seat["role"] not in numbers:
                raise Failure("structure", f"line 1: a seat is in role {seat['role']}, which "
                              "the game does not have", seq=0, event=h)
        if h["seats"] and not set(active) <= {s["role"] for s in h["seats"]}:
            raise Failure("structure", "line 1: an active role has no seat", seq=0, event=h,
                          diff=[("seated roles", sorted({s["role"] for s in h["seats"]}),
                                 active)])
        self.compare(h, "state_mismatch", [
            ("state_hash", h["state_hash"], now["state_hash"]), ("phase", h["phase"], now["phase"]),
            ("to_move", h["to_move"], now["to_move"]), ("parallel", h["parallel"],
                                                         now["parallel"])])

    # -- the walk -----------------------------------------------------------------------
    def run(self, source_version):
        self.header(source_version)
        steps = self.trace["steps"]
        for i in range(1, len(self.events)):
            ev = self.events[i]
            facts = steps[i] if i < len(steps) else None
            getattr(self, "on_" + ev["type"])(ev, facts)
            self.at_seq[i] = (self.k, self.hashes[-1])
            if self.trace.get("stop") == i:          # the game refused; the rule said why
                self.fail("illegal_move", "the game refused this event", ev)
        # An open log (a live play-through) may stop anywhere a host could; a forced
        # move may still be pending there (a resume settles it first).
        return self

    def settled(self, ev, facts):
        """Before any event but a move: the host settles forced moves after every move
        (and records a goal), so none may be pending here."""
        if facts is None:
            return
        if facts.get("goal") and not self.goal_seen and ev["type"] != "goal_reached":
            self.fail("bad_ending", f"line {ev['seq'] + 1}: the goal was reached, but the "
                      "log records it nowhere", ev)
        forced = facts.get("forced") or []
        if forced and not self.goal_seen:
            role, op = forced[0]
            self.fail("missing_bookkeeping", f"line {ev['seq'] + 1}: a forced move of "
                      f"{self.role_name(role)} was due and is not recorded", ev,
                      [("next move", None, {"role": role, "op": op})])

    def on_move(self, ev, facts):
        actor, op = ev["actor"], ev["op"]
        role, kind = actor["role"], actor["kind"]
        if self.goal_seen or (facts and facts.get("before", {}).get("goal")):
            self.fail("bad_ending", "a move is recorded after the goal was reached", ev)
        if self.paused:
            self.fail("illegal_move", "a move is recorded while the play-through is paused",
                      ev)
        if facts is None:
            self.fail("illegal_move", "the game did not replay this move", ev)
        before = facts["before"]
        if type(op) is not int or not 0 <= op < len(self.ops):
            self.fail("illegal_move", f"there is no operator {op}", ev)
        bk_op = self.ops[op]["bookkeeping"]
        claimed = ev["bookkeeping"] or kind == "host" or bk_op
        forced = before.get("forced")
        if claimed:
            self.bookkeeping(ev, role, kind, op, bk_op, forced or [], before)
        else:
            if forced:
                due_role, due_op = forced[0]
                self.fail("missing_bookkeeping", "a forced move was due here and a decision "
                          "is recorded instead", ev,
                          [("next move", {"role": role, "op": op},
                            {"role": due_role, "op": due_op})])
            self.seated(ev, actor)
        if facts.get("ok") is False:
            code = facts.get("code")
            cls = _MOVE_ERROR_CLASS.get(code, "illegal_move")
            diff = [("to_move", role, before.get("roles_to_move"))] if cls == "wrong_turn" \
                else []
            self.fail(cls, f"line {ev['seq'] + 1}: {facts.get('message')}", ev, diff)
        if not same(ev["phase_before"], self.phase):
            self.fail("missing_bookkeeping", "this move starts in another phase than the "
                      "previous one ended: a phase was skipped without a recorded move", ev,
                      [("phase_before", ev["phase_before"], self.phase)])
        if not same(ev["args"], facts["args"]):
            self.fail("illegal_move", "the arguments are not in their declared types", ev,
                      [("args", ev["args"], facts["args"])])
        self.compare(ev, "state_mismatch", [
            ("k", ev["k"], facts["k"]), ("op_name", ev["op_name"], before.get("op_name")),
            ("to_move_before", ev["to_move_before"], before["to_move"]),
            ("parallel_before", ev["parallel_before"], before["parallel"]),
            ("phase_after", ev["phase_after"], facts["phase"]),
            ("to_move_after", ev["to_move_after"], facts["to_move"]),
            ("state_hash", ev["state_hash"], facts["state_hash"]),
            ("message", ev["message"], facts["message"])])
        self.k = facts["k"]
        self.hashes.append(facts["state_hash"])
        self.moves.append(ev)
        self.steps += 1
        self.phase, self.parallel = facts["phase"], facts["parallel"]
        self.roles_to_move = facts["roles_to_move"]

    def bookkeeping(self, ev, role, kind, op, bk_op, forced, before):
        due = forced[0] if forced else None
        if not bk_op:
            what = "with the host's kind" if kind == "host" else "as bookkeeping"
            self.fail("spurious_bookkeeping", f"a real decision is recorded {what}", ev,
                      [("operator is bookkeeping", True, False)])
        if due is None:
            choices = before.get("choices") or []
            self.fail("spurious_bookkeeping", "a bookkeeping move is recorded where none was "
                      "forced" + (" (the player had a real choice)" if choices else ""), ev,
                      [("forced move", {"role": role, "op": op}, None),
                       ("choices available", 0, len(choices))])
        if [role, op] != list(due):
            nxt = next((e for e in self.events[ev["seq"] + 1:] if e["type"] == "move"), None)
            if nxt is not None and [nxt["actor"]["role"], nxt["op"]] == list(due):
                self.fail("spurious_bookkeeping", "an extra bookkeeping move is recorded "
                          "before the one that was due", ev,
                          [("forced move", {"role": role, "op": op},
                            {"role": due[0], "op": due[1]})])
            self.fail("missing_bookkeeping", "another forced move was due here: it is not "
                      "recorded, and a later one is", ev,
                      [("forced move", {"role": role, "op": op},
                        {"role": due[0], "op": due[1]})])
        if kind != "host" or not ev["bookkeeping"] or ev["actor"].get("participant") \
                or ev["actor"].get("name") not in (None, "host"):
            self.fail("missing_bookkeeping", "the forced move is recorded as a player's: the "
                      "host's bookkeeping move is missing", ev,
                      [("actor kind", kind, "host"), ("bookkeeping", ev["bookkeeping"], True)])

    def seated(self, ev, actor):
        role, kind = actor["role"], actor["kind"]
        if role not in self.active:
            self.fail("illegal_move", f"{self.role_name(role)} is not an active role", ev,
                      [("role", role, self.active)])
        seats = self.seats.get(role)
        if not self.events[0]["seats"] and not any(self.seats.values()):
            return                      # a log made without seats (the engine's own tools)
        who = "participant" if self.fmt >= 2 else "name"
        if not seats or not any(s[who] == actor.get(who) and s["kind"] == kind
                                for s in seats):
            self.fail("illegal_move", f"the actor is not seated in {self.role_name(role)}", ev,
                      [("actor", {who: actor.get(who), "kind": kind},
                        [{who: s[who], "kind": s["kind"]} for s in seats or []])])

    def on_undo(self, ev, facts):
        if facts and facts.get("forced_before") and not self.goal_seen:
            role, op = facts["forced_before"][0]
            self.fail("missing_bookkeeping", f"line {ev['seq'] + 1}: a forced move of "
                      f"{self.role_name(role)} was due before this undo and is not recorded",
                      ev, [("next move", None, {"role": role, "op": op})])
        if self.goal_seen:
            self.fail("bad_ending", "an undo is recorded after the goal was reached", ev)
        if self.paused:
            self.fail("illegal_move", "an undo is recorded while the play-through is paused",
                      ev)
        actor = ev["actor"]
        last = next((i for i in range(len(self.moves) - 1, -1, -1)
                     if self.moves[i]["actor"]["kind"] != "host"), None)
        if last is None:
            self.fail("illegal_move", "an undo is recorded with no decision to undo", ev)
        decision = self.moves[last]
        target = decision["k"] - 1
        if actor["kind"] == "host":
            self.fail("illegal_move", "the host never undoes a move; an undo is asked for", ev)
        if ev["k"] != target:
            self.fail("illegal_move", f"an undo goes back only over the last decision and "
                      f"its forced moves (to step {target}), not to step {ev['k']}", ev,
                      [("k", ev["k"], target)])
        if not ev["owner"]:
            who = "participant" if self.fmt >= 2 else "name"
            if actor["role"] != decision["actor"]["role"] \
                    or actor.get(who) != decision["actor"].get(who):
                self.fail("illegal_move", "only the player who made the last decision, or "
                          "the owner, may undo it", ev,
                          [("actor", _who(actor, who), _who(decision["actor"], who))])
        op = self.ops[decision["op"]]
        if (decision["parallel_before"] or self.parallel) and not op["allow_undo"]:
            self.fail("illegal_move", "a move of a simultaneous phase is undone", ev)
        if facts is None or facts.get("ok") is False:
            self.fail("illegal_move", f"undo to step {ev['k']} is impossible", ev)
        self.compare(ev, "state_mismatch", [
            ("state_hash", ev["state_hash"], facts["state_hash"]),
            ("phase", ev["phase"], facts["phase"]), ("to_move", ev["to_move"],
                                                     facts["to_move"])])
        del self.moves[last:]
        del self.hashes[ev["k"] + 1:]
        self.k = ev["k"]
        self.phase, self.parallel = facts["phase"], facts["parallel"]
        self.roles_to_move = facts["roles_to_move"]

    def on_paused(self, ev, facts):
        self.settled(ev, facts)
        if self.paused:
            self.fail("illegal_move", "paused while already paused", ev)
        self.paused = True
        self.compare(ev, "state_mismatch", [("k", ev["k"], self.k)])

    def on_resumed(self, ev, facts):
        self.settled(ev, facts)
        if not self.paused:
            self.fail("illegal_move", "resumed with no pause before it", ev)
        self.paused = False
        self.compare(ev, "state_mismatch", [("k", ev["k"], self.k)])

    def _presence(self, ev, facts):
        # Anyone at the table may come and go (watchers and the owner too); only who
        # moves is checked against the seats.
        self.settled(ev, facts)

    on_player_joined = on_player_left = on_player_reconnected = _presence

    def on_seat_changed(self, ev, facts):
        self.settled(ev, facts)
        if ev["role"] not in self.active:
            self.fail("illegal_move", f"{self.role_name(ev['role'])} is not an active role", ev)
        before = self.seats.get(ev["role"]) or []
        if not same(ev["previous"], before):
            self.fail("state_mismatch", "the seat's previous holders are not the log's", ev,
                      [("previous", ev["previous"], before)])
        new = {k: ev[k] for k in ("role", "participant", "kind")}
        if ev.get("shared"):
            if any(s.get("participant") == new["participant"] for s in before):
                self.fail("illegal_move", "the participant already holds the role", ev)
            self.seats[ev["role"]] = list(before) + [new]
        else:
            self.seats[ev["role"]] = [new]

    def on_artifact_saved(self, ev, facts):
        last = self.moves[-1] if self.moves else None
        texts = [a for a in (last["args"] if last else []) if isinstance(a, str)]
        import hashlib
        by_digest = {hashlib.sha256(t.encode("utf-8")).hexdigest(): t for t in texts}
        text = by_digest.get(ev["sha256"])
        if last is None or text is None:
            self.fail("state_mismatch", "the saved artifact is not the text of the move", ev,
                      [("sha256", ev["sha256"], sorted(by_digest))])
        version = self.artifacts.get(ev["name"], 0) + 1
        self.compare(ev, "state_mismatch", [
            ("k", ev["k"], self.k), ("version", ev["version"], version),
            ("words", ev["words"], len(text.split())), ("actor", ev["actor"], last["actor"])])
        self.artifacts[ev["name"]] = version

    def on_checkpoint_written(self, ev, facts):
        self.settled(ev, facts)
        at = ev["log_seq"]
        if not 0 <= at < ev["seq"] or at not in self.at_seq:
            self.fail("state_mismatch", f"the checkpoint names line {at + 1} of the log, "
                      "which is not before it", ev, [("log_seq", at, ev["seq"] - 1)])
        k, state_hash = self.at_seq[at]
        self.compare(ev, "state_mismatch", [("k", ev["k"], k), ("state_hash", ev["state_hash"],
                                                                 state_hash)])

    def on_goal_reached(self, ev, facts):
        if self.goal_seen:
            self.fail("bad_ending", "the goal is recorded twice", ev)
        if not facts or not facts.get("goal"):
            self.fail("bad_ending", "the log records a goal the replay did not reach", ev)
        self.goal_seen = True
        self.compare(ev, "bad_ending", [
            ("k", ev["k"], self.k), ("message", ev["message"], facts["message"]),
            ("outcome", ev["outcome"], facts["outcome"]),
            ("state_hash", ev["state_hash"], self.hashes[-1])])

    def on_playthrough_ended(self, ev, facts):
        reason = ev["reason"]
        if reason not in logmod.END_REASONS:
            self.fail("structure", f"unknown end reason {schema.short(reason)}", ev)
        reached = bool(facts and facts.get("goal"))
        if reached and not self.goal_seen:
            self.fail("bad_ending", "the goal was reached but not recorded", ev,
                      [("reason", reason, "goal")])
        if self.goal_seen and reason != "goal":
            self.fail("bad_ending", f"the goal was reached but the play-through ended as "
                      f"{reason!r}", ev, [("reason", reason, "goal")])
        if reason == "goal" and not self.goal_seen:
            self.fail("bad_ending", "the play-through ended as 'goal' without reaching it", ev)
        self.settled(ev, facts)
        if reason == "stalled" and facts and facts.get("any_applicable"):
            self.fail("bad_ending", "recorded as stalled, but a move was possible", ev)
        self.compare(ev, "state_mismatch", [
            ("k", ev["k"], self.k), ("state_hash", ev["state_hash"], self.hashes[-1])])

def _who(actor, who):
    return {"role": actor.get("role"), who: actor.get(who)}


def in_process_tracer(source, events, explain_at=None):
    from .trace import trace
    return trace(source, events, explain_at=explain_at)


def new_report():
    return {"schema": REPORT_SCHEMA, "validator": VALIDATOR_VERSION,
            "status": "canonical", "first_failure": None, "counts": {},
            "steps_replayed": 0, "seconds": 0.0, "game": None,
            "versions": {"engine": ENGINE_VERSION, "format": None, "game": None},
            "signature": None, "tip": None}


@contextlib.contextmanager
def _judging(report):
    """A Failure becomes a non-canonical verdict; anything else, an ``error`` report."""
    started = time.perf_counter()
    try:
        yield
    except Failure as failure:
        report["status"] = "non_canonical"
        report["first_failure"] = failure.as_dict()
        report["counts"] = {failure.cls: 1}
    except Exception as exc:  # the validator could not run (e.g. the game fails to load)
        report["status"] = "error"
        report["error"] = f"{type(exc).__name__}: {exc}"[:2000]
    report["seconds"] = round(report["seconds"] + time.perf_counter() - started, 6)


def validate(source_log, resolve, allow_open=False, twice=False, tracer=None,
             retrace=None, keyring=None, against=False):
    """Validate one log.  ``resolve(slug, version)`` returns the game (what ``tracer``
    takes) or None; ``tracer(game, events, explain_at=None)`` returns the game's trace
    (default: in this process); ``retrace(game, events)`` a trace made in another
    process, for telling a game that is not deterministic from a tampered log;
    ``keyring`` (engine.signing.Keyring) the keys whose signatures count as valid;
    ``against``: ``resolve`` answers with another version of the game on purpose (the
    parity check: where does this log diverge under that version?)."""
    report = new_report()
    tracer = tracer or in_process_tracer
    with _judging(report):
        events, source, _ = _prepare(report, source_log, resolve, allow_open, keyring)
        _judge(report, events, source, tracer(source, events), tracer, retrace, against,
               allow_open, twice)
    return report


def validate_batch(logs, resolve, allow_open=False, tracer=None, tracer_many=None,
                   retrace=None, keyring=None, chunk=64):
    """Reports of many logs: structure and rules here, the game's traces of the logs of
    one version made ``chunk`` at a time in one call (``tracer_many(game, [events],
    [lines])``: the parsed events and the raw lines they were read from),
    so a game process starts once and answers once per chunk."""
    tracer = tracer or in_process_tracer
    if tracer_many is None:
        from .trace import trace_many

        def tracer_many(source, many, lines=None):
            return trace_many(source, many)
    reports, pending = [], {}
    for log in logs:
        report = new_report()
        reports.append(report)
        with _judging(report):
            events, source, lines = _prepare(report, log, resolve, allow_open, keyring)
            key = getattr(source, "version", None) or id(source)
            pending.setdefault(key, (source, []))[1].append((report, events, lines))
    for source, items in pending.values():
        for start in range(0, len(items), chunk):
            part = items[start:start + chunk]
            began = time.perf_counter()
            try:
                traces = tracer_many(source, [events for _, events, _ in part],
                                     [lines for _, _, lines in part])
            except Exception as exc:  # the game could not trace: each log says so
                for report, _, _ in part:
                    report.update(status="error", error=f"{type(exc).__name__}: {exc}"[:2000])
                continue
            share = (time.perf_counter() - began) / len(part)
            for (report, events, _), trace in zip(part, traces):
                report["seconds"] += share
                with _judging(report):
                    _judge(report, events, source, trace, tracer, retrace, False,
                           allow_open, False)
    return reports


def _prepare(report, source_log, resolve, allow_open, keyring):
    try:
        lines = logmod.read_lines(source_log)
    except OSError as exc:
        raise Failure("structure", f"the log cannot be read: {exc}", seq=0) from None
    seq, tip = tip_of(lines)
    report["tip"] = {"seq": seq, "hash": tip} if tip else None
    try:
        events = check_structure(lines, allow_open)
    finally:
        report["signature"] = _signature(lines, keyring)
    header = events[0]
    report["ended"] = events[-1]["type"] == logmod.FOOTER
    report["game"] = header["game"]
    report["versions"]["game"] = header["game_version"]
    report["versions"]["format"] = header["format"]
    source = resolve(header["game"], header["game_version"])
    if source is None:
        raise Failure("structure", "unknown game version: no installed game "
                      f"{header['game']!r} has version {header['game_version']}", seq=0)
    return events, source, lines


def _judge(report, events, source, trace, tracer, retrace, against, allow_open, twice):
    header = events[0]
    if trace.get("start_error"):
        raise Failure("illegal_move", f"the game does not start from this header: "
                      f"{trace['start_error']}", seq=0, event=header)
    version = getattr(source, "version", None) or header["game_version"]
    if against:
        report["versions"]["replayed_with"] = version
        version = header["game_version"]      # the parity check: not a version mismatch
    rules = Rules(events, trace, allow_open)
    try:
        rules.run(version)
    except Failure as failure:
        report["steps_replayed"] = rules.steps
        if failure.cls == "state_mismatch":
            _check_determinism(source, events, failure, trace, tracer, retrace)
        _explain(failure, source, events, trace, tracer)
        raise
    report["steps_replayed"] = rules.steps
    if twice:
        other = (retrace or tracer)(source, events)
        a, b = _trail(trace), _trail(other)
        if a != b:
            step = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            raise Failure("nondeterminism", "two replays of the same log disagree", step=step,
                          diff=[("state_hash", a[step] if step < len(a) else None,
                                 b[step] if step < len(b) else None)])


def _signature(lines, keyring):
    """The footer's signature checked against the trusted keys (or just its presence)."""
    from .signing import ABSENT, Keyring
    if not lines:
        return {"status": ABSENT}
    try:
        footer = json.loads(lines[-1])
    except (ValueError, RecursionError):
        return {"status": ABSENT}
    if not isinstance(footer, dict) or footer.get("type") != logmod.FOOTER:
        return {"status": ABSENT, "note": "the log has no footer"}
    sig = footer.get("signature")
    ring = keyring if keyring is not None else Keyring()
    status = ring.verify("footer", footer, sig)
    key = sig.get("key") if isinstance(sig, dict) and type(sig.get("key")) is str else None
    return {"status": status, "key": _safe(key, 64)}


def _trail(trace):
    return [trace["initial"]["state_hash"]] + [
        s.get("state_hash") for s in trace["steps"][1:]
        if s is not None and "state_hash" in s and s.get("ok") is not False]


def _check_determinism(source, events, failure, trace, tracer, retrace):
    other = (retrace or tracer)(source, events)
    a, b = _trail(trace), _trail(other)
    if a != b:
        step = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        raise Failure("nondeterminism", "two replays of the same log disagree: the game is "
                      "not deterministic under its seed (it depends on something besides the "
                      "seed and the moves, e.g. the order of a set of strings)",
                      seq=failure.seq, step=step, event=failure.event,
                      diff=[("state_hash (replay 1 vs 2)", a[step] if step < len(a) else None,
                             b[step] if step < len(b) else None)]) from None


def _explain(failure, source, events, trace, tracer):
    """The moves that were legal where the log went wrong."""
    if failure.seq is None or failure.seq < 1 or failure.cls in ("structure",
                                                                 "nondeterminism"):
        return
    if trace.get("stop") == failure.seq and trace.get("explain") is not None:
        failure.explain = trace["explain"]
        return
    try:
        found = tracer(source, events, explain_at=failure.seq)
    except Exception:  # the explanation is a courtesy: the verdict stands without it
        return
    failure.explain = found.get("explain")


def _session_folder(source):
    """A fresh temporary session folder, only for games that use one."""
    if getattr(source, "uses_session_folder", True):
        return tempfile.TemporaryDirectory(prefix="szreplay-")
    return contextlib.nullcontext(os.path.join(tempfile.gettempdir(), "szreplay-unused"))


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
