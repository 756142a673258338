"""What a game process does on each call: the play-throughs of one game version.

Every play-through here is the engine's own :class:`PlayThrough`; its log is an
:class:`EventCollector` whose events go back to the host in the reply (the host
writes the canonical log, chain and all).  A call that changes a play-through
returns the events to write and the facts the host keeps (version, step, who is
to move, the end); the host never sees a game object.
"""
import contextlib
import os
import threading

from .. import bots, checkpoint, views
from ..loader import GameSource
from ..metadata import read_metadata
from ..playthrough import Actor, MoveError, PlayThrough, state_parallel, state_phase
from .protocol import CallError

DEFAULT_LIMITS = {"state_bytes": 8 * 1024 * 1024, "message_chars": 64 * 1024,
                  "view_chars": 2 * 1024 * 1024}


class EventCollector:
    """The engine's log writer inside a game process: events wait for the host."""

    path = None
    closed = False

    def __init__(self):
        self.events = []
        self.next_seq = 0

    def write(self, type_, **fields):
        event = {"type": type_}
        event.update(fields)
        self.events.append(event)
        return event

    @contextlib.contextmanager
    def transaction(self):
        start = len(self.events)
        try:
            yield self
        except BaseException:
            del self.events[start:]
            raise

    def take(self):
        out, self.events = self.events, []
        return out

    def close(self):
        pass


def actor_of(data):
    data = data or {}
    return Actor.from_dict(data)


def facts(pt):
    """What the host keeps of a play-through after each change."""
    state = pt.state
    pending = [r for r in pt.roles_to_move() if pt.applicable(r)] if not pt.ended else []
    return {"version": pt.version, "k": pt.k, "ended": pt.ended, "outcome": pt.outcome,
            "goal_message": getattr(pt, "goal_message", None), "message": pt.message,
            "to_move": pt.roles_to_move(), "pending": pending,
            "parallel": state_parallel(state), "parallel_since": pt.parallel_since,
            "phase": state_phase(state), "state_hash": pt.hashes[-1],
            "active_roles": pt.active_roles}


def operator_table(pt):
    """Per operator index: its role, bookkeeping and allow_undo flags (host rules)."""
    return [{"role": getattr(op, "role", None),
             "bookkeeping": bool(getattr(op, "bookkeeping", False)),
             "allow_undo": bool(getattr(op, "allow_undo", False))} for op in pt.operators]


OP_FIELDS = ("index", "name", "description", "params", "bookkeeping", "role")


def view_dict(view, limit, sent=None):
    """A view as JSON.  ``sent`` (role -> the operators last sent for it) keeps the
    operator list out of the answer while it has not changed: only which operators
    are applicable is sent then (the host keeps the list)."""
    html = view.vis_html
    if html is not None and len(html) > limit:
        html = None
        text = (f"(The game's picture of this state is too large to show: "
                f"{len(view.vis_html)} characters.)")
    else:
        text = view.text if len(view.text) <= limit else view.text[:limit] + "…"
    ops = [[getattr(op, f) for f in OP_FIELDS] for op in view.operators]
    out = {"role": view.role, "text": text, "vis_html": html, "version": view.version,
           "applicable": [op.index for op in view.operators if op.applicable]}
    if sent is None or sent.get(view.role) != ops:
        out["ops"] = ops
        if sent is not None:
            sent[view.role] = ops
    return out


def shared_html(found):
    """Views whose picture equals an earlier one's say so (``same_html``: its role)
    instead of repeating it: most games draw the same board for several roles."""
    seen = {}
    for view in found:
        html = view.get("vis_html")
        if html is None:
            continue
        first = seen.setdefault(html, view["role"])
        if first != view["role"]:
            view["vis_html"] = None
            view["same_html"] = first
    return found


class Entry:
    """One play-through held here, with its own lock (calls on it run one at a time)."""

    def __init__(self, pt):
        self.pt = pt
        self.lock = threading.RLock()
        self.sent_ops = {}          # role -> the operator list the host has


class Table:
    """Every play-through of the one game version this process has loaded."""

    def __init__(self, folder, slug, version, limits=None):
        self.source = GameSource(folder, slug=slug)
        if version and self.source.version != version:
            raise CallError("version", f"the game files here are version "
                            f"{self.source.version[:12]}, not {version[:12]}")
        self.limits = dict(DEFAULT_LIMITS, **(limits or {}))
        self.entries = {}
        self.lock = threading.Lock()
        self.scratch = None
        for name, fn in replay_calls(self).items():
            setattr(self, name, fn)

    # -- bookkeeping ------------------------------------------------------------
    def entry(self, pid):
        with self.lock:
            found = self.entries.get(pid)
        if found is None:
            raise CallError("unknown_playthrough", f"play-through {pid} is not open here")
        return found

    def _hold(self, pid, pt):
        with self.lock:
            old = self.entries.pop(pid, None)
            self.entries[pid] = Entry(pt)
        if old is not None:
            old.pt.close()
        return self.entries[pid]

    def session_folder(self, pid):
        if self.scratch is None:
            return None
        return os.path.join(self.scratch, str(pid), "work")

    def _limit(self, pt):
        pt.limits = self.move_limits()
        return pt

    def move_limits(self):
        return {"state_bytes": self.limits["state_bytes"],
                "message_chars": self.limits["message_chars"]}

    # -- calls --------------------------------------------------------------------
    def metadata(self):
        loaded = self.source.load()
        try:
            return read_metadata(self.source, loaded.formulation)
        finally:
            loaded.unload()

    def open(self, pid, seed, config, seats, roles=(), base_url=""):
        """A new play-through: the header and any forced moves at the start (and the
        views of ``roles``, to save the host a call per role)."""
        pt = PlayThrough(self.source, seed=seed, config=config,
                         session_folder=self.session_folder(pid), seats=seats,
                         log_writer=EventCollector(), limits=self.move_limits())
        pt.start()
        entry = self._hold(pid, pt)
        return {"events": pt.log.take(), "facts": facts(entry.pt),
                "operators": operator_table(pt), "views": self._views(entry, roles, base_url)}

    def reopen(self, pid, events):
        """A play-through rebuilt from its log's events (after a restart, a replaced
        process, or a move whose lines the host could not write)."""
        pt = checkpoint.rebuild(self.source, events, session_folder=self.session_folder(pid))
        pt.log = EventCollector()
        self._limit(pt)
        entry = self._hold(pid, pt)
        return {"facts": facts(entry.pt), "operators": operator_table(pt)}

    def settle(self, pid, roles=(), base_url=""):
        """The forced moves pending now, made as host moves (a resumed play-through)."""
        entry = self.entry(pid)
        with entry.lock:
            pt = entry.pt
            try:
                with pt._atomic():
                    pt.settle()
            except MoveError as exc:
                pt.log.take()
                raise CallError(exc.code, exc.message, exc.detail) from exc
            return self._changed(entry, roles, base_url)

    def apply(self, pid, actor, op, args, state_version=None, roles=(), base_url=""):
        entry = self.entry(pid)
        with entry.lock:
            pt = entry.pt
            try:
                pt.apply(actor_of(actor), op, args, state_version)
            except MoveError as exc:
                pt.log.take()
                raise CallError(exc.code, exc.message, exc.detail) from exc
            return self._changed(entry, roles, base_url)

    def undo(self, pid, actor, owner=False, roles=(), base_url=""):
        entry = self.entry(pid)
        with entry.lock:
            try:
                entry.pt.undo(actor_of(actor), owner=bool(owner))
            except MoveError as exc:
                entry.pt.log.take()
                raise CallError(exc.code, exc.message, exc.detail) from exc
            return self._changed(entry, roles, base_url)

    def end(self, pid, reason):
        entry = self.entry(pid)
        with entry.lock:
            try:
                entry.pt.end(reason)
            except (MoveError, ValueError) as exc:
                entry.pt.log.take()
                raise CallError("end", str(getattr(exc, "message", exc))) from exc
            return self._changed(entry, (), "")

    def _changed(self, entry, roles, base_url):
        pt = entry.pt
        return {"events": pt.log.take(), "facts": facts(pt),
                "views": self._views(entry, roles, base_url)}

    def views(self, pid, roles=(), base_url="", back=0):
        """Views of ``roles`` of the current state, or of the state ``back`` steps before
        it (the previous state: 1)."""
        entry = self.entry(pid)
        with entry.lock:
            pt = entry.pt
            if back:
                if len(pt.stack) <= back:
                    return None
                state = pt.stack[-1 - back]
                return [view_dict(views.role_view(pt, r, base_url, state, read_only=True),
                                  self.limits["view_chars"]) for r in roles]
            return self._views(entry, roles, base_url)

    def _views(self, entry, roles, base_url):
        limit, pt = self.limits["view_chars"], entry.pt
        return shared_html([view_dict(views.role_view(pt, r, base_url), limit,
                                      entry.sent_ops) for r in roles])

    def bot_move(self, pid, role, strategy, seed=None):
        entry = self.entry(pid)
        with entry.lock:
            import random
            choice = bots.choose_move(entry.pt, role, strategy=strategy,
                                      rnd=random.Random(seed) if seed is not None else None)
            return list(choice) if choice is not None else None

    def snapshot(self, pid):
        entry = self.entry(pid)
        with entry.lock:
            return checkpoint.snapshot(entry.pt)

    def close(self, pid):
        with self.lock:
            found = self.entries.pop(pid, None)
        if found is not None:
            found.pt.close()
        return None

    def held(self):
        with self.lock:
            return sorted(self.entries)


class Replays:
    """Rebuilt play-throughs for looking back (research viewer, checkpoints): a few kept
    per process, moved forward event by event, rebuilt from the header to go back."""

    KEEP = 8

    def __init__(self, table):
        self.table = table
        self.cursors = {}          # key -> (pt, events applied)
        self.lock = threading.Lock()

    def at(self, key, events, upto):
        """The play-through as it was after ``events[:upto + 1]`` (a cursor kept)."""
        with self.lock:
            found = self.cursors.pop(key, None)
        if found is not None and (found[1] > upto + 1 or events[:found[1]] != found[2]):
            found[0].close()
            found = None
        if found is None:
            pt = PlayThrough(self.table.source, seed=events[0]["seed"],
                             config=events[0].get("config"), auto_bookkeeping=False,
                             session_folder=None)
            found = (pt, 1, events[:1])
        pt, done, _ = found
        failure = None
        for seq in range(done, upto + 1):
            try:
                checkpoint.apply_recorded(pt, events[seq])
            except Exception as exc:  # a tampered or foreign log: show how far it goes
                failure = [seq, f"{type(exc).__name__}: {exc}"]
                upto = seq - 1
                break
        found = (pt, upto + 1, events[:upto + 1])
        with self.lock:
            self.cursors[key] = found
            while len(self.cursors) > self.KEEP:
                self.cursors.pop(next(iter(self.cursors)))[0].close()
        return pt, failure


def replay_calls(table):
    """The stateless calls on logs (a host sends the events it read)."""
    replays = Replays(table)

    def checkpoint_of(events):
        pt = checkpoint.rebuild(table.source, events)
        try:
            return checkpoint.snapshot(pt)
        finally:
            pt.close()

    def replay_view(key, events, upto, roles=(), base_url=""):
        pt, failure = replays.at(key, events, upto)
        limit = table.limits["view_chars"]
        return {"k": pt.k, "views": [view_dict(views.role_view(pt, r, base_url), limit)
                                     for r in roles], "facts": facts(pt), "failure": failure}

    def trace(events, explain_at=None):
        """The game's facts at every event of a log (the host applies the rules)."""
        from ..trace import trace as trace_log
        return trace_log(table.source, events, explain_at=explain_at)

    def trace_many(logs):
        """Traces of many logs of this version in one call (loads reused while clean)."""
        from ..trace import trace_many as trace_logs
        return trace_logs(table.source, logs)

    def trace_lines(logs):
        """``trace_many`` of logs sent as their raw lines (the host has checked them and
        parses the same text to the same events); an operator list equal to the
        previous log's is sent once (``same_ops``), not again for every log."""
        import json

        from ..trace import trace_many as trace_logs
        out = trace_logs(table.source, [[json.loads(line) for line in lines]
                                        for lines in logs])
        previous = None
        for found in out:
            ops = found.get("ops")
            if ops is None:
                continue
            if ops == previous:
                del found["ops"]
                found["same_ops"] = True
            else:
                previous = ops
        return out

    def trail(log_text):
        """The state hash after every recorded move and undo (for comparing processes)."""
        from .. import replay
        from ..log import read_events
        return replay._trail_only(table.source, read_events(log_text), None)

    def check(runs=2, max_moves=2000, return_logs=False):
        from .. import check as check_mod
        return check_mod.check_game(table.source.folder, runs=runs, max_moves=max_moves,
                                    slug=table.source.slug, return_logs=return_logs)
    return {"checkpoint_of": checkpoint_of, "replay_view": replay_view,
            "trace": trace, "trace_many": trace_many, "trace_lines": trace_lines, "trail": trail, "check": check}
