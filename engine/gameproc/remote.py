"""A play-through whose game runs in a game process, and whose log the host writes.

:class:`RemotePlayThrough` is what a host holds instead of the engine's
:class:`~engine.playthrough.PlayThrough`: the same moves, undo, end and views,
answered by the game process; the facts a host needs (version, step, who is to
move, the end, the moves so far) are kept here.  The events a call returns are
written by the host's :class:`~engine.log.LogWriter` in one transaction; if that
fails, or the game process times out or dies, the play-through is reopened from
its log in a (new) process and the caller gets a MoveError saying nothing changed.
"""
import hashlib
import logging
import os
import threading
from typing import NamedTuple

from .. import LOG_FORMAT_VERSION
from ..log import FOOTER, HEADER, LogWriteError, drop_partial_tail, read_events
from ..playthrough import (NOT_RECORDED, Actor, MoveError, Role, check_undo_rules,
                           last_decision, seat_record, seats_after_change)
from ..views import OperatorInfo, RoleView
from .host import GameDied, GameTimeout
from .protocol import CallError

log = logging.getLogger(__name__)
GAME_EVENTS = frozenset({"move", "undo", "artifact_saved", "goal_reached", FOOTER})
OUTPUT_KEEP = 64 * 1024


class GameRef(NamedTuple):
    """Which game version, and where its files are on the host."""
    folder: str
    slug: str
    version: str


OP_FIELDS = ("index", "name", "description", "params", "bookkeeping", "role")


def role_view(data, known=None):
    """A RoleView from a game process's answer; ``known`` (role -> operators) supplies
    the operator list when the answer left it out (unchanged since last sent)."""
    role = data.get("role")
    ops = data.get("ops")
    if ops is None:
        ops = (known or {}).get(role) or []
    elif known is not None:
        known[role] = ops
    applicable = set(data.get("applicable") or ())
    infos = []
    for row in ops:
        info = OperatorInfo.__new__(OperatorInfo)
        for field, value in zip(OP_FIELDS, row):
            setattr(info, field, value)
        info.applicable = info.index in applicable
        infos.append(info)
    return RoleView(role, data.get("text") or "", data.get("vis_html"), infos,
                    data.get("version"))


def unavailable_view(role, version, why):
    return RoleView(role, f"(The game cannot be shown right now: {why}.)", None, [], version)


class RemotePlayThrough:
    """One play-through, its game code in a game process of ``pool``."""

    def __init__(self, pool, game, pid, *, seed, config=None, seats=(), log_writer=None,
                 artifacts_dir=None, move_seconds=10.0, base_url="", signer=None):
        self.pool, self.game, self.pid = pool, game, pid
        self.signer = signer
        self.seed, self.config = int(seed), dict(config or {})
        self.seats = [dict(s) for s in seats]
        self.format = LOG_FORMAT_VERSION     # a resumed log keeps the format it began in
        self.log, self.artifacts_dir = log_writer, artifacts_dir
        self.move_seconds = float(move_seconds)
        self.base_url = base_url
        self.lock = threading.RLock()
        self.proc = None
        self.moves = []
        self.undos = []                # the log's undo events (the history notes them)
        self.operators_table = []
        self.artifact_versions = {}
        self.view_roles = set()
        self._views = {}
        self._ops = {}                 # role -> the operator list the game process sent
        self._events = None            # a read-only copy keeps its events in memory
        self.output = ""
        self.version, self.k = 0, 0
        self.ended = self.outcome = self.goal_message = None
        self.message = ""
        self.to_move, self.pending, self.parallel = [0], [], False
        self.parallel_since, self.phase, self.state_hash = 0, None, None
        self.roles = []
        self.metadata = {}

    # -- construction ---------------------------------------------------------------
    @classmethod
    def start(cls, pool, game, pid, view_roles=(), **kwargs):
        """A new play-through: the header and the forced moves at its start, logged;
        the views of ``view_roles`` come with it."""
        pt = cls(pool, game, pid, **kwargs)
        pt._load_roles()
        pt.view_roles.update(view_roles)
        reply = pt._call("open", seed=pt.seed, config=pt.config, seats=pt.seats,
                         roles=pt._hot_roles(), base_url=pt.base_url)
        try:
            pt._write(reply["events"])
        except LogWriteError as exc:
            pt.close()
            raise MoveError("not_recorded", NOT_RECORDED.format(reason=exc.strerror or exc)) \
                from exc
        pt._take(reply)
        return pt

    @classmethod
    def resume(cls, pool, game, pid, log_path, attach_log=True, **kwargs):
        """A play-through rebuilt from its log (``attach_log`` False: a read-only copy)."""
        if attach_log:
            drop_partial_tail(log_path)
        events = read_events(log_path)
        header = events[0]
        pt = cls(pool, game, pid, seed=header["seed"], config=header.get("config"),
                 seats=header.get("seats") or (), **kwargs)
        pt.format = header.get("format", 1)
        for ev in events:
            if ev.get("type") == "seat_changed":
                pt._seat(ev)
        if not attach_log:
            pt._events = events
        pt._load_roles()
        pt._reopen(events)
        if attach_log:
            from ..log import LogWriter
            pt.log = LogWriter(log_path, fsync=getattr(pt.log, "fsync", False),
                               signer=pt.signer)
            pt.settle()
        return pt

    def settle(self):
        """Apply and log the forced moves pending after the log's last line (the process
        died between a decision's line and its forced moves' lines): a resumed
        play-through makes them as host moves before anything else can happen."""
        with self.lock:
            if self.ended:
                return []
            reply = self._call("settle")
            if not reply.get("events"):
                return []
            return [e for e in self._commit(reply) if e["type"] == "move"]

    def _seat(self, ev):
        self.seats = seats_after_change(self.seats, ev)

    def change_seat(self, role, participant, kind, shared=False):
        """Seat ``participant`` in ``role`` mid-game (a latecomer, a bot replaced; with
        ``shared`` beside the role's holders)."""
        if kind not in ("human", "bot"):
            raise ValueError(f"a seat is held by a human or a bot, not {kind!r}")
        with self.lock:
            before = [seat_record(s) for s in self.seats if s.get("role") == role]
            extra = {"shared": True} if shared else {}
            event = self.record("seat_changed", role=role, participant=participant, kind=kind,
                                previous=before, **extra)
            self._seat(event)
            return event

    def _load_roles(self):
        proc = self._process()
        meta = self.metadata = proc.metadata or {}
        self.roles = [Role(r["num"], r["name"], r.get("description", ""), r["observer"])
                      for r in meta.get("roles") or []] or [Role(0, "Player", "", False)]
        self.config.setdefault("active_roles", [r.num for r in self.roles if not r.observer])

    # -- calls and recovery ------------------------------------------------------------
    def _process(self):
        proc = self.proc
        if proc is None or not proc.alive:
            proc = self.pool.process(self.game.folder, self.game.slug, self.game.version)
            self.pool.hold(proc, self.pid)
            self.proc = proc
        return proc

    def _call(self, name, timeout=None, **args):
        proc = self._process()
        try:
            result, output = proc.call_with_output(name, timeout or self.move_seconds,
                                                   pid=self.pid, **args)
        except (GameTimeout, GameDied) as exc:
            self.pool.drop(proc)
            self.proc = None
            raise MoveError(exc.code, exc.message) from exc
        except CallError as exc:
            self._note_output(getattr(exc, "output", ""))
            raise MoveError(exc.code, exc.message, exc.detail) from exc
        self._note_output(output)
        return result

    def _ensure_open(self):
        """Reopen from the log in a new process if the last one died or was replaced."""
        if self.proc is not None and self.proc.alive:
            return
        self._reopen(self._events if self._events is not None else read_events(self.log.path))

    def _reopen(self, events):
        self.proc = None
        self._ops = {}             # a new process sends every operator list again
        reply = self._call("reopen", events=events, timeout=max(60.0, self.move_seconds))
        self.moves, self.undos, self.artifact_versions = [], [], {}
        for ev in events:
            self._mirror(ev)
        self._take(reply)

    def _note_output(self, text):
        if text:
            self.output = (self.output + text)[-OUTPUT_KEEP:]

    # -- the move path -------------------------------------------------------------------
    def apply(self, actor, op_index, args=None, state_version=None):
        """Apply a move in the game process and log what it recorded; the move events."""
        with self.lock:
            if self.ended:
                raise MoveError("finished", "this play-through has ended")
            self._ensure_open()
            args = list(args or [])
            reply = self._call("apply", actor=actor.message(), op=op_index, args=args,
                               state_version=state_version, roles=self._hot_roles(),
                               base_url=self.base_url)
            written = self._commit(reply)
            self._save_artifacts(written, args)
            return [e for e in written if e["type"] == "move"]

    def undo(self, actor, owner=False):
        with self.lock:
            self._ensure_open()
            reply = self._call("undo", actor=actor.message(), owner=bool(owner),
                               roles=self._hot_roles(), base_url=self.base_url)
            written = self._commit(reply)
            return next((e for e in written if e["type"] == "undo"), None)

    def end(self, reason):
        with self.lock:
            if self.ended:
                return None
            self._ensure_open()
            written = self._commit(self._call("end", reason=reason))
            return written[-1] if written else None

    def _commit(self, reply):
        try:
            written = self._write(reply["events"])
        except LogWriteError as exc:
            try:
                self._reopen(read_events(self.log.path))
            except Exception:
                log.warning("could not reopen play-through %s", self.pid, exc_info=True)
                self.proc = None
            raise MoveError("not_recorded", NOT_RECORDED.format(
                reason=exc.strerror or exc)) from exc
        self._take(reply)
        return written

    def _write(self, events):
        checked = [self._checked(ev) for ev in events]
        if self.log is None:
            return checked
        written = []
        with self.log.transaction():
            for ev in checked:
                fields = dict(ev)
                written.append(self.log.write(fields.pop("type"), **fields))
        for ev in written:
            self._mirror(ev)
        return written

    def _checked(self, ev):
        """A game process names only the events a move may record (the header too,
        once, at the start)."""
        kind = ev.get("type") if isinstance(ev, dict) else None
        if kind not in GAME_EVENTS and not (kind == HEADER and self.log is not None
                                            and self.log.next_seq == 0):
            raise MoveError("game_error", f"the game process recorded {kind!r}")
        return ev

    def _mirror(self, ev):
        kind = ev.get("type")
        if kind == "move":
            self.moves.append(ev)
        elif kind == "undo":
            self.moves = [m for m in self.moves if m.get("k", 0) <= ev.get("k", 0)]
            self.undos.append(ev)
        elif kind == "artifact_saved":
            name = ev.get("name")
            self.artifact_versions[name] = max(self.artifact_versions.get(name, 0),
                                               ev.get("version", 0))

    def _take(self, reply):
        facts = reply.get("facts") or {}
        for key in ("version", "k", "ended", "outcome", "goal_message", "message",
                    "to_move", "pending", "parallel", "parallel_since", "phase",
                    "state_hash"):
            if key in facts:
                setattr(self, key, facts[key])
        if "active_roles" in facts:
            self.config["active_roles"] = facts["active_roles"]
        if "operators" in reply:
            self.operators_table = reply["operators"]
        self._views = {}
        html = {}
        for data in reply.get("views") or []:
            if "same_html" in data:
                data["vis_html"] = html.get(data["same_html"])
            html[data.get("role")] = data.get("vis_html")
            self._views[(self.version, data.get("role"))] = role_view(data, self._ops)

    def _save_artifacts(self, written, args):
        texts = {hashlib.sha256(a.encode("utf-8")).hexdigest(): a
                 for a in args if isinstance(a, str)}
        for ev in written:
            if ev["type"] != "artifact_saved" or not self.artifacts_dir:
                continue
            text = texts.get(ev.get("sha256"))
            name = os.path.basename(str(ev.get("name") or "text")) or "text"
            if text is None:
                continue
            os.makedirs(self.artifacts_dir, exist_ok=True)
            path = os.path.join(self.artifacts_dir, f"v{int(ev.get('version', 0)):04d}__{name}")
            with open(path, "wb") as f:
                f.write(text.encode("utf-8"))

    # -- views and facts -------------------------------------------------------------------
    def _hot_roles(self):
        return sorted(self.view_roles, key=lambda r: (r is None, r if r is not None else 0))

    def view(self, role, base_url=None):
        """What ``role`` sees now (asked for with the next move from then on)."""
        with self.lock:
            self.view_roles.add(role)
            key = (self.version, role)
            found = self._views.get(key)
            if found is None:
                try:
                    self._ensure_open()
                    data = self._call("views", roles=[role],
                                      base_url=self.base_url if base_url is None else base_url)
                    found = role_view(data[0], self._ops)
                except MoveError as exc:
                    return unavailable_view(role, self.version, exc.message)
                self._views[key] = found
            return found

    def previous_view(self, role, base_url=None):
        """What ``role`` saw of the state before the last move (None: there is none)."""
        return self.past_view(role, self.k - 1, base_url)

    def past_view(self, role, k, base_url=None):
        """What ``role`` sees of the state at step ``k`` (None: there is no such step)."""
        with self.lock:
            if not 0 <= k <= self.k:
                return None
            if k == self.k:
                return self.view(role, base_url)
            try:
                self._ensure_open()
                data = self._call("views", roles=[role], back=self.k - k,
                                  base_url=self.base_url if base_url is None else base_url)
            except MoveError as exc:
                return unavailable_view(role, self.version, exc.message)
            return role_view(data[0]) if data else None

    def bot_move(self, role, strategy, seed=None):
        """(op, args) a bot of ``strategy`` plays for ``role`` now, or None."""
        with self.lock:
            self._ensure_open()
            found = self._call("bot_move", role=role, strategy=strategy, seed=seed,
                               timeout=max(30.0, self.move_seconds))
            return (found[0], found[1]) if found else None

    def snapshot(self):
        with self.lock:
            self._ensure_open()
            return self._call("snapshot")

    def applicable(self, role):
        return [op.index for op in self.view(role).operators if op.applicable]

    def roles_to_move(self, state=None):
        return list(self.to_move)

    @property
    def active_roles(self):
        return list(self.config.get("active_roles") or [])

    def role_name(self, num):
        for r in self.roles:
            if r.num == num:
                return r.name
        return f"role {num}"

    # -- undo rules (the host's: the game process applies them again) ---------------------
    def undo_target(self):
        return last_decision(self.moves)

    def check_undo(self, actor, owner=False):
        table = self.operators_table
        return check_undo_rules(
            self.moves, self.ended, actor, owner, self.parallel,
            lambda i: 0 <= i < len(table) and bool(table[i].get("allow_undo")))

    # -- other records and the end ----------------------------------------------------------
    def record(self, type_, **fields):
        """A host event (paused, player_joined, ...): the host's log only."""
        with self.lock:
            if self.log is None:
                return dict(type=type_, **fields)
            return self.log.write(type_, **fields)

    def close(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            self.pool.release(proc, self.pid)
            if proc.alive:
                try:
                    proc.submit("close", pid=self.pid)
                except CallError:
                    pass
        if self.log is not None:
            self.log.close()


def actor(role, name="", kind="human", participant=None):
    return Actor(role, name, kind, participant)
