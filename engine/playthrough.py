"""Run one play-through of a game: moves, bookkeeping, undo, goal, log.

A :class:`PlayThrough` owns a private load of the game, a seeded random
generator, the state stack and (optionally) a log writer.  ``apply`` is the
move path: it checks everything a player could get wrong, calls the game once,
records the move, then lets the host apply and record any forced bookkeeping
moves.  Every refusal raises :class:`MoveError` and leaves the state, the
stack and the log as they were.
"""
import contextlib
import dataclasses
import hashlib
import logging
import os
import re
import threading
import traceback

from . import ENGINE_VERSION, LOG_FORMAT_VERSION
from . import params as params_mod
from . import rng as rng_mod
from . import serialize, views
from .log import END_REASONS, FOOTER, HEADER, LogWriteError

log = logging.getLogger(__name__)
_VIEW_RNG_SEED = 0x5A5A
# What game code may raise: a game's ``sys.exit`` or ``KeyboardInterrupt`` in a move
# refuses the move like any other error (it must never end the host).
GAME_ERRORS = (Exception, SystemExit, KeyboardInterrupt)
NOT_RECORDED = ("the move could not be recorded ({reason}); nothing changed: "
                "the game is as it was before this move")


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who makes a move: a role number, a display name (never logged from format 2
    on), a kind, and the participant's pseudonymous id (what format 2 logs)."""

    role: int | None
    name: str = ""
    kind: str = "human"  # human | bot | host
    participant: str | None = None

    def __post_init__(self):
        # Callers outside the portal (the engine's own tools, tests) may name an actor
        # only; the portal always passes the participant's pseudonymous id.
        if self.participant is None and self.kind != "host" and self.name:
            object.__setattr__(self, "participant", self.name)

    def as_dict(self, fmt=LOG_FORMAT_VERSION):
        if fmt == 1:
            return {"role": self.role, "name": self.name, "kind": self.kind}
        return {"role": self.role, "participant": self.participant, "kind": self.kind}

    @classmethod
    def from_dict(cls, data):
        """An actor from its record (either format) or from a host's message."""
        data = data if isinstance(data, dict) else {}
        participant = data.get("participant")
        return cls(data.get("role"), str(data.get("name") or ""),
                   str(data.get("kind") or "human"),
                   str(participant) if participant is not None else None)

    def message(self):
        """Every field (what a host sends a game process)."""
        return dataclasses.asdict(self)

    def same_person(self, record):
        """Whether a recorded actor (either format) is this one."""
        if "participant" in record:
            return record.get("participant") == self.participant
        return record.get("name") == self.name


HOST = "host"


def seat_record(seat, fmt=LOG_FORMAT_VERSION):
    """A seat as the header lists it: format 2 names the participant, never the person."""
    if fmt == 1:
        return {k: seat.get(k) for k in ("role", "name", "kind")}
    return {k: seat.get(k) for k in ("role", "participant", "kind")}


def seats_after_change(seats, ev):
    """The seats after a ``seat_changed`` event: the new holder replaces the role's
    holders, or (``shared``) joins them."""
    role = ev.get("role")
    new = {k: ev.get(k) for k in ("role", "participant", "kind")}
    if ev.get("shared"):
        return [dict(s) for s in seats] + [new]
    return [dict(s) for s in seats if s.get("role") != role] + [new]


class MoveError(Exception):
    """A refused move.  ``code`` is machine-readable, the message is for people."""

    def __init__(self, code, message, detail=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


@dataclasses.dataclass
class Role:
    num: int
    name: str
    description: str
    observer: bool

    def as_dict(self):
        return {"num": self.num, "name": self.name, "observer": self.observer}


OBSERVER_NAME_RE = re.compile(r"\b(observers?|spectators?|watchers?|audience)\b", re.I)


def read_roles(formulation):
    spec = getattr(formulation, "roles_spec", None)
    roles = list(getattr(spec, "roles", None) or [])
    if not roles:
        return [Role(0, "Player", "", False)]
    movers = roles_with_operators(formulation)
    out = []
    for i, role in enumerate(roles):
        name = str(getattr(role, "name", None) or f"Role {i}")
        out.append(Role(i, name, str(getattr(role, "description", "") or ""),
                        is_observer_role(role, name, i in movers)))
    return out


def is_observer_role(role, name, has_moves):
    """A role the game declares an observer (``observer`` or ``is_observer`` true), or one
    named like an observer (Observer, Spectator, Watcher, Audience) that has no moves."""
    for flag in ("observer", "is_observer"):
        if getattr(role, flag, None) is True:
            return True
    return bool(OBSERVER_NAME_RE.search(name)) and not has_moves


def roles_with_operators(formulation):
    """Role numbers some operator is reserved for (operators may not exist yet)."""
    try:
        ops = list(getattr(getattr(formulation, "operators", None), "operators", None) or [])
    except Exception:
        return set()
    return {r for r in (getattr(op, "role", None) for op in ops)
            if isinstance(r, int) and not isinstance(r, bool)}


def _safe_bool(fn, *args):
    try:
        return bool(fn(*args))
    except GAME_ERRORS:
        return False


def state_phase(state):
    phase = getattr(state, "phase", None)
    return phase if phase is None or isinstance(phase, (str, int)) else str(phase)


def state_to_move(state):
    value = getattr(state, "current_role_num", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def state_parallel(state):
    return bool(getattr(state, "parallel", False))


def is_goal(state):
    fn = getattr(state, "is_goal", None)
    return callable(fn) and _safe_bool(fn)


def goal_message(state):
    fn = getattr(state, "goal_message", None)
    if callable(fn):
        try:
            return str(fn())
        except GAME_ERRORS:
            pass
    return "The play-through has reached its goal."


def last_decision(moves):
    """Index in ``moves`` of the last decision (a non-host move), or None."""
    for i in range(len(moves) - 1, -1, -1):
        if moves[i]["actor"]["kind"] != "host":
            return i
    return None


def check_undo_rules(moves, ended, actor, owner, parallel_now, allows_undo):
    """The undo rules, for an engine play-through and a host's mirror of one alike:
    raise MoveError unless ``actor`` may undo the last decision now; its index.
    ``allows_undo(op index)``: the operator has ``allow_undo``."""
    if ended:
        raise MoveError("finished", "the play-through has ended; moves cannot be undone")
    i = last_decision(moves)
    if i is None:
        raise MoveError("nothing_to_undo", "there is no move to undo")
    last = moves[i]
    if not owner and (last["actor"]["role"] != actor.role
                      or not actor.same_person(last["actor"])):
        raise MoveError("not_yours", "you can only undo your own last move, "
                        "before anyone else has moved")
    op = last.get("op")
    if (last.get("parallel_before") or parallel_now) \
            and not (type(op) is int and allows_undo(op)):
        raise MoveError("parallel", "moves in a simultaneous phase cannot be undone")
    return i


class PlayThrough:
    """One play-through of a loaded game."""

    def __init__(self, source, *, seed, config=None, session_folder=None, seats=(),
                 log_writer=None, artifacts_dir=None, auto_bookkeeping=True,
                 check_purity=False, loaded=None, limits=None, log_format=None):
        self.source = source
        self.format = int(log_format or LOG_FORMAT_VERSION)   # the log's format version
        self.game = loaded or source.load()
        self.formulation = self.game.formulation
        self.seed = int(seed)
        self.rng = rng_mod.new_generator(self.seed)
        self.view_rng = rng_mod.new_generator(_VIEW_RNG_SEED)
        self.log = log_writer
        self.artifacts_dir = artifacts_dir
        self.auto_bookkeeping = auto_bookkeeping
        self.check_purity = check_purity
        self.lock = threading.RLock()
        self.roles = read_roles(self.formulation)
        self.config = dict(config or {})
        self.config.setdefault("active_roles", [r.num for r in self.roles if not r.observer])
        self.session_folder = session_folder
        self.seats = [dict(s) for s in seats]
        self.stack, self.hashes, self.moves = [], [], []
        self.version = 0
        self._applicable = {}    # (version, role) -> applicable operator indexes
        self.parallel_since = 0
        self.ended = None        # None, or the footer's reason
        self.outcome = None
        # "state_bytes", "message_chars": a move whose state or message is larger is
        # refused (a game process sets them; nothing is logged).
        self.limits = dict(limits or {})
        self.artifact_versions = {}
        self._initialize()

    # -- set-up --------------------------------------------------------
    def _initialize(self):
        config = dict(self.config)
        if self.session_folder is not None and getattr(self.source, "uses_session_folder", True):
            os.makedirs(self.session_folder, exist_ok=True)
        config["session_folder"] = self.session_folder
        try:
            with rng_mod.using(self.rng, self.game):
                state = self.formulation.initialize_problem(config)
        except GAME_ERRORS as exc:
            raise MoveError("game_error", f"the game failed to start: {type(exc).__name__}: {exc}",
                            traceback.format_exc()) from exc
        if state is None:
            raise MoveError("game_error", "the game's initialize_problem returned no state")
        self.message = self._take_message(state)
        self._push(state, self._hash_new(state))
        self.parallel_since = self.version

    def header_fields(self):
        return {
            "format": self.format, "game": self.source.slug,
            "game_version": self.source.version, "engine_version": ENGINE_VERSION,
            "seed": self.seed, "config": self.config,
            "roles": [r.as_dict() for r in self.roles],
            "seats": [seat_record(s, self.format) for s in self.seats],
            "state_hash": self.hashes[-1], "phase": state_phase(self.state),
            "to_move": state_to_move(self.state), "parallel": state_parallel(self.state),
        }

    def start(self):
        """Write the header and settle forced moves; call once after creation.  The
        header and the forced moves reach the log together, or the start fails."""
        with self._atomic():
            self._record(HEADER, **self.header_fields())
            self.settle()
        return self

    # -- basic state facts --------------------------------------------
    @property
    def state(self):
        return self.stack[-1]

    @property
    def k(self):
        return len(self.stack) - 1

    @property
    def operators(self):
        ops = getattr(self.formulation, "operators", None)
        return list(getattr(ops, "operators", None) or [])

    @property
    def active_roles(self):
        return list(self.config.get("active_roles") or [])

    def state_hash_of(self, state):
        return serialize.state_hash(state, self.game.alias_of)

    def roles_to_move(self, state=None):
        state = self.state if state is None else state
        if state_parallel(state):
            return list(self.active_roles)
        return [state_to_move(state)]

    def role_name(self, num):
        for r in self.roles:
            if r.num == num:
                return r.name
        return f"role {num}"

    # -- applicability -------------------------------------------------
    def _precondition(self, op, state):
        fn = getattr(op, "precond_func", None)
        if fn is None:
            return True
        token = rng_mod.current.set(self.view_rng)
        game_token = rng_mod.current_game.set(self.game)
        try:
            return bool(fn(state))
        except GAME_ERRORS:
            return False
        finally:
            rng_mod.current.reset(token)
            rng_mod.current_game.reset(game_token)
            if self.game._served:
                self.game.privatize_new_imports()

    def may_use(self, role, op, state=None):
        """Role rules only: op of this role (or None) and the role's turn."""
        state = self.state if state is None else state
        op_role = getattr(op, "role", None)
        if op_role is not None and op_role != role:
            return False
        return role in self.roles_to_move(state)

    def applicable(self, role, state=None):
        """Indexes of operators ``role`` may apply now (cached per state version)."""
        current = state is None or state is self.state
        state = self.state if state is None else state
        key = (self.version, role)
        if current and key in self._applicable:
            return self._applicable[key]
        if role not in self.roles_to_move(state):
            found = []
        else:
            found = [i for i, op in enumerate(self.operators)
                     if self.may_use(role, op, state) and self._precondition(op, state)]
        if current:
            if len(self._applicable) > 16:
                self._applicable.clear()
            self._applicable[key] = found
        return found

    def forced_move(self, role, state=None):
        """The bookkeeping operator the host must apply for ``role``, or None."""
        ops = self.operators
        idx = self.applicable(role, state)
        if idx and all(getattr(ops[i], "bookkeeping", False) for i in idx):
            return idx[0]
        return None

    # -- the move path -------------------------------------------------
    def check_move(self, role, op_index, args, state_version=None):
        """Validate a move without applying it; returns (op, converted args)."""
        if self.ended:
            raise MoveError("finished", "this play-through has ended")
        if state_version is not None and not self._version_ok(state_version):
            raise MoveError("stale", "the game has moved on since your page was drawn; "
                            "the page has been refreshed, please choose again")
        ops = self.operators
        if type(op_index) is not int or not 0 <= op_index < len(ops):
            raise MoveError("unknown_operator", f"there is no move number {op_index!r}")
        op = ops[op_index]
        op_role = getattr(op, "role", None)
        if op_role is not None and op_role != role:
            raise MoveError("wrong_role", f"“{views.op_name(op, self.state)}” is a move "
                            f"for {self.role_name(op_role)}, not for {self.role_name(role)}")
        if role not in self.roles_to_move():
            waiting = ", ".join(self.role_name(r) for r in self.roles_to_move())
            raise MoveError("wrong_turn", f"it is not your turn (waiting for {waiting})")
        try:
            specs = params_mod.resolve_specs(op, self.state)
            args = params_mod.check_args(specs, args)
        except params_mod.ParamError as exc:
            raise MoveError("bad_params", str(exc)) from exc
        if not self._precondition(op, self.state):
            raise MoveError("not_applicable",
                            f"“{views.op_name(op, self.state)}” cannot be applied now")
        return op, args, specs

    def _version_ok(self, client_version):
        if client_version == self.version:
            return True
        # In a parallel phase a choice drawn earlier in the same phase is still valid.
        return (state_parallel(self.state) and isinstance(client_version, int)
                and self.parallel_since <= client_version <= self.version)

    def apply(self, actor, op_index, args=None, state_version=None):
        """Apply a player's move; returns the list of move events recorded.

        The move, the forced moves after it and a goal or footer are one unit: they
        are all recorded, or (game error, disk full, a state that cannot be
        recorded) none is, and the state, stack, RNG and log are as before."""
        with self.lock:
            op, args, specs = self.check_move(actor.role, op_index, args, state_version)
            if getattr(op, "bookkeeping", False):
                raise MoveError("bookkeeping", f"“{views.op_name(op, self.state)}” is made by "
                                "the game itself when nothing else can be done")
            with self._atomic():
                first = self._do_move(actor, op_index, op, args, specs)
                return [first] + self.settle()

    @contextlib.contextmanager
    def _atomic(self):
        """Everything inside is kept, or everything is undone (log lines included)."""
        saved = self._savepoint()
        log_tx = self.log.transaction() if self.log is not None else contextlib.nullcontext()
        try:
            with log_tx:
                yield
        except MoveError:
            self._restore(saved)
            raise
        except LogWriteError as exc:
            self._restore(saved)
            reason = exc.strerror or str(exc)
            raise MoveError("not_recorded", NOT_RECORDED.format(reason=reason)) from exc
        except GAME_ERRORS as exc:
            self._restore(saved)
            raise MoveError("game_error", f"the game's code failed on this move: "
                            f"{type(exc).__name__}: {exc}", traceback.format_exc()) from exc

    def _savepoint(self):
        return (list(self.stack), list(self.hashes), list(self.moves), self.version,
                self.parallel_since, self.rng.getstate(), self.message, self.ended,
                self.outcome, getattr(self, "goal_message", None), dict(self.artifact_versions))

    def _restore(self, saved):
        (self.stack, self.hashes, self.moves, self.version, self.parallel_since, rng,
         self.message, self.ended, self.outcome, goal, self.artifact_versions) = saved
        self.rng.setstate(rng)
        if goal is None:
            self.__dict__.pop("goal_message", None)
        else:
            self.goal_message = goal
        self._applicable.clear()

    def transition(self, op, args, specs):
        """Call the game's transition once; returns (new state, message)."""
        before = self.hashes[-1] if self.check_purity else None
        try:
            with rng_mod.using(self.rng, self.game):
                fn = op.state_xition_func
                new = fn(self.state, args) if specs else fn(self.state)
        except GAME_ERRORS as exc:
            raise MoveError("game_error", f"the game's code failed on this move: "
                            f"{type(exc).__name__}: {exc}", traceback.format_exc()) from exc
        if new is None or isinstance(new, (bool, int, str, list, dict, tuple)):
            raise MoveError("game_error", "the game's move returned no new state")
        if self.check_purity and self.state_hash_of(self.state) != before:
            raise MoveError("game_error", "the game's move changed the previous state "
                            "(transitions must return a new state)")
        return new, self._take_message(new)

    def _do_move(self, actor, op_index, op, args, specs, bookkeeping=False):
        before = self.state
        rng_before = self.rng.getstate()
        try:
            new, message = self.transition(op, args, specs)
        except MoveError:
            self.rng.setstate(rng_before)
            raise
        state_hash = self._hash_new(new)
        self.message = message
        self._push(new, state_hash)
        event = self._record(
            "move", k=self.k, actor=actor.as_dict(self.format), op=op_index,
            op_name=views.op_name(op, before), args=list(args),
            bookkeeping=bookkeeping, phase_before=state_phase(before),
            phase_after=state_phase(new), to_move_before=state_to_move(before),
            to_move_after=state_to_move(new), parallel_before=state_parallel(before),
            state_hash=self.hashes[-1], message=message)
        self.moves.append(event)
        self._save_artifacts(specs, args, actor)
        return event

    def settle(self):
        """Apply forced bookkeeping moves, then detect goal or stall; returns moves."""
        done = []
        while not self.ended:
            if is_goal(self.state):
                self._finish_goal()
                break
            if not self.auto_bookkeeping:
                break
            roles = self.roles_to_move()
            forced = [(r, self.forced_move(r)) for r in roles]
            forced = [(r, i) for r, i in forced if i is not None]
            if forced:
                role, idx = forced[0]
                op = self.operators[idx]
                specs = params_mod.resolve_specs(op, self.state)
                actor = Actor(role, "host", HOST)
                done.append(self._do_move(actor, idx, op, [], specs, bookkeeping=True))
                continue
            if not any(self.applicable(r) for r in roles):
                self.end("stalled")
            break
        return done

    # -- undo ----------------------------------------------------------
    def undo_target(self):
        """Index in ``moves`` of the last decision (a non-host move), or None."""
        return last_decision(self.moves)

    def check_undo(self, actor, owner=False):
        """Raise MoveError unless ``actor`` may undo the last decision now."""
        ops = self.operators
        return check_undo_rules(
            self.moves, self.ended, actor, owner, state_parallel(self.state),
            lambda i: 0 <= i < len(ops) and bool(getattr(ops[i], "allow_undo", False)))

    def undo(self, actor, owner=False):
        """Undo the last decision and the forced moves after it; returns the event."""
        with self.lock:
            i = self.check_undo(actor, owner)
            with self._atomic():
                return self.undo_to(actor, self.moves[i]["k"] - 1, owner)

    def undo_to(self, actor, k, owner=False):
        """Pop the state stack back to step ``k`` and record it."""
        while self.k > k:
            self.stack.pop()
            self.hashes.pop()
            self.moves.pop()
        self.version += 1
        self.parallel_since = self.version
        self.message = ""
        return self._record("undo", actor=actor.as_dict(self.format), k=self.k,
                            owner=bool(owner),
                            state_hash=self.hashes[-1], phase=state_phase(self.state),
                            to_move=state_to_move(self.state))

    # -- seats ---------------------------------------------------------------
    def change_seat(self, role, participant, kind, shared=False):
        """Seat ``participant`` (kind human or bot) in ``role`` mid-game: a latecomer
        taking a bot's or an empty seat, or (``shared``) sharing the role with its
        holders (recorded; replayed under the host rules)."""
        if kind not in ("human", "bot"):
            raise ValueError(f"a seat is held by a human or a bot, not {kind!r}")
        with self.lock:
            before = [s for s in self.seats if s.get("role") == role]
            extra = {"shared": True} if shared else {}
            event = self._record("seat_changed", role=role, participant=participant,
                                 kind=kind, previous=[seat_record(s) for s in before],
                                 **extra)
            self.seats = seats_after_change(self.seats, event)
            return event

    # -- ending ----------------------------------------------------------
    def outcome_for_roles(self, state=None):
        state = self.state if state is None else state
        is_win = getattr(state, "is_win", None)
        is_draw = getattr(state, "is_draw", None)
        draw = callable(is_draw) and _safe_bool(is_draw)
        out = {}
        for r in self.roles:
            if r.observer or r.num not in self.active_roles:
                continue
            if callable(is_win) and _safe_bool(is_win, r.num):
                out[str(r.num)] = "win"
            elif draw:
                out[str(r.num)] = "draw"
            elif callable(is_win):
                out[str(r.num)] = "loss"
            else:
                out[str(r.num)] = "finished"
        return out

    def _finish_goal(self):
        self.outcome = self.outcome_for_roles()
        self.goal_message = goal_message(self.state)
        self._record("goal_reached", k=self.k, message=self.goal_message,
                     outcome=self.outcome, state_hash=self.hashes[-1])
        self.end("goal")

    def end(self, reason):
        """Write the footer; ``reason`` is one of END_REASONS."""
        if reason not in END_REASONS:
            raise ValueError(f"unknown end reason {reason!r}")
        if self.ended:
            return None
        with self._atomic():
            self.ended = reason
            return self._record(FOOTER, reason=reason, k=self.k, state_hash=self.hashes[-1])

    def close(self):
        """Release the game's modules (and the log file)."""
        self.game.unload()
        if self.log is not None:
            self.log.close()

    # -- records ---------------------------------------------------------
    def record(self, type_, **fields):
        """Record a non-move event (paused, player_joined, ...)."""
        with self.lock:
            return self._record(type_, **fields)

    def _record(self, type_, **fields):
        if self.log is None:
            return dict(type=type_, **fields)
        return self.log.write(type_, **fields)

    def _hash_new(self, state):
        """The hash of a state the game returned; a state that cannot be recorded (a
        generator, an open file) or is over the size limit refuses the move before
        anything changes."""
        limit = self.limits.get("state_bytes")
        try:
            if limit:
                encoded = serialize.canonical_bytes(state, self.game.alias_of)
                if len(encoded) > limit:
                    raise MoveError("too_large", f"the game's new state is too large "
                                    f"({len(encoded)} bytes; at most {limit})")
                return serialize.hash_bytes(encoded)
            return self.state_hash_of(state)
        except serialize.SerializeError as exc:
            raise MoveError("game_error", f"the game's new state cannot be recorded: {exc}") \
                from exc

    def _push(self, state, state_hash=None):
        self.stack.append(state)
        self.hashes.append(self.state_hash_of(state) if state_hash is None else state_hash)
        was_parallel = len(self.stack) > 1 and state_parallel(self.stack[-2])
        self.version += 1
        if not (was_parallel and state_parallel(state)):
            self.parallel_since = self.version

    def _take_message(self, state):
        message = getattr(state, "jit_transition", None)
        if message is None:
            return ""
        try:
            state.jit_transition = None   # narration is not carried into later states
        except GAME_ERRORS:
            pass
        text = str(message)
        limit = self.limits.get("message_chars")
        if limit and len(text) > limit:
            raise MoveError("too_large", f"the game's message for this move is too large "
                            f"({len(text)} characters; at most {limit})")
        return text

    def _save_artifacts(self, specs, args, actor):
        for spec, value in zip(specs, args):
            if spec.get("type") != "file_edit":
                continue
            name = os.path.basename(str(spec.get("file_path") or spec["name"])) or "text"
            version = self.artifact_versions.get(name, 0) + 1
            self.artifact_versions[name] = version
            data = value.encode("utf-8")
            if self.artifacts_dir:
                os.makedirs(self.artifacts_dir, exist_ok=True)
                path = os.path.join(self.artifacts_dir, f"v{version:04d}__{name}")
                with open(path, "wb") as f:
                    f.write(data)
            self._record("artifact_saved", k=self.k, name=name, version=version,
                         sha256=hashlib.sha256(data).hexdigest(),
                         words=len(value.split()), actor=actor.as_dict(self.format))
