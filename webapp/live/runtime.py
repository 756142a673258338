"""Live play-throughs and connected sockets of this process.

``Runtime`` is the only place that knows where sockets are: they are grouped
per session and every push goes through ``broadcast``, which sends to this
process's sockets and publishes the texts for the sockets other processes hold
(``cluster``).  A play-through in ``_live`` is either owned here (lease and
owner lock held: the only writer of its log) or has ended (read-only, any
process may show it); a play-through owned by another process is shown from a
read-only replica and acted on through the owner.
"""
import collections
import logging
import os
import threading
import time
import uuid

from engine.gameproc.remote import RemotePlayThrough

from ..locks import LiveLock
from .cluster import Cluster, OwnerLock, client_key

log = logging.getLogger(__name__)


class Client:
    """One open socket of one participant, with its own send lock and rate limit."""

    def __init__(self, ws, participant_id, is_owner, rate_per_second):
        self.ws = ws
        self.id = uuid.uuid4().hex[:16]
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
        self.owner_lock = None        # OwnerLock held while owned here
        self.ended_at = None          # time.monotonic() when first seen ended here

    @property
    def owned(self):
        """True while this process owns it (False: an ended or replicated read-only copy)."""
        return self.owner_lock is not None

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
        """The role's view of the current state (from the game process, once per state
        version; after a move the views in use come with its answer)."""
        key = (self._current(), role)
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = self.pt.view(role, self.base_url)
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
            self._pending = list(self.pt.pending)
        return list(self._pending)


class Runtime:
    """Registry of sockets per session and of live play-throughs."""

    def __init__(self, app):
        self.app = app
        from .watchdog import Watchdog
        self.watchdog = Watchdog(app)
        self.cluster = Cluster(app, self._on_cluster)
        self._lock = LiveLock("runtime")
        self._key_locks = {}          # session key -> LiveLock around resuming or copying it
        self._announce_lock = threading.Lock()
        self._clients = collections.defaultdict(list)
        self._by_id = {}
        self._admitted = {}           # client id -> (participant id, address)
        self._live = {}
        self._replicas = {}           # key -> (record id, log size, LivePlayThrough)
        self._routes = {}             # key -> (Elsewhere, expiry): where to forward
        self._watched = set()
        self._watcher = None
        self._sweeper = None
        self._closed = False
        self.linger = float(app.config.get("LIVE_ENDED_LINGER_SECONDS", 60))

    def close(self):
        """Release every play-through held here and stop the cluster's threads."""
        for key in list(self._live):
            self.forget(key)
        for key in list(self._replicas):
            with self._lock:
                self._drop_replica(key)
        self._closed = True
        self.watchdog.stop()
        self.cluster.stop()
        from ..games import close
        close(self.app)          # the game processes of this app

    def _on_cluster(self, message):
        from .relay import handle
        handle(self.app, message)

    def admit(self, key, client, address):
        """None if ``client`` may open a socket, else why not: a participant has at most
        WS_MAX_PER_PARTICIPANT sockets and an address WS_MAX_PER_ADDRESS in this process."""
        per_person = int(self.app.config.get("WS_MAX_PER_PARTICIPANT", 6))
        per_address = int(self.app.config.get("WS_MAX_PER_ADDRESS", 400))
        with self._lock:
            mine = sum(1 for c in self._admitted.values()
                       if c[0] == client.participant_id)
            if mine >= per_person:
                return (f"This seat already has {mine} open windows (at most {per_person}); "
                        "close one and reload this page.")
            here = sum(1 for c in self._admitted.values() if c[1] == address)
            if here >= per_address:
                return ("Too many open game windows from your network right now "
                        f"(at most {per_address}); try again later.")
            self._admitted[client.id] = (client.participant_id, address)
        return None

    def unadmit(self, client):
        with self._lock:
            self._admitted.pop(client.id, None)

    def add_client(self, key, client):
        with self._lock:
            self._clients[key].append(client)
            self._by_id[client.id] = client
        self._announce(key)

    def remove_client(self, key, client):
        with self._lock:
            if client in self._clients.get(key, []):
                self._clients[key].remove(client)
            self._by_id.pop(client.id, None)
            if not self._clients.get(key):
                self._clients.pop(key, None)
        self._announce(key)
        if not self._clients.get(key):
            self.cluster.unfollow(key)

    def _announce(self, key):
        # One at a time: the list written last must be the newest.
        with self._announce_lock:
            self.cluster.announce(key, [(c.participant_id, c.is_owner, c.id)
                                        for c in self.clients_of(key)])

    def client(self, client_id):
        return self._by_id.get(client_id)

    def clients_of(self, key):
        # Lock-free read: copying a list and a dict lookup are atomic in CPython, and
        # every push and message reads this (writers still take the lock).
        return list(self._clients.get(key, ()))

    def connected_ids(self, key):
        """Participants with an open socket of the session, in any process."""
        found = {c.participant_id for c in self.clients_of(key) if c.alive}
        found.update(c.participant_id for c in self.cluster.remote_clients(key))
        return found

    def broadcast(self, key, render):
        """Send ``render(client)`` to every socket of the session (None skips one);
        the sockets of other processes get theirs through the session's channel."""
        for client in self.clients_of(key):
            text = render(client)
            if text and not client.send(text):
                self.remove_client(key, client)
        remote = self.cluster.remote_clients(key)
        if remote:
            texts, index = [], {}
            for client in remote:
                ident = client_key(client.participant_id, client.is_owner)
                if ident in index:
                    continue
                text = render(client)
                if text:
                    index[ident] = len(texts)
                    texts.append(text)
            if texts:
                self.cluster.publish(key, {"type": "push", "from": self.cluster.proc,
                                           "texts": texts, "index": index})

    def deliver_push(self, key, texts, index):
        """Texts another process rendered for this process's sockets of ``key``."""
        for client in self.clients_of(key):
            found = index.get(client_key(client.participant_id, client.is_owner))
            if found is not None and not client.send(texts[found]):
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
        """Hold ``live`` (owned here, or ended); other processes drop older ones."""
        with self._lock:
            old = self._live.get(live.session_key)
            if old is not None and (old.number or 0) > (live.number or 0):
                newer = old       # a copy of an older play-through never replaces a newer
            else:
                newer = None
                self._live[live.session_key] = live
                self._forget_copies(live.session_key)
                self._start_sweeper()
        if newer is not None:
            self._release(live)
            return newer
        if old is not None and old is not live and old.record_id != live.record_id:
            self._release(old)
        if live.owned and not live.pt.ended:
            self.cluster.publish(live.session_key, {"type": "reload", "from": self.cluster.proc,
                                                    "record": live.record_id,
                                                    "number": live.number})
        return live

    def live(self, key):
        return self._live.get(key)     # lock-free read, as in clients_of

    def forget(self, key, record_id=None):
        """Close the session's play-through here (only if it is ``record_id``, if given)."""
        with self._lock:
            live = self._live.get(key)
            if live is None or (record_id is not None and live.record_id != record_id):
                live = None
            else:
                self._live.pop(key, None)
            self._forget_copies(key)
        if live is not None:
            self._release(live)

    def _release(self, live):
        """Stop owning ``live`` (its timers, lease and owner lock) and unload its game."""
        from . import presence
        presence.cancel_timers(live)
        if live.bot_timer is not None:
            live.bot_timer.cancel()
        live.pt.close()
        if live.owner_lock is not None:
            self.cluster.drop_lease(live.record_id)
            live.owner_lock.release()
            live.owner_lock = None
            if not self._clients.get(live.session_key):
                self.cluster.unfollow(live.session_key)

    def claim(self, key, record_id, folder, dead_holder=None):
        """The owner lock and lease of a play-through, or None if another process has it."""
        lock = OwnerLock(folder)
        if not lock.acquire():
            return None
        if not self.cluster.take_lease(record_id, key, dead_holder):
            lock.release()
            return None
        return lock

    def key_lock(self, key):
        """The lock around resuming or copying one session's play-through: game code
        replaying a log holds only its own session, never the registry."""
        with self._lock:
            found = self._key_locks.get(key)
            if found is None:
                found = self._key_locks[key] = LiveLock(f"session {key}")
            return found

    def resume(self, facts, record, dead_holder=None):
        """Own the play-through and rebuild it from its log (after a restart or a takeover);
        None when another process owns it."""
        if self._closed:
            raise RuntimeError("this runtime is closed")
        from .playthroughs import paths_of
        with self.key_lock(facts.key):
            found = self._live.get(facts.key)
            if found is not None and found.record_id == record.id:
                return found
            paths = paths_of(facts, record.number)
            lock = self.claim(facts.key, record.id, paths["folder"], dead_holder)
            if lock is None:
                return None
            try:
                pt = resume_playthrough(facts, record, paths)
            except BaseException:
                self.cluster.drop_lease(record.id)
                lock.release()
                raise
            adopt_lock(pt)
            if pt.ended and pt.log is not None:
                pt.log.close()
            live = LivePlayThrough(facts.key, facts.id, record.id, pt, facts.seats,
                                   facts.base_url, record.number)
            live.owner_lock = lock
            return self.register(live)

    def ended(self, facts, record):
        """A play-through that has ended, read from its log (any process may hold one)."""
        with self.key_lock(facts.key):
            found = self._live.get(facts.key)
            if found is not None and (found.record_id == record.id
                                      or (found.number or 0) > record.number):
                return found
            return self.register(read_only(facts, record))

    def replica(self, facts, record):
        """A read-only copy of a play-through another process owns (for pages), rebuilt
        when its log has grown."""
        path = record.log_path
        size = os.path.getsize(path) if os.path.exists(path) else 0
        with self.key_lock(facts.key):
            found = self._replicas.get(facts.key)
            if found is not None and found[0] == record.id and found[1] == size:
                return found[2]
            live = read_only(facts, record)
            live.ended_at = time.monotonic()    # swept a while after it was built
            with self._lock:
                self._drop_replica(facts.key)
                self._replicas[facts.key] = (record.id, size, live)
                self._start_sweeper()
            return live

    ROUTE_SECONDS = 2.0

    def route(self, key):
        """Where socket messages of ``key`` were last forwarded (no query on the move
        path); forgotten after a moment, on a play-through notice, or when it failed."""
        found = self._routes.get(key)
        if found is not None and found[1] > time.monotonic():
            return found[0]
        return None

    def set_route(self, key, target):
        if target is None:
            self._routes.pop(key, None)
        else:
            self._routes[key] = (target, time.monotonic() + self.ROUTE_SECONDS)

    def _forget_copies(self, key):
        self._routes.pop(key, None)
        self._drop_replica(key)

    def _drop_replica(self, key):
        found = self._replicas.pop(key, None)
        if found is not None:
            found[2].pt.close()

    def drop_stale(self, key, record_id):
        """Another process started play-through ``record_id`` of ``key``: drop older ones."""
        with self._lock:
            live = self._live.get(key)
            if live is not None and live.record_id != record_id:
                self._live.pop(key, None)
            else:
                live = None
            self._forget_copies(key)
        if live is not None:
            self._release(live)

    def _start_sweeper(self):
        if self._sweeper is None or not self._sweeper.is_alive():
            self._sweeper = threading.Thread(target=self._sweep, daemon=True,
                                             name="live-sweeper")
            self._sweeper.start()

    def _sweep(self):
        """Release play-throughs that ended (and replicas unused) a while ago: their game
        modules leave memory; a page that wants one again reads it from the log."""
        while not self._closed:
            time.sleep(max(0.2, min(5.0, self.linger / 4)))
            self.sweep()

    def sweep(self, now=None):
        now = time.monotonic() if now is None else now
        with self._lock:
            doomed = []
            for key, live in list(self._live.items()):
                if live.pt.ended and live.ended_at is None:
                    live.ended_at = now
                elif live.ended_at is not None and now - live.ended_at >= self.linger:
                    doomed.append(self._live.pop(key))
            for key, (_, _, live) in list(self._replicas.items()):
                if now - live.ended_at >= self.linger:
                    self._drop_replica(key)
        for live in doomed:
            self._release(live)
        return len(doomed)


def read_only(facts, record):
    """A copy of a play-through rebuilt from its log, writing nothing (its game runs
    in this process's game process for the version, under a copy id)."""
    from ..games import pool
    from .playthroughs import game_of, move_seconds
    pt = RemotePlayThrough.resume(pool(), game_of(facts), f"copy-{record.id}",
                                  str(record.log_path), attach_log=False,
                                  move_seconds=move_seconds(facts), base_url=facts.base_url)
    adopt_lock(pt)
    return LivePlayThrough(facts.key, facts.id, record.id, pt, facts.seats, facts.base_url,
                           record.number)


def adopt_lock(pt):
    """Give an engine play-through the live path's checked lock (before it is shared)."""
    pt.lock = LiveLock("play-through")
    return pt


def resume_playthrough(facts, record, paths):
    """Rebuild from the whole log, after a restart and after a takeover alike: only a
    replay restores what a game keeps in module globals during play (the cards shown
    in the deduction game)."""
    from ..games import pool
    from .playthroughs import game_of, move_seconds
    return RemotePlayThrough.resume(pool(), game_of(facts), record.id, str(record.log_path),
                                    artifacts_dir=str(paths["artifacts"]),
                                    move_seconds=move_seconds(facts), base_url=facts.base_url)


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
