"""Live play-throughs and connected sockets, in this process's memory.

``Runtime`` is the only place that knows where sockets are: they are grouped
per session and every push goes through ``broadcast``, so moving fan-out to
Redis pub/sub later changes this module only.
"""
import collections
import logging
import os
import threading
import time

from engine import checkpoint as checkpoint_mod
from engine.loader import GameSource
from engine.views import role_view

log = logging.getLogger(__name__)


class Client:
    """One open socket of one participant, with its own send lock and rate limit."""

    def __init__(self, ws, participant_id, is_owner, rate_per_second):
        self.ws = ws
        self.participant_id = participant_id
        self.is_owner = is_owner
        self.alive = True
        self._send_lock = threading.Lock()
        self._rate = float(rate_per_second)
        self._allowance = self._rate
        self._checked = time.monotonic()

    def send(self, text):
        """Send a text frame; False (and the client is dead) if the socket is gone."""
        with self._send_lock:
            if not self.alive:
                return False
            try:
                self.ws.send(text)
                return True
            except Exception:
                self.alive = False
                return False

    def allow_message(self):
        """Token bucket: at most ``rate`` messages a second, bursts up to ``rate``."""
        now = time.monotonic()
        self._allowance = min(self._rate, self._allowance + (now - self._checked) * self._rate)
        self._checked = now
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True


class LivePlayThrough:
    """A running (or finished) play-through with its seats and per-role view cache."""

    def __init__(self, session_key, session_id, record_id, pt, seats, base_url, number=None):
        self.session_key = session_key
        self.number = number          # the play-through's number in its session
        self.session_id = session_id
        self.record_id = record_id
        self.pt = pt
        self.seats = seats            # participant id -> {"name", "kind", "roles", "strategy"}
        self.base_url = base_url
        self.history = [m["message"] for m in pt.moves if m.get("message")]
        self.bot_timer = None
        self.paused = False
        self.last_checkpoint_k = pt.k
        self.final_checkpoint = False
        self.pending_checkpoints = set()   # RQ job ids of checkpoints not yet in the log
        self.rows_final = False
        self._views = {}
        self._fragments = {}
        self._cached_version = None
        self._pending = None
        self.nav = None               # the nav fragment (fixed for a play-through)

    def _current(self):
        """Drop every per-version cache when the state version has moved on (or the
        play-through has ended: ending writes a footer without a new version)."""
        version = (self.pt.version, self.pt.ended)
        if version != self._cached_version:
            self._views.clear()
            self._fragments.clear()
            self._pending = None
            self._cached_version = version
        return version

    def view(self, role):
        """The role's view of the current state, rendered once per state version."""
        key = (self._current(), role)
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = role_view(self.pt, role, self.base_url)
        return found

    def cached_fragment(self, name, role, build):
        """A rendered fragment for (version, name, role), built once."""
        key = (self._current(), name, role)
        found = self._fragments.get(key)
        if found is None:
            found = self._fragments[key] = build()
        return found

    def status(self):
        """The session's status as far as this (current) play-through tells it."""
        if self.pt.ended:
            return "ended"
        return "paused" if self.paused else "in_progress"

    def note_moves(self, events):
        self.history.extend(e["message"] for e in events if e.get("message"))

    def holders(self, role):
        return [s["name"] for s in self.seats.values() if role in s["roles"]]

    def roles_of(self, participant_id):
        seat = self.seats.get(participant_id)
        return list(seat["roles"]) if seat else []

    def pending_roles(self):
        """Roles that still have a move to make now (computed once per state version)."""
        if self.pt.ended:
            return []
        self._current()
        if self._pending is None:
            self._pending = [r for r in self.pt.roles_to_move() if self.view(r).operators
                             and any(op.applicable for op in self.view(r).operators)]
        return list(self._pending)


class StepsWriter:
    """Writes play-through step counts off the move path, coalesced per record.

    A move only notes ``record id -> k``; one thread writes the latest counts a
    few milliseconds later in a single transaction.  A row that has ended is never
    touched (its final count is written synchronously with its end).
    """

    DELAY = 0.05

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._pending = {}
        self._wake = threading.Event()
        self._thread = None

    def note(self, record_id, steps):
        with self._lock:
            self._pending[record_id] = steps
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="steps-writer")
                self._thread.start()
        self._wake.set()

    def discard(self, record_id):
        with self._lock:
            self._pending.pop(record_id, None)

    def flush(self):
        """Write every pending count now (in this thread)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        from sqlalchemy import update

        from ..extensions import db
        from ..models import PlayThroughRecord
        with self.app.app_context():
            try:
                for record_id, steps in pending.items():
                    db.session.execute(update(PlayThroughRecord)
                                       .where(PlayThroughRecord.id == record_id,
                                              PlayThroughRecord.status != "ended")
                                       .values(steps=steps))
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.warning("could not write step counts of %s", sorted(pending),
                            exc_info=True)
            finally:
                db.session.remove()

    def _run(self):
        while True:
            if not self._wake.wait(30):
                with self._lock:
                    if not self._pending:
                        self._thread = None
                        return
                continue
            time.sleep(self.DELAY)
            self._wake.clear()
            self.flush()


class Runtime:
    """Registry of sockets per session and of live play-throughs."""

    def __init__(self, app):
        self.app = app
        self.steps = StepsWriter(app)
        self._lock = threading.RLock()
        self._clients = collections.defaultdict(list)
        self._live = {}
        self._watched = set()
        self._watcher = None

    def add_client(self, key, client):
        with self._lock:
            self._clients[key].append(client)

    def remove_client(self, key, client):
        with self._lock:
            if client in self._clients.get(key, []):
                self._clients[key].remove(client)

    def clients_of(self, key):
        # Lock-free read: copying a list and a dict lookup are atomic in CPython, and
        # every push and message reads this (writers still take the lock).
        return list(self._clients.get(key, ()))

    def connected_ids(self, key):
        return {c.participant_id for c in self.clients_of(key) if c.alive}

    def broadcast(self, key, render):
        """Send ``render(client)`` to every socket of the session (None skips one)."""
        for client in self.clients_of(key):
            text = render(client)
            if text and not client.send(text):
                self.remove_client(key, client)

    def watch_checkpoints(self, live):
        """Record ``checkpoint_written`` in the log when a checkpoint job finishes."""
        with self._lock:
            self._watched.add(live.session_key)
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, daemon=True,
                                                 name="checkpoint-watcher")
                self._watcher.start()

    def _watch(self):
        while True:
            time.sleep(0.5)
            with self._lock:
                keys = set(self._watched)
            if not keys:
                return
            for key in keys:
                live = self.live(key)
                if live is None or not live.pending_checkpoints:
                    with self._lock:
                        self._watched.discard(key)
                    continue
                try:
                    with self.app.app_context():
                        record_finished_checkpoints(live)
                except Exception:
                    log.warning("checkpoint watcher: Redis or the log is unavailable")

    def register(self, live):
        with self._lock:
            self._live[live.session_key] = live
        return live

    def live(self, key):
        return self._live.get(key)     # lock-free read, as in clients_of

    def forget(self, key):
        with self._lock:
            live = self._live.pop(key, None)
        if live is not None:
            live.pt.close()

    def resume(self, key, session_id, record, folder, seats, base_url, paths):
        """Rebuild a play-through from its log after a restart."""
        with self._lock:
            if key in self._live:
                return self._live[key]
            pt = resume_playthrough(GameSource(folder), record.log_path, paths)
            if pt.ended and pt.log is not None:
                pt.log.close()
            return self.register(LivePlayThrough(key, session_id, record.id, pt, seats,
                                                 base_url, record.number))


def resume_playthrough(source, log_path, paths):
    """Rebuild from the whole log; if that fails, from the latest checkpoint plus the tail."""
    kwargs = {"session_folder": str(paths["work"]), "artifacts_dir": str(paths["artifacts"])}
    try:
        return checkpoint_mod.resume(source, str(log_path), **kwargs)
    except Exception:
        latest = checkpoint_mod.latest_checkpoint(str(paths["folder"] / "checkpoints"))
        if latest is None:
            raise
        log.warning("replaying %s failed; resuming from checkpoint %s", log_path, latest)
        return checkpoint_mod.resume(source, str(log_path), latest, **kwargs)


def record_finished_checkpoints(live):
    """Log ``checkpoint_written`` for every finished checkpoint job of ``live``."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from ..jobs.queue import connection
    for job_id in list(live.pending_checkpoints):
        try:
            job = Job.fetch(job_id, connection=connection())
        except NoSuchJobError:
            live.pending_checkpoints.discard(job_id)
            continue
        status = job.get_status()
        if status == "finished":
            result = job.return_value() or {}
            with live.pt.lock:
                if live.pt.log is not None and not live.pt.ended:
                    live.pt.record("checkpoint_written", k=result.get("k"),
                                   state_hash=result.get("state_hash"),
                                   log_seq=result.get("seq"),
                                   file=os.path.basename(result.get("result_path") or ""))
            live.pending_checkpoints.discard(job_id)
        elif status in ("failed", "canceled", "stopped"):
            live.pending_checkpoints.discard(job_id)
